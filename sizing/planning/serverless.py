"""ElastiCache Serverless as an option of every cluster: what it would cost, and what rules it out.

Serverless bills what it meters, not what it provisions (``sizing.catalog.serverless``):

Glossary
    data_stored_bytes    the data the cache holds at the horizon: the memory model's dataset
                         (keys, values and their per-key structures, one copy, cluster mode),
                         without the server's own baseline, client buffers or fragmentation,
                         which serverless does not bill. ElastiCache samples it several times a
                         minute and bills the hour's average, so a steady dataset bills as is.
    billed_data_stored_gb  data_stored_bytes in decimal GB, never below the engine's minimum
                         (1 GB Redis OSS, 100 MB Valkey).
    ecpu_per_command     ECPUs an average command uses: 1 per KB of request plus response, at
                         least 1 (simple reads and writes), unless the stack states its own.
    average_ecpu_per_sec average_ops_per_sec x ecpu_per_command: what the month bills.
    peak_ecpu_per_sec    peak_ops_per_sec x ecpu_per_command: what the ECPU limit must allow.
    monthly_usd          730 hours of billed data stored plus a month of average ECPUs, at the
                         primary region's serverless price.

The option is refused, with the reason as a value (``Obstacle``), where serverless cannot run
the cluster as the stack describes it: it has no Global Datastore, fixes every parameter,
always runs cluster mode, runs only some major versions, and has hard limits.
"""

from __future__ import annotations

import math
from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from sizing.catalog.serverless import (
    BYTES_PER_ECPU,
    GB,
    MAJOR_VERSIONS,
    MAX_DATA_STORED_GB,
    MAX_ECPU_PER_SECOND,
    serverless_prices,
)
from sizing.errors import SizingError
from sizing.memory.dataset import DatasetModel
from sizing.planning.alarms import USAGE_LIMIT_ALARM_PERCENT
from sizing.planning.models import planning_model, same_data_variant
from sizing.spec.workload import Cluster

HOURS_PER_MONTH = 730
"""AWS pricing convention for monthly estimates (as for nodes)."""
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600
SERVERLESS_EVICTION_POLICY = "volatile-lru"
"""The one maxmemory-policy a serverless cache runs (ElastiCache "Supported and restricted
Valkey and Redis OSS commands" / serverless configuration: parameters are fixed)."""
NODE_ONLY_PARAMETERS = ("reserved-memory-percent",)
"""Parameters that size a node's reserve: serverless has no nodes, so they do not apply."""
USAGE_LIMIT_FACTOR = 2.0
"""Usage limits are set at twice the plan's horizon data and peak ECPU/s. The 75% alarms
then fire at 1.5x the plan, before the cache evicts or throttles at the limit; the limit
itself caps a runaway bill. This project's choice, not an AWS figure."""
MIN_DATA_STORAGE_LIMIT_GB = 1
MIN_ECPU_PER_SECOND_LIMIT = 1_000
"""Smallest usage limits CreateServerlessCache accepts (CacheUsageLimits: DataStorage in whole
GB, ECPUPerSecond from 1,000)."""


class Obstacle(str, Enum):
    """What rules serverless out for a cluster."""

    global_datastore = "global_datastore"
    """More than one region: serverless has no Global Datastore."""
    fixed_parameter = "fixed_parameter"
    """The stack sets a parameter serverless fixes."""
    cluster_mode_disabled = "cluster_mode_disabled"
    """Serverless is always cluster mode; the stack requires it disabled."""
    engine_version = "engine_version"
    data_limit = "data_limit"
    ecpu_limit = "ecpu_limit"
    unpriced = "unpriced"
    """No sourced serverless price for the region and engine in the catalog."""
    budget = "budget"


class Refusal(BaseModel):
    """One reason serverless cannot carry the cluster, in numbers or names; the render layer words it."""

    model_config = ConfigDict(frozen=True)

    obstacle: Obstacle
    needed: float | None = Field(default=None, description="What the cluster needs (GB, ECPU/s or USD a month).")
    limit: float | None = Field(default=None, description="What serverless allows.")
    names: tuple[str, ...] = Field(default=(), description="Parameters, regions or versions involved.")


Decision = Literal["chosen", "refused", "costlier", "not_asked"]
"""chosen; refused (a ``Refusal`` applies); costlier than the node layout (deployment: auto);
not_asked (deployment: nodes, shown for comparison)."""


