"""The fast paths give what the full ones do (not timed: benchmarks/ prints the times).

- ``cheapest_option`` (the re-plans behind recommendations, node types skipped once they
  cannot be chosen) chooses what ``plan_cluster(..., advise=False)`` chooses;
- what ``diff`` compares of a plan made with ``detail=False`` is what it compares of the
  full plan;
- a memory model built after others (per-shape memos warm, variants sharing keyspaces)
  equals one built cold, to the bit.
"""

from __future__ import annotations

import pytest

from benchmarks.estimate_speed import workload as estimate_workload_of
from benchmarks.plan_speed import fleet
from sizing import load_workload
from sizing.errors import NoViableNodeError
from sizing.memory.dataset import DatasetModel
from sizing.memory.memo import clear_memos
from sizing.planning.estimate import dataset_model
from sizing.planning.models import planning_model
from sizing.planning.plan import cheapest_option, plan_cluster
from sizing.review.diff import PlanSummary
from sizing.spec.workload import StringKeyspace
from tests.conftest import ROOT

FLEET = fleet(16, seed=3).clusters
STACKS = [c for name in ("social", "checkout") for c in load_workload(ROOT / "stacks" / f"{name}.yaml").clusters]


@pytest.mark.parametrize("cluster", [*FLEET, *STACKS], ids=lambda c: c.name)
def test_cheapest_option_is_what_the_full_plan_chooses(cluster) -> None:  # type: ignore[no-untyped-def]
    try:
        full = plan_cluster(cluster, advise=False).chosen
    except NoViableNodeError:
        with pytest.raises(NoViableNodeError):
            cheapest_option(cluster)
        return
    assert cheapest_option(cluster) == full


@pytest.mark.parametrize("cluster", [*FLEET, *STACKS], ids=lambda c: c.name)
def test_a_plan_without_detail_deploys_what_the_full_plan_does(cluster) -> None:  # type: ignore[no-untyped-def]
    try:
        full = plan_cluster(cluster, advise=False)
    except NoViableNodeError as failure:
        with pytest.raises(NoViableNodeError) as caught:
            plan_cluster(cluster, advise=False, detail=False)
        assert caught.value.rejections == failure.rejections
        return
    brief = plan_cluster(cluster, advise=False, detail=False)
    assert PlanSummary.of(brief) == PlanSummary.of(full)
    assert brief.model_dump(exclude={"alternatives", "rejected", "layout_preference"}) == full.model_dump(
        exclude={"alternatives", "rejected", "layout_preference"})
    assert (brief.alternatives, brief.rejected, brief.layout_preference) == ((), (), None)


def test_a_budget_just_above_the_choice_is_still_honoured() -> None:
    cluster = STACKS[0]
    chosen = plan_cluster(cluster, advise=False).chosen
    tight = cluster.variant(nodes={**cluster.nodes.model_dump(exclude_unset=True),
                                   "monthly_budget_usd": chosen.monthly_usd * 1.001})
    assert cheapest_option(tight) == plan_cluster(tight, advise=False).chosen == chosen


def _figures(cluster, arrival: str = "commands") -> tuple[object, ...]:  # type: ignore[no-untyped-def]
    model = dataset_model(cluster, arrival=arrival)  # type: ignore[arg-type]
    return (model.per_key, model.largest_key, model.value_per_key, model.encoding_shares, model.key_bytes,
            model.key_survival, model.keyspace_bytes(3, 1.5), model.shard_bytes(1), model.shard_bytes(7, 1.2))


@pytest.mark.parametrize("arrival", ["commands", "restored"])
def test_a_warm_memory_model_equals_a_cold_one(arrival: str) -> None:
    clusters = [*estimate_workload_of(35, distributions=True).clusters, *FLEET[:6]]
    clusters += [c.variant(engine="redis", engine_version="7.0", cluster_mode="disabled") for c in clusters[:1]]
    warm = [_figures(c, arrival) for c in clusters]  # each after the others: memos shared
    for cluster, figures in zip(clusters, warm):
        clear_memos()
        assert _figures(cluster, arrival) == figures, cluster.name


def test_a_variant_that_keeps_keyspaces_is_priced_as_if_new() -> None:
    cluster = FLEET[1]
    kept = cluster.model_copy(update={"cluster_mode": "enabled"})
    warm = _figures(kept)
    clear_memos()
    assert _figures(cluster.variant(cluster_mode="enabled")) == warm


def _model_figures(model) -> tuple[object, ...]:  # type: ignore[no-untyped-def]
    return (model.per_key, model.largest_key, model.value_per_key, model.encoding_shares, model.encodings,
            model.key_bytes, model.key_survival, model.keyspace_bytes(3, 1.5), model.shard_bytes(1),
            model.shard_bytes(7, 1.2), model.spread_bytes(1.3))


@pytest.mark.parametrize("version", ["7.2", "8.0", "9.0"])
def test_a_model_taken_from_one_alike_equals_one_built_afresh(version: str) -> None:
    """A variant's model copies the figures of the keyspaces it shares with the latest model
    alike (``shared_model``), and their bytes at the shard counts that one has priced:
    changing a value size, a key count or a key length prices only that keyspace, and the
    tables and the radix tree's name statistics follow the keys and the names."""
    base = next(c for c in estimate_workload_of(12, distributions=True).clusters if len(c.keyspaces) > 3)
    base = base.variant(engine="valkey", engine_version=version, cluster_mode="enabled")
    limits = planning_model(base).limits
    first = base.keyspaces[1]
    strings = next(index for index, ks in enumerate(base.keyspaces) if isinstance(ks, StringKeyspace))
    last = len(base.keyspaces) - 1
    for index, changed in [(1, first.variant(keys=first.keys * 2 + 1)), (1, first.variant(key_bytes=97)),
                           (last, base.keyspaces[last].variant(name="renamed")),
                           (strings, base.keyspaces[strings].variant(value_bytes=3000))]:
        spaces = list(base.keyspaces)
        spaces[index] = changed
        variant = base.model_copy(update={"keyspaces": spaces})
        like = DatasetModel(base, limits)
        _model_figures(like)  # the shard counts a variant's figures can take from it
        taken = _model_figures(DatasetModel(variant, limits, like=like))
        clear_memos()
        assert taken == _model_figures(DatasetModel(variant, limits)), (version, index)
