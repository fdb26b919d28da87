"""``run_preview`` itself: the same input lists the same resources in the same order, and a run
leaves no event loop or thread behind.

The monitor receives registrations from a thread pool, so their arrival order changes from
run to run; ``run_preview`` lists them in the order the program constructed them. Each pool
thread also gets an event loop from the mock monitor, and a loop left open until interpreter
exit is what printed ``Exception ignored ... ValueError: Invalid file descriptor: -1`` after
some ``python -m sizing preview`` runs.
"""

from __future__ import annotations

import asyncio
import gc
import threading
from functools import cache

from sizing import load_workload
from sizing.planning.plan import ClusterPlan, plan_workload
from sizing_infra import DeploymentOptions
from sizing_infra.preview import run_preview
from tests.conftest import ROOT


@cache
def social_plans() -> tuple[ClusterPlan, ...]:
    return tuple(plan_workload(load_workload(ROOT / "stacks/social.yaml")))


def test_same_input_same_order() -> None:
    runs = [[(r.type, r.urn) for r in run_preview(list(social_plans()), DeploymentOptions()).resources]
            for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]


def test_order_is_the_programs() -> None:
    resources = run_preview(list(social_plans()), DeploymentOptions()).resources
    names = [r.name for r in resources]
    clusters = [r.name for r in resources if r.type == "elasticache-sizing:index:CacheCluster"]
    assert clusters == [plan.name for plan in social_plans()]  # provision() walks the plans in order
    assert names[:2] == ["aws-us-east-1", "cache-alarms-us-east-1"]  # providers and topics come first
    for cluster in clusters:
        # CacheCluster creates its parameter group, then the token, the logs, the group, the alarms.
        steps = [f"{cluster}-parameters", f"{cluster}-auth-token", f"{cluster}-replication-group", f"{cluster}-alarms"]
        assert [names.index(step) for step in steps] == sorted(names.index(step) for step in steps), cluster


def test_no_event_loop_or_thread_outlives_a_run() -> None:
    # With the collector off, a loop nobody closed stays open (its self-pipe handle keeps it in
    # a reference cycle); a collection would close it in __del__, which is the exit-time race.
    gc.disable()
    try:
        before_loops = {id(o) for o in gc.get_objects() if isinstance(o, asyncio.AbstractEventLoop)}
        before_threads = set(threading.enumerate())
        run_preview(list(social_plans())[:1], DeploymentOptions())
        left_open = [o for o in gc.get_objects()
                     if isinstance(o, asyncio.AbstractEventLoop) and id(o) not in before_loops and not o.is_closed()]
        assert left_open == []
        assert [t.name for t in set(threading.enumerate()) - before_threads] == []
    finally:
        gc.enable()


def test_registrations_record_what_a_provider_reads() -> None:
    result = run_preview(list(social_plans())[:1], DeploymentOptions())
    group = result.named("sessions-replication-group")
    parameters = result.named("sessions-parameters")
    assert group.property_dependencies["parameterGroupName"] == (parameters.urn,)
    assert group.inputs["parameterGroupName"] == parameters.outputs["name"]
    assert group.property_dependencies["engine"] == ()
    alarms = result.named("sessions-alarms")
    assert alarms.depends_on == (group.urn,)  # CacheAlarms waits for the group it watches
    assert group.id == "sessions-replication-group-id" and result.by_urn(group.urn) is group