class ServerlessOption(BaseModel):
    """ElastiCache Serverless for one cluster: its metered use, its monthly cost and the decision."""

    model_config = ConfigDict(frozen=True)

    engine: str
    region: str = Field(description="The primary region, whose price applies.")
    major_engine_version: str
    data_stored_bytes_today: int
    data_stored_bytes: int = Field(description="At the horizon.")
    billed_data_stored_gb: float
    average_ops_per_sec: int
    ecpu_per_command: float
    ecpu_per_command_stated: bool = Field(description="The stack states ecpu_per_command (else 1 per KB, at least 1).")
    average_stated: bool = Field(description="The stack states avg_ops_per_sec (else the peak is billed).")
    average_ecpu_per_sec: float
    peak_ecpu_per_sec: float
    data_stored_monthly_usd: float | None
    ecpu_monthly_usd: float | None
    monthly_usd: float | None = Field(description="None where the catalog has no price for the region.")
    data_storage_limit_gb: int = Field(description="CacheUsageLimits DataStorage maximum to deploy with.")
    ecpu_per_second_limit: int = Field(description="CacheUsageLimits ECPUPerSecond maximum to deploy with.")
    alarm_data_stored_bytes: int = Field(description="BytesUsedForCache alarm: 75% of the data limit.")
    alarm_ecpu_per_second: int = Field(description="ElastiCacheProcessingUnits alarm, per second: 75% of the limit.")
    refusals: tuple[Refusal, ...] = ()
    decision: Decision = "refused"
    compared_monthly_usd: float | None = Field(default=None, description="The node layout's monthly cost it was "
                                                                         "compared with.")
    prices_as_of: str | None = None

    @property
    def allowed(self) -> bool:
        return not self.refusals


class ServerlessUnavailableError(SizingError):
    """A cluster asks for ``deployment: serverless`` that serverless cannot carry."""

    def __init__(self, cluster: str, option: ServerlessOption) -> None:
        self.cluster = cluster
        self.option = option
        # Worded by the render layer (sizing/render/serverless_text.py).
        super().__init__(f"cluster '{cluster}' asks for deployment: serverless, which it cannot use")


def serverless_option(cluster: Cluster, growth: float, dataset: DatasetModel | None = None) -> ServerlessOption:
    """Serverless for ``cluster`` sized at the horizon (``growth``: key-count multiplier), with
    every refusal that applies; the decision against nodes is ``decide``'s. ``dataset``: the
    cluster's model in cluster mode, where the caller has it already."""
    # Only the mode changes (not validated again): the keyspaces stay the objects whose
    # models the plan and its recommendations have built.
    dataset = dataset or planning_model(cluster.model_copy(update={"cluster_mode": "enabled"}))
    today, horizon = dataset.shard_bytes(1, 1.0), dataset.shard_bytes(1, growth)
    traffic = cluster.traffic
    stated_ecpu = traffic.ecpu_per_command
    ecpu = stated_ecpu if stated_ecpu is not None else max(
        1.0, (traffic.avg_request_bytes + traffic.avg_response_bytes) / BYTES_PER_ECPU)
    average_ecpu, peak_ecpu = traffic.average_ops_per_sec * ecpu, traffic.peak_ops_per_sec * ecpu
    region = cluster.regions[0]
    price = serverless_prices().get((region, cluster.engine))
    data_gb = horizon / GB
    billed = max(data_gb, price.minimum_data_stored_gb) if price else data_gb
    data_monthly = ecpu_monthly = monthly = None
    if price is not None:
        data_monthly = round(billed * price.data_stored_usd_per_gb_hour * HOURS_PER_MONTH, 2)
        ecpu_monthly = round(average_ecpu * SECONDS_PER_MONTH / 1e6 * price.ecpu_usd_per_million, 2)
        monthly = round(data_monthly + ecpu_monthly, 2)
    data_limit = min(MAX_DATA_STORED_GB, max(MIN_DATA_STORAGE_LIMIT_GB, math.ceil(data_gb * USAGE_LIMIT_FACTOR)))
    ecpu_limit = min(MAX_ECPU_PER_SECOND, max(MIN_ECPU_PER_SECOND_LIMIT, math.ceil(peak_ecpu * USAGE_LIMIT_FACTOR)))
    major = cluster.version.split(".")[0]
    return ServerlessOption(
        engine=cluster.engine, region=region, major_engine_version=major,
        data_stored_bytes_today=round(today), data_stored_bytes=round(horizon), billed_data_stored_gb=round(billed, 3),
        average_ops_per_sec=traffic.average_ops_per_sec, ecpu_per_command=round(ecpu, 3),
        ecpu_per_command_stated=stated_ecpu is not None, average_stated=traffic.avg_ops_per_sec is not None,
        average_ecpu_per_sec=round(average_ecpu, 1), peak_ecpu_per_sec=round(peak_ecpu, 1),
        data_stored_monthly_usd=data_monthly, ecpu_monthly_usd=ecpu_monthly, monthly_usd=monthly,
        data_storage_limit_gb=data_limit, ecpu_per_second_limit=ecpu_limit,
        alarm_data_stored_bytes=round(data_limit * GB * USAGE_LIMIT_ALARM_PERCENT / 100),
        alarm_ecpu_per_second=round(ecpu_limit * USAGE_LIMIT_ALARM_PERCENT / 100),
        refusals=_refusals(cluster, major, data_gb, peak_ecpu, monthly),
        prices_as_of=price.as_of if price else None,
    )


