"""Stack files: valid ones load; malformed ones give one line with file:line and field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from sizing import WorkloadSpecError, load_workload, parse_workload
from tests.conftest import ROOT

GOOD = """\
clusters:
  - name: sessions
    engine: valkey
    engine_version: "8.0"
    keyspaces:
      - {name: session, type: string, keys: 50_000_000, key_bytes: 32, value_bytes: 500, ttl: true}
      - {name: profile, type: hash, keys: 10, key_bytes: 20, fields: 15, field_bytes: 12, value_bytes: 25}
"""


def test_example_stacks_load() -> None:
    for path in sorted((ROOT / "stacks").glob("*.yaml")):
        assert load_workload(path).clusters, path


def test_defaults_and_underscored_numbers() -> None:
    cluster = parse_workload(GOOD, "x.yaml").clusters[0]
    assert cluster.keyspaces[0].keys == 50_000_000
    assert cluster.cluster_mode == "auto" and not cluster.cluster_mode_enabled
    assert parse_workload(GOOD.replace('    engine_version: "8.0"\n', ""), "x").clusters[0].version == "9.1"


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        (GOOD.replace("fields: 15", "fields: 0"), 7, "clusters[0].keyspaces[1].fields", "must be >= 1"),
        (GOOD.replace("keys: 10,", "keys: -5,"), 7, "clusters[0].keyspaces[1].keys", "must be >= 1"),
        (GOOD.replace("key_bytes: 32, ", ""), 6, "clusters[0].keyspaces[0].key_bytes", "required field is missing"),
        (GOOD.replace("keys: 10,", "keys: ten,"), 7, "clusters[0].keyspaces[1].keys", "must be a whole number"),
        (GOOD.replace("ttl: true", "ttl: true, colour: red"), 6, "clusters[0].keyspaces[0].colour", "unknown field"),
        (GOOD.replace('"8.0"', '"9.9"'), 4, "clusters[0].engine_version", "valkey 9.9 is not supported"),
        (GOOD.replace('"8.0"', "8.0"), 4, "clusters[0].engine_version", "must be a string"),
        (GOOD.replace("engine: valkey", "engine: memcached"), 3, "clusters[0].engine", "must be one of"),
        (GOOD.replace("type: hash", "type: stream"), 7, "clusters[0].keyspaces[1].type", "type must be one of"),
        (GOOD.replace("name: profile", "name: session"), 7, "clusters[0].keyspaces[1].name", "duplicate keyspace"),
        (GOOD.replace("name: sessions", "name: Sessions"), 2, "clusters[0].name", "must match"),
        (GOOD + "    colour: red\n", 8, "clusters[0].colour", "unknown field"),
        (GOOD.replace("value_bytes: 25}", "value_bytes: 25, numeric: true}").replace("value_bytes: 25,", "value_bytes: 25,"),
         7, "clusters[0].keyspaces[1].value_bytes", "at most 18 digits"),
        (GOOD + "    regions: [us-east-1, mars-north-1]\n", 8, "clusters[0].regions[1]", "unknown region"),
        (GOOD + "    regions: [us-east-1, us-east-1]\n", 8, "clusters[0].regions[1]", "duplicate region"),
        (GOOD + "    availability: {replicas_per_shard: 0}\n", 8, "clusters[0].availability.multi_az", "at least one replica"),
        (GOOD + "    availability: {replicas_per_shard: 6}\n", 8, "clusters[0].availability.replicas_per_shard", "must be <= 5"),
        (GOOD + "    availability: {min_shards: 9, max_shards: 3}\n", 8, "clusters[0].availability.min_shards", "must be <= max_shards"),
        (GOOD + "    nodes: {families: [r7g, x9z]}\n", 8, "clusters[0].nodes.families[1]", "unknown family"),
        (GOOD + "    traffic: {read_ratio: 1.5}\n", 8, "clusters[0].traffic.read_ratio", "must be <= 1"),
    ],
    ids=["zero-fields", "negative-keys", "missing-field", "wrong-type", "unknown-key", "unsupported-version",
         "unquoted-version", "unknown-engine", "unknown-type", "duplicate-keyspace", "bad-cluster-name",
         "unknown-cluster-key", "too-many-digits", "unknown-region", "duplicate-region", "multi-az-no-replica",
         "too-many-replicas", "shards-inverted", "unknown-family", "read-ratio"],
)
def test_bad_input_is_located(text: str, line: int, field: str, message: str) -> None:
    with pytest.raises(WorkloadSpecError) as caught:
        parse_workload(text, "stacks/prod.yaml")
    error = caught.value
    assert (error.file, error.line, error.field) == ("stacks/prod.yaml", line, field)
    assert message in error.message
    assert str(error).startswith(f"stacks/prod.yaml:{line}: {field}: ")


def test_invalid_yaml_names_the_line() -> None:
    with pytest.raises(WorkloadSpecError, match=r"^p.yaml:4: invalid YAML"):
        parse_workload("clusters:\n  - name: a\n    keyspaces: [1, 2\n    other: 3\n", "p.yaml")


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "clusters: []\n"], ids=["empty", "list", "no-clusters"])
def test_wrong_shape_documents(text: str) -> None:
    with pytest.raises(WorkloadSpecError, match=r"^s.yaml:1: "):
        parse_workload(text, "s.yaml")


def test_cli_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("fields: 15", "fields: 0"))
    done = subprocess.run([sys.executable, "-m", "sizing", "estimate", str(bad)], check=False, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [f"error: {bad}:7: clusters[0].keyspaces[1].fields: must be >= 1, got 0"]


def test_missing_file_exits_2(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "sizing", "estimate", str(tmp_path / "nope.yaml")],
                          check=False, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and "cannot read file" in done.stderr


@pytest.mark.parametrize(("change", "message"), [
    ({"engine_version": "9.9"}, "valkey 9.9 is not supported"),
    ({"cluster_mode": "sideways"}, "cluster_mode"),
])
def test_variants_are_validated_like_the_file(change: dict[str, str], message: str) -> None:
    cluster = parse_workload(GOOD, "x").clusters[0]
    with pytest.raises(ValidationError, match=message):
        cluster.variant(**change)
    assert cluster.variant(engine_version="8.0").version == "8.0"


@pytest.mark.parametrize(("engine", "version", "parameter", "family"), [
    ("valkey", "8.1", "set-max-listpack-entries", "valkey8"),  # not a parameter ElastiCache documents
    ("valkey", "9.1", "set-max-listpack-value", "valkey9"),
    ("redis", "7.0", "list-max-listpack-size", "redis7"),
    ("redis", "6.2", "set-max-listpack-value", "redis6.x"),  # 6.2 has no set listpacks at all
])
def test_a_parameter_the_group_cannot_set_is_refused_at_its_line(engine: str, version: str, parameter: str,
                                                                  family: str) -> None:
    text = (f"clusters:\n  - name: c\n    engine: {engine}\n    engine_version: \"{version}\"\n    parameters:\n"
            f"      {parameter}: 256\n    keyspaces:\n"
            "      - {name: k, type: set, keys: 1000, key_bytes: 10, members: 100, member_bytes: 10}\n")
    with pytest.raises(WorkloadSpecError) as error:
        parse_workload(text, "stacks/x.yaml")
    assert str(error.value).startswith(f"stacks/x.yaml:6: clusters[0].parameters.{parameter}: ElastiCache does not "
                                       f"let a {family} parameter group ({engine} {version}) set {parameter}")


def test_every_deployable_override_reaches_the_parameter_group() -> None:
    from sizing.catalog.nodes import load_catalog
    from sizing.memory.engines import engine_profile
    from sizing.planning.parameter_group import deployable_parameters, deployed_name, parameter_group
    from sizing.spec.parameters import EngineParameters

    node = load_catalog().node_types[0]
    values = {"maxmemory-policy": "allkeys-lfu", "reserved-memory-percent": 30, "acl-pubsub-default": "allchannels"}
    for engine, version in (("redis", "6.2"), ("redis", "7.1"), ("valkey", "7.2"), ("valkey", "8.1"), ("valkey", "9.1")):
        profile = engine_profile(engine, version)
        names = deployable_parameters(profile)
        assert "hash-max-listpack-entries" in names and "set-max-intset-entries" in names
        text = (f"clusters:\n  - name: c\n    engine: {engine}\n    engine_version: \"{version}\"\n    parameters:\n"
                + "".join(f"      {name}: {values.get(name, 100)}\n" for name in sorted(names))
                + "    keyspaces:\n      - {name: k, type: string, keys: 10, key_bytes: 10, value_bytes: 10}\n")
        cluster = parse_workload(text, "x").clusters[0]
        group = parameter_group(cluster, profile, node, 25, False)
        fields = {info.alias: field for field, info in EngineParameters.model_fields.items()}
        for name in names:
            assert deployed_name(fields[name], profile) in group, (engine, version, name)


@pytest.mark.parametrize(("engine", "version", "family"), [
    ("redis", "6.2", "redis6.x"), ("redis", "7.1", "redis7"), ("valkey", "7.2", "valkey7"),
    ("valkey", "8.0", "valkey8"), ("valkey", "8.2", "valkey8"), ("valkey", "9.0", "valkey9"), ("valkey", "9.1", "valkey9"),
])
def test_each_version_has_its_parameter_family(engine: str, version: str, family: str) -> None:
    """ElastiCache "Engine-specific parameters": valkey8 is Valkey 8.0-8.2, valkey9 is 9.0 and 9.1."""
    from sizing.memory.engines import engine_profile
    from sizing.planning.parameter_group import parameter_family

    assert parameter_family(engine_profile(engine, version)) == family


def test_valkey9_family_is_pinned() -> None:
    """The catalog rows the valkey9 family adds (the reference tables, ParameterGroups.Valkey.9.0)."""
    from sizing.catalog.parameters import family_parameters

    valkey9, valkey8 = family_parameters("valkey9"), family_parameters("valkey8")
    assert set(valkey9) - set(valkey8) == {"cluster-databases"}
    assert valkey9["cluster-databases"].allowed == "1 to 10,000" and not valkey9["cluster-databases"].modifiable
    assert valkey9["maxmemory-policy"].modifiable and valkey9["hash-max-listpack-entries"].default == "512"


_ONE_KEYSPACE = """clusters:
  - name: a
    keyspaces:
      - name: s
        type: string
        keys: 1000
        key_bytes: 10
        value_bytes: 100
