"""Mutated stack and config files, and server URLs: either they are valid, or they get exit
status 2 and one line per error, each naming the file; never a traceback, never a secret.

The mutations start from the example stacks and configs: lines deleted, duplicated, swapped
or re-indented, keys renamed, values replaced by wrong types, huge numbers, odd unicode,
YAML tags, anchors and aliases, bytes that are not UTF-8, NULs, truncation. The loaders run
in-process on every example; a bounded few go through the CLI. Runs are derandomized (the
same examples every time) and bounded, so CI is deterministic and fast; inputs that once
failed are kept below as ordinary cases.
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sizing import WorkloadSpecError
from sizing.cli import main
from sizing.errors import ConfigError, ServerError
from sizing.live.endpoint import parse_endpoint
from sizing.spec.deployment import stack_config_from_file
from sizing.spec.messages import MAX_REPORTED_ERRORS
from sizing.workloads import load_workload
from tests.conftest import ROOT

SECRET = "Zq9-hunter2-S3cr3t"
"""A password seeded into configs and URLs: it must never appear in any output."""
STACKS = {path.name: path.read_bytes() for path in sorted((ROOT / "stacks").glob("*.yaml"))}
CONFIGS = {path.name: path.read_bytes() + (
    f"  aws:secretAccessKey:\n    secure: {SECRET}\n  elasticache-sizing:authTokn:\n    secure: {SECRET}\n"
    f"  other-program:token: {SECRET}\n").encode() for path in sorted(ROOT.glob("Pulumi.*.yaml"))}

HOSTILE_VALUES = [
    "0", "-1", "1.5", "1e400", "-1e400", "1" + "0" * 400, "0x10", "0o17", "017", "1:30", "1_000", ".inf", ".nan",
    "~", "null", "true", "no", "[]", "{}", "[1, [2, [3]]]", "{a: 1}", "''", '"\\0"', "'\u202e\u200b'", "\U0001f600",
    "é\u0301", "\ufeff", "&a 5", "*a", "*nowhere", "!!binary aGVsbG8=", "!!python/object/apply:os.system [ls]",
    "!!set {a}", "!!timestamp 2001-12-14", "2001-12-14", "!!float 1", "!!str 5", "!custom 5", "!!timestamp soon",
    "!!int abc", "!!bool maybe", "!!set 5", "!!map [1]", "!!omap [1]", "!!float",
    '"' + "a" * 3000 + '"', "|\n  text", ">-", "? complex", "- item", "@at", "`tick", "%percent", "\t5", "\\x00",
]
ODD_CHARACTERS = ["\x00", "\x1b", "\t", "\r", "\u2028", "\ufeff", "\u00a0", "\u0085", "\U0001f600", "\ud7ff",
                  "&", "*", "!", "%", "@", "`", "|", ">", "#", "'", '"', "{", "}", "[", "]", ",", ":", "-", "?"]
NOT_UTF8 = [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80\x80", b"\xf5\x80\x80\x80"]
PAIR = re.compile(r"([A-Za-z_][\w:-]*): ([^,{}\[\]\n]*)")


@st.composite
def mutated(draw: st.DrawFn, sources: dict[str, bytes]) -> bytes:
    """One of ``sources``, changed one to four times."""
    text = sources[draw(st.sampled_from(sorted(sources)))].decode()
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "indent", "value", "rename", "insert",
                                     "character", "truncate", "alias"]))
        at = draw(st.integers(0, len(lines) - 1))
        line = lines[at]
        if kind == "delete":
            del lines[at]
        elif kind == "duplicate":
            lines.insert(at, line)
        elif kind == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
        elif kind == "indent":
            lines[at] = draw(st.sampled_from(["", " ", "   ", "\t", "        "])) + line.lstrip(" ")
        elif kind in ("value", "rename") and PAIR.search(line):
            pair = draw(st.sampled_from(list(PAIR.finditer(line))))
            if kind == "value":
                secret = ["{secure: " + SECRET + "}"] if SECRET in text else []  # a config's own secret, moved
                value = draw(st.sampled_from(HOSTILE_VALUES + secret) | st.integers(-10**30, 10**30).map(str)
                             | st.text(max_size=12).map(repr))
                lines[at] = line[:pair.start(2)] + value + line[pair.end(2):]
            else:
                key = pair.group(1)
                position = draw(st.integers(0, len(key) - 1))
                renamed = draw(st.sampled_from([key[:position] + key[position + 1:], key + "s", key.upper(),
                                                key[:position] + "_" + key[position:], "clusters", "name"]))
                lines[at] = line[:pair.start(1)] + renamed + line[pair.end(1):]
        elif kind == "insert":
            indent = line[:len(line) - len(line.lstrip(" "))]
            lines.insert(at, indent + draw(st.sampled_from([
                "x: &a [*a]", "<<: *a", "a: &a {b: 1}", "keys: 5", "clusters: []", "---", "...", "- 1",
                "name: " + "n" * 50, "unknown_field: 1", "? [a]: b", "!!map {a: 1}", "%YAML 1.1",
            ])) + "\n")
        elif kind == "character":
            position = draw(st.integers(0, len(line)))
            lines[at] = line[:position] + draw(st.sampled_from(ODD_CHARACTERS)) + line[position:]
        elif kind == "truncate":
            lines[at] = line[:draw(st.integers(0, len(line)))]
            del lines[at + 1:]
        elif kind == "alias" and PAIR.search(line):
            pair = draw(st.sampled_from(list(PAIR.finditer(line))))
            lines[at] = line[:pair.start(2)] + "&fuzz " + line[pair.start(2):]
            later = draw(st.integers(at, len(lines) - 1))
            if PAIR.search(lines[later]):
                target = draw(st.sampled_from(list(PAIR.finditer(lines[later]))))
                lines[later] = lines[later][:target.start(2)] + "*fuzz" + lines[later][target.end(2):]
    raw = "".join(lines).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 9)) == 0:  # now and then, a byte that is not UTF-8
        position = draw(st.integers(0, len(raw)))
        raw = raw[:position] + draw(st.sampled_from(NOT_UTF8)) + raw[position:]
    return raw


FOLDER = Path(tempfile.mkdtemp(prefix="sizing-fuzz-"))
"""Where mutated files are written: the loaders read files, as the commands do."""
atexit.register(shutil.rmtree, FOLDER, True)


def _written(name: str, raw: bytes) -> Path:
    path = FOLDER / name
    path.write_bytes(raw)
    return path


def _check_lines(text: str, file: str) -> None:
    lines = text.splitlines()
    assert 1 <= len(lines) <= MAX_REPORTED_ERRORS + 1, text
    for line in lines:
        assert line.startswith((f"{file}:", f"{file} ")), line
        assert "Traceback" not in line and SECRET not in line, line


def check_stack(raw: bytes) -> None:
    path = _written("stack.yaml", raw)
    try:
        workload = load_workload(path)
    except WorkloadSpecError as error:
        _check_lines(str(error), str(path))
        assert error.file == str(path)
    else:
        assert workload.clusters


def check_config(raw: bytes) -> None:
    try:
        config = stack_config_from_file(raw, "Pulumi.fuzz.yaml")
    except ConfigError as error:
        _check_lines(str(error), "Pulumi.fuzz.yaml")
    else:
        assert SECRET not in repr(config)


FUZZ = settings(max_examples=400, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])


@FUZZ
@given(mutated(STACKS))
def test_mutated_stack_files_are_valid_or_refused_line_by_line(raw: bytes) -> None:
    check_stack(raw)


@FUZZ
@given(mutated(CONFIGS))
def test_mutated_config_files_are_valid_or_refused_line_by_line(raw: bytes) -> None:
    check_config(raw)


PASSWORD_CHARACTERS = st.sampled_from(list("#/?@:%[]&=+ ~!$'\"\\") + ["%2F", "%zz", "%", "\x00", "é", "\U0001f600"])


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.lists(PASSWORD_CHARACTERS, max_size=4), st.sampled_from(["", ":", ":0", ":6379", ":65536", ":-1", ":x", ":6379x"]),
       st.sampled_from(["", "/", "/0", "/15", "/x", "/0/1", "?", "?ssl_cert_reqs=none", "?a=%zz", "#frag"]),
       st.sampled_from(["user", "", "us er", "u%40"]), st.sampled_from(["127.0.0.1", "[::1]", "[::1", "", "localhost"]))
def test_no_url_error_shows_its_password(extra: list[str], port: str, tail: str, user: str, host: str) -> None:
    password = SECRET + "".join(extra)
    url = f"redis://{user}:{password}@{host}{port}{tail}"
    try:
        endpoint = parse_endpoint(url)
    except ServerError as error:
        assert SECRET not in str(error) and "\n" not in str(error), str(error)
    else:
        assert SECRET not in endpoint.shown and SECRET not in repr(endpoint)


CLI_COMMANDS = st.sampled_from(["plan", "estimate", "plan --json", "estimate --json", "diff", "preview"])


@settings(max_examples=12, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(CLI_COMMANDS, mutated(STACKS), mutated(CONFIGS))
def test_the_commands_give_exit_2_and_one_line_per_error(command: str, stack: bytes, config: bytes) -> None:
    stack_path, config_path = _written("cli.yaml", stack), _written("Pulumi.cli.yaml", config)
    name, *options = command.split()
    args = {"diff": ["diff", "--base", str(ROOT / "stacks/social.yaml"), "--head", str(stack_path)],
            "preview": ["preview", str(stack_path), "--stack-config", str(config_path)]}.get(
        name, [name, str(stack_path), *options])
    code, out, err = run(args)
    assert code in (0, 2, 3), (code, err)
    assert SECRET not in out and SECRET not in err
    if code == 2:
        lines = err.splitlines()
        assert lines and all(line.startswith("error: ") for line in lines), err
        assert all(str(stack_path) in line or str(config_path) in line or "diff:" in line for line in lines), err


def run(args: list[str]) -> tuple[int, str, str]:
    """The CLI in-process, as ``python -m sizing`` runs it: (exit status, stdout, stderr)."""
    with CliRunner().isolation() as (out, err, _):
        try:
            main(args)
            code = 0
        except SystemExit as exited:
            code = int(exited.code or 0)
        return code, out.getvalue().decode(), err.getvalue().decode()


# Inputs the fuzzing (and the issue's sweep) found, kept as ordinary cases.
_ONE = (b"clusters:\n  - name: a\n    engine_version: \"8.0\"\n    keyspaces:\n"
        b"      - {name: k, type: string, keys: 1, key_bytes: 1, value_bytes: 1}\n")
STACK_REPRODUCERS: list[tuple[str, bytes, str]] = [
    ("echoed-value-is-shortened", _ONE.replace(b'"8.0"', b"a" * 3000),
     "engine_version: valkey aaaaaaaaaaaaaaaaaaaaaaaaaaaa... (3,000 characters) is not supported"),
    ("date-as-written", _ONE.replace(b'engine_version: "8.0"', b"engine: 2001-12-14"),
     "engine: must be one of 'valkey' or 'redis', got 2001-12-14"),
    ("list-expected", b"clusters: 5\n", "clusters: must be a list ([a, b] or lines starting with '- '), got 5"),
    ("tagged-timestamp", _ONE.replace(b"name: a", b"name: !!timestamp soon"),
     ":2: invalid YAML: 'soon' cannot be read as timestamp (remove the !! tag)"),
    ("tagged-bool", _ONE.replace(b"name: a", b"name: !!bool maybe"), ":2: invalid YAML: 'maybe' cannot be read as bool"),
    ("tagged-empty-float", b"name: !!float\n" + _ONE, ":1: invalid YAML: '' cannot be read as float"),
    ("tagged-set", _ONE.replace(b"name: a", b"name: !!set 5"), "invalid YAML: a value with an explicit tag"),
    ("recursive-alias", b"clusters: &a [*a]\n", "a YAML alias refers to a value that contains it"),
    ("recursive-mapping", b"a: &a {b: *a}\nclusters: [*a]\n", "a YAML alias refers to a value that contains it"),
    ("deep-nesting", b"clusters: " + b"[" * 40 + b"]" * 40 + b"\n", "nested more than 32 levels deep"),
    ("libyaml-depth", b"clusters: " + b"[" * 2000 + b"]" * 2000 + b"\n", "invalid YAML"),
]


@pytest.mark.parametrize(("raw", "says"), [pytest.param(raw, says, id=name) for name, raw, says in STACK_REPRODUCERS])
def test_stack_reproducers(raw: bytes, says: str) -> None:
    check_stack(raw)
    with pytest.raises(WorkloadSpecError, match=re.escape(says)):
        load_workload(_written("stack.yaml", raw))


CONFIG_REPRODUCERS: list[tuple[str, bytes, str]] = [
    ("secret-in-a-known-key", f"config:\n  elasticache-sizing:alarmEmail:\n    secure: {SECRET}\n".encode(),
     "elasticache-sizing:alarmEmail: a secret value"),
    ("secret-moved-into-networks", (f"config:\n  elasticache-sizing:networks:\n    eu-west-1: {{vpcId: vpc-0f, subnetIds: "
                                    f"[subnet-0f]}}\n    secure: {SECRET}\n").encode(),
     "Pulumi.fuzz.yaml:4: elasticache-sizing:networks.secure: a secret value"),
    ("nul-has-a-line", b"config:\n  aws:region: us-east-1\n  elasticache-sizing:port: 63\x0079\n",
     "Pulumi.fuzz.yaml:3: not valid YAML: character #x0000 is not allowed in YAML text"),
    ("duplicate-anchor", b"config:\n  a: &x 1\n  b: &x 2\n", "Pulumi.fuzz.yaml:3: not valid YAML: found duplicate anchor"),
]


@pytest.mark.parametrize(("raw", "says"), [pytest.param(raw, says, id=name) for name, raw, says in CONFIG_REPRODUCERS])
def test_config_reproducers(raw: bytes, says: str) -> None:
    check_config(raw)
    with pytest.raises(ConfigError, match=re.escape(says)):
        stack_config_from_file(raw, "Pulumi.fuzz.yaml")


CLI_REPRODUCERS: list[tuple[str, list[str], str]] = [
    ("url-without-scheme-separator", ["profile", "--url", f"redis:/u:{SECRET}@127.0.0.1:1"],
     "error: invalid --url: expected redis://[user:password@]host:port"),
    ("tls-option-on-plain-url", ["profile", "--url", f"redis://u:{SECRET}@127.0.0.1:1?ssl_cert_reqs=none"],
     "error: invalid URL redis://u@127.0.0.1:1: option 'ssl_cert_reqs' is not one a redis:// connection takes"),
    ("diff-head-missing", ["diff", "--base", str(ROOT / "stacks/social.yaml"), "--head", "missing.yaml"],
     "error: diff: --head missing.yaml: no such file"),
]


@pytest.mark.parametrize(("args", "says"), [pytest.param(args, says, id=name) for name, args, says in CLI_REPRODUCERS])
def test_cli_reproducers(args: list[str], says: str) -> None:
    code, out, err = run(args)
    assert (code, out) == (2, "")
    assert err.startswith(says) and len(err.splitlines()) == 1, err
    assert SECRET not in err
