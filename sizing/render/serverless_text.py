"""The serverless option in words: one line per cluster, the same in the text, Markdown and JSON.

The planner says what serverless would meter and cost and what rules it out, as values
(``sizing.planning.serverless``); this says it to people.
"""

from __future__ import annotations

from sizing.planning.plan import ClusterPlan
from sizing.planning.serverless import Obstacle, Refusal, ServerlessOption, ServerlessUnavailableError
from sizing.spec.workload import SUPPORTED_VERSIONS
from sizing.units import human_bytes, usd

ENGINE_NAMES = {"redis": "Redis OSS", "valkey": "Valkey"}


def refusal_text(refusal: Refusal) -> str:
    """Why serverless cannot carry the cluster, with the numbers or names."""
    match refusal.obstacle:
        case Obstacle.global_datastore:
            return f"needs a Global Datastore ({', '.join(refusal.names)}), which serverless does not offer"
        case Obstacle.fixed_parameter:
            names = ", ".join(f"`{name}`" for name in refusal.names)
            return f"needs {names}, and serverless parameters are fixed"
        case Obstacle.cluster_mode_disabled:
            return "needs cluster mode disabled (cluster_mode: disabled), and serverless always runs cluster mode"
        case Obstacle.engine_version:
            version, *majors = refusal.names
            return f"runs {version}; serverless offers major version {', '.join(majors)} only"
        case Obstacle.data_limit:
            return f"needs {refusal.needed:,.0f} GB of data stored; serverless allows {refusal.limit:,.0f} GB"
        case Obstacle.ecpu_limit:
            return f"needs {refusal.needed:,.0f} ECPU/s at peak; serverless allows {refusal.limit:,.0f}"
        case Obstacle.unpriced:
            region, engine = refusal.names
            return (f"the catalog has no sourced serverless price for {ENGINE_NAMES[engine]} in {region} "
                    f"(sizing/catalog/data/serverless_prices.csv)")
        case Obstacle.budget:
            return f"costs {usd(refusal.needed or 0.0)}/month; budget {usd(refusal.limit or 0.0)}"
    raise AssertionError(f"no wording for {refusal.obstacle}")


def metered_text(option: ServerlessOption) -> str:
    """What serverless would bill: data stored and ECPUs, with where each number comes from."""
    average = "" if option.average_stated else " (the peak: the stack gives no avg_ops_per_sec)"
    per_command = "as the stack states" if option.ecpu_per_command_stated else "1 per KB transferred, at least 1"
    cost = (f"{usd(option.data_stored_monthly_usd)} data stored + {usd(option.ecpu_monthly_usd)} ECPUs = "
            f"{usd(option.monthly_usd)}/month" if option.monthly_usd is not None
            and option.data_stored_monthly_usd is not None and option.ecpu_monthly_usd is not None
            else "no price")
    return (f"{human_bytes(option.data_stored_bytes)} of data stored at the horizon ({option.billed_data_stored_gb:g} GB "
            f"billed each hour), {option.average_ops_per_sec:,} ops/s on average"
            f"{average} x {option.ecpu_per_command:g} ECPU per command ({per_command}): {cost}")


def serverless_line(plan: ClusterPlan) -> str:
    """'chosen: ...', 'not chosen: ...' or 'rejected: ...', with the monthly cost and the reason."""
    option = plan.serverless
    if option is None:
        return ""
    metered = metered_text(option)
    nodes = usd(option.compared_monthly_usd) if option.compared_monthly_usd is not None else "no layout"
    match option.decision:
        case "chosen":
            limits = (f"usage limits {option.data_storage_limit_gb:,} GB and {option.ecpu_per_second_limit:,} ECPU/s, "
                      f"alarms at 75% of each")
            return f"chosen: {metered}, against {nodes}/month for the node layout; {limits}"
        case "costlier":
            return f"not chosen, costs more than the node layout ({nodes}/month): {metered}"
        case "not_asked":
            return f"not considered (deployment: nodes); it would be {metered}"
    reasons = "; ".join(refusal_text(r) for r in option.refusals)
    return f"rejected: {reasons}. It would be {metered}"


def unavailable_message(error: ServerlessUnavailableError) -> str:
    """The one line for a cluster that asks for serverless that cannot carry it."""
    reasons = "; ".join(refusal_text(r) for r in error.option.refusals)
    return f"cluster '{error.cluster}' asks for deployment: serverless, which cannot carry it: {reasons}"


def valkey_line(plan: ClusterPlan) -> str:
    """For Redis OSS: what serverless would cost on the newest Valkey, against Redis OSS serverless."""
    valkey, redis = plan.serverless_on_valkey, plan.serverless
    if valkey is None or valkey.monthly_usd is None:
        return ""
    text = f"Serverless on Valkey {SUPPORTED_VERSIONS['valkey'][-1]} would be {usd(valkey.monthly_usd)}/month"
    if redis is not None and redis.monthly_usd:
        saving = redis.monthly_usd - valkey.monthly_usd
        text += (f", {usd(saving)}/month ({saving / redis.monthly_usd:.0%}) less than serverless Redis OSS "
                 f"({human_bytes(valkey.data_stored_bytes)} of data stored at the Valkey price)")
    others = [refusal_text(r) for r in valkey.refusals if r.obstacle is not Obstacle.engine_version]
    return text + (f"; it would be rejected too: {'; '.join(others)}" if others else "")