"""


@pytest.mark.parametrize(("text", "line", "says"), [
    ("clusters:\n  - name: a\nclusters:\n  - name: b\n", 3, "duplicate key 'clusters' (first on line 1)"),
    (_ONE_KEYSPACE.replace("key_bytes: 10", "key_bytes: 10\n        keys: 7"), 8, "duplicate key 'keys' (first on line 6)"),
    (_ONE_KEYSPACE.replace("key_bytes: 10", "key_bytes: 10\n        1: 7\n        true: 8"), 9,
     "key 'true' reads as the same key as '1' (line 8)"),
    (_ONE_KEYSPACE.replace("key_bytes: 10", "key_bytes: 020"), 7, "'020' is ambiguous: YAML 1.1 reads a leading 0 as octal (16)"),
    (_ONE_KEYSPACE.replace("key_bytes: 10", "key_bytes: 1:30"), 7, "'1:30' is ambiguous: YAML 1.1 reads it as base 60 (90)"),
])
def test_yaml_that_would_be_misread_is_refused_at_its_line(text: str, line: int, says: str) -> None:
    with pytest.raises(WorkloadSpecError) as caught:
        parse_workload(text, "stacks/x.yaml")
    shown = str(caught.value).splitlines()
    assert len(shown) == 1 and shown[0].startswith(f"stacks/x.yaml:{line}: ") and says in shown[0], shown


def test_underscored_and_quoted_numbers_read_as_written() -> None:
    workload = parse_workload(_ONE_KEYSPACE.replace("keys: 1000", "keys: 1_000").replace("name: s", "name: '020'"),
                              "stacks/x.yaml")
    assert workload.clusters[0].keyspaces[0].keys == 1000 and workload.clusters[0].keyspaces[0].name == "020"


def test_a_config_file_with_a_repeated_key_is_refused_in_one_line() -> None:
    from sizing.errors import ConfigError
    from sizing.spec.deployment import stack_config_from_file

    text = "config:\n  aws:region: eu-west-1\n  elasticache-sizing:protect: true\n  aws:region: us-east-1\n"
    with pytest.raises(ConfigError) as caught:
        stack_config_from_file(text, "Pulumi.prod.yaml")
    assert str(caught.value) == ("Pulumi.prod.yaml:4: not valid YAML: duplicate key 'aws:region' (first on line 2): "
                                 "a second one would replace it")


def test_a_misspelt_config_namespace_is_refused() -> None:
    from sizing.errors import ConfigError
    from sizing.spec.deployment import stack_config_from_file

    text = "config:\n  aws:region: eu-west-1\n  elasticache-sizig:networks: {}\n"
    with pytest.raises(ConfigError, match=r"^Pulumi.prod.yaml:3: config.elasticache-sizig:networks: unknown namespace "
                                          r"'elasticache-sizig'; did you mean 'elasticache-sizing'\?"):
        stack_config_from_file(text, "Pulumi.prod.yaml")
    assert stack_config_from_file("config:\n  aws:region: eu-west-1\n  pulumi:tags: {}\n", "P.yaml").aws_region == "eu-west-1"


@pytest.mark.parametrize(("content", "says"), [
    (b"clusters:\n  - name: caf\xe9\n", "stacks/x.yaml:2: not UTF-8 text: byte 0xe9 cannot be read; save the file as UTF-8"),
    (b"clusters:\n  - name: a\x00\n", "stacks/x.yaml:2: invalid YAML: character #x0000 is not allowed in YAML text"),
    (_ONE_KEYSPACE.replace("keys: 1000", "keys: 1" + "0" * 400).encode(),
     ("stacks/x.yaml:6: clusters[0].keyspaces[0].keys: must be <= 10000000000000, got 1000000000000000000000000000... "
     "(401 characters)")),
    (_ONE_KEYSPACE.replace("    keyspaces:", "    parameters: {reserved-memory-percent: 100}\n    keyspaces:").encode(),
     "stacks/x.yaml:3: clusters[0].parameters.reserved-memory-percent: must be < 100, got 100"),
    (("a: &a [" + ", ".join(["x"] * 10) + "]\n" + "".join(
        f"{n}: &{n} [" + ", ".join([f"*{p}"] * 10) + "]\n" for p, n in zip("abcdef", "bcdefg")) + "clusters: *g\n").encode(),
     "stacks/x.yaml:1: the file expands to more than 1,000,000 values through YAML aliases"),
])
def test_hostile_files_get_one_line_and_no_traceback(tmp_path: Path, content: bytes, says: str) -> None:
    (tmp_path / "stacks").mkdir()
    path = tmp_path / "stacks" / "x.yaml"
    path.write_bytes(content)
    with pytest.raises(WorkloadSpecError) as caught:
        load_workload(path)
    assert str(caught.value).replace(str(tmp_path) + "/", "") == says


def test_an_endless_file_is_not_read_to_its_end() -> None:
    with pytest.raises(WorkloadSpecError, match=r"^/dev/zero: a character device, not a stack file$"):
        load_workload("/dev/zero")


def test_a_misspelt_field_is_named_at_its_own_line_with_what_it_meant() -> None:
    text = _ONE_KEYSPACE.replace("value_bytes: 100", "valu_bytes: 100")
    with pytest.raises(WorkloadSpecError) as caught:
        parse_workload(text, "stacks/x.yaml")
    assert str(caught.value) == ("stacks/x.yaml:8: clusters[0].keyspaces[0].valu_bytes: unknown field; "
                                 "did you mean 'value_bytes'?")


def test_a_long_cluster_name_says_why_37() -> None:
    with pytest.raises(WorkloadSpecError) as caught:
        parse_workload(_ONE_KEYSPACE.replace("name: a", "name: " + "a" * 39), "stacks/x.yaml")
    assert str(caught.value) == ("stacks/x.yaml:2: clusters[0].name: must be at most 37 characters: ElastiCache "
                                 "allows 40, and a Global Datastore's secondaries add '-r1' and '-r2'; got 39")


@pytest.mark.parametrize(("content", "says"), [
    (b"config:\n  aws:region: caf\xe9\n", "P.yaml:2: not UTF-8 text: byte 0xe9 cannot be read; save the file as UTF-8"),
    (b"just a string\n", "P.yaml: expected a mapping with a 'config' section, got str"),
    (b"- a\n- b\n", "P.yaml: expected a mapping with a 'config' section, got list"),
    (b"config: [1, 2]\n", "P.yaml: config: expected a mapping of 'namespace:key' names to values"),
    (b"config:\n  1: 2\n", "P.yaml: config: expected a mapping of 'namespace:key' names to values"),
])
def test_odd_config_files_get_one_line(tmp_path: Path, content: bytes, says: str) -> None:
    from sizing.errors import ConfigError
    from sizing.spec.deployment import stack_config_from_path

    (tmp_path / "P.yaml").write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        stack_config_from_path(tmp_path / "P.yaml")
    assert str(caught.value).replace(f"{tmp_path}/", "") == says


def test_an_unreadable_config_file_gets_one_line(tmp_path: Path) -> None:
    from sizing.errors import ConfigError
    from sizing.spec.deployment import stack_config_from_path

    with pytest.raises(ConfigError, match=r"P.yaml: a directory, not a stack config file$"):
        (tmp_path / "P.yaml").mkdir()
        stack_config_from_path(tmp_path / "P.yaml")


def test_a_non_utf8_file_in_git_gets_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sizing.review.revisions import RevisionError, load_side_config

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "Pulumi.prod.yaml").write_bytes(b"config:\n  aws:region: caf\xe9\n")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "c")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RevisionError, match=r"^git HEAD:Pulumi.prod.yaml: line 2: not UTF-8 text; save the file as UTF-8$"):
        load_side_config("HEAD", "prod")