def _refusals(cluster: Cluster, major: str, data_gb: float, peak_ecpu: float,
              monthly: float | None) -> tuple[Refusal, ...]:
    found: list[Refusal] = []
    if len(cluster.regions) > 1:
        found.append(Refusal(obstacle=Obstacle.global_datastore, names=tuple(cluster.regions)))
    fixed = tuple(f"{name}: {value}" for name, value in
                  cluster.parameters.model_dump(by_alias=True, exclude_none=True).items()
                  if name not in NODE_ONLY_PARAMETERS
                  and not (name == "maxmemory-policy" and value == SERVERLESS_EVICTION_POLICY))
    if fixed:
        found.append(Refusal(obstacle=Obstacle.fixed_parameter, names=fixed))
    if cluster.cluster_mode == "disabled":
        found.append(Refusal(obstacle=Obstacle.cluster_mode_disabled))
    if major not in MAJOR_VERSIONS[cluster.engine]:
        found.append(Refusal(obstacle=Obstacle.engine_version, names=(cluster.version, *MAJOR_VERSIONS[cluster.engine])))
    if data_gb > MAX_DATA_STORED_GB:
        found.append(Refusal(obstacle=Obstacle.data_limit, needed=round(data_gb, 1), limit=MAX_DATA_STORED_GB))
    if peak_ecpu > MAX_ECPU_PER_SECOND:
        found.append(Refusal(obstacle=Obstacle.ecpu_limit, needed=round(peak_ecpu), limit=MAX_ECPU_PER_SECOND))
    if monthly is None:
        found.append(Refusal(obstacle=Obstacle.unpriced, names=(cluster.regions[0], cluster.engine)))
    budget = cluster.nodes.monthly_budget_usd
    if monthly is not None and budget is not None and monthly > budget:
        found.append(Refusal(obstacle=Obstacle.budget, needed=monthly, limit=budget))
    return tuple(found)


def decide(cluster: Cluster, option: ServerlessOption, nodes_monthly_usd: float | None) -> ServerlessOption:
    """The option with the decision against the cheapest node layout (None: no layout fits).

    ``auto`` chooses serverless only when it is allowed and strictly cheaper; ``serverless``
    requires it to be allowed; ``nodes`` shows it for comparison.
    """
    compared = {"compared_monthly_usd": nodes_monthly_usd}
    if cluster.deployment == "nodes":
        return option.model_copy(update={**compared, "decision": "not_asked"})
    if not option.allowed:
        if cluster.deployment == "serverless":
            raise ServerlessUnavailableError(cluster.name, option)
        return option.model_copy(update={**compared, "decision": "refused"})
    cheaper = nodes_monthly_usd is None or (option.monthly_usd or 0.0) < nodes_monthly_usd
    chosen = cluster.deployment == "serverless" or cheaper
    return option.model_copy(update={**compared, "decision": "chosen" if chosen else "costlier"})


def weigh(cluster: Cluster, growth: float, nodes_monthly_usd: float | None,
          dataset: DatasetModel | None = None) -> ServerlessOption:
    """Serverless for ``cluster``, decided against the cheapest node layout's monthly cost."""
    return decide(cluster, serverless_option(cluster, growth, dataset), nodes_monthly_usd)


def on_newest_valkey(cluster: Cluster, growth: float) -> ServerlessOption | None:
    """For a Redis OSS cluster: the same data on serverless Valkey, newest version (its memory
    model and its serverless price); None for a Valkey cluster."""
    if cluster.engine != "redis":
        return None
    return serverless_option(same_data_variant(cluster, engine="valkey", engine_version=None), growth)
