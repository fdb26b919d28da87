"""Running the Terraform CLI offline against a local mirror of hashicorp/aws.

There is no registry access where the tests run, so ``terraform init`` installs the provider
from a filesystem mirror named in a CLI configuration file of our own (the machine's
``TF_CLI_CONFIG_FILE`` may point anywhere). The expensive parts run once per session: one
``init`` and one ``providers schema -json``. Configurations are then checked in directories
of their own that get a copy of the initialised ``.terraform`` (symbolic links into the
mirror) and of the lock file, so no check installs anything.

The mirror is found at run time, first match wins:

1. ``$SIZING_TERRAFORM_MIRROR``;
2. Terraform's implied mirror directories (CLI configuration docs, "Implied Local Mirror
   Directories"): ``~/.terraform.d/plugins``, ``~/.local/share/terraform/plugins``,
   ``/usr/local/share/terraform/plugins``, ``/usr/share/terraform/plugins`` and
   ``$XDG_DATA_DIRS/*/terraform/plugins``;
3. a shallow search of /opt, /usr/local and /usr/share for a directory holding
   ``registry.terraform.io/hashicorp/aws/<version>/<os>_<arch>``.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.terraform_schema import PROVIDER_SOURCE, PROVIDER_VERSION

MIRROR_ENV = "SIZING_TERRAFORM_MIRROR"
SEARCH_ROOTS = (Path("/opt"), Path("/usr/local"), Path("/usr/share"))
SEARCH_DEPTH = 3
"""Levels below a search root where a mirror may sit (/opt/<dir> is 1)."""
SEARCH_MAX_DIRECTORIES = 20_000
"""Directories the search visits at most, so a crowded /usr/share cannot stall collection."""
COMMAND_TIMEOUT_S = 300
"""A hung command (e.g. a network call that slipped past the skip flags) fails, not blocks."""

_CLI_CONFIG = """\
provider_installation {{
  filesystem_mirror {{
    path    = {path}
    include = ["{source}"]
  }}
  direct {{
    exclude = ["registry.terraform.io/*/*"]
  }}
}}
"""


def terraform_binary() -> str | None:
    return shutil.which("terraform")


def platform(binary: str) -> str:
    """``<os>_<arch>`` as Terraform names it (``terraform version -json``)."""
    done = subprocess.run([binary, "version", "-json"], capture_output=True, text=True, check=True,
                          env=_environment(None), timeout=COMMAND_TIMEOUT_S)
    return str(json.loads(done.stdout)["platform"])


def _holds_provider(root: Path, platform_dir: str) -> bool:
    return (root / PROVIDER_SOURCE / PROVIDER_VERSION / platform_dir).is_dir()


def implied_mirrors() -> list[Path]:
    home = Path.home()
    dirs = [home / ".terraform.d/plugins", home / ".local/share/terraform/plugins",
            Path("/usr/local/share/terraform/plugins"), Path("/usr/share/terraform/plugins")]
    dirs += [Path(d) / "terraform/plugins" for d in os.environ.get("XDG_DATA_DIRS", "").split(":") if d]
    return dirs


def searched_mirrors() -> Iterator[Path]:
    """Directories up to SEARCH_DEPTH below the search roots that contain registry.terraform.io."""
    visited = 0
    for base in SEARCH_ROOTS:
        for current, subdirs, _ in os.walk(base):
            visited += 1
            if visited > SEARCH_MAX_DIRECTORIES:
                return
            if "registry.terraform.io" in subdirs:
                yield Path(current)
            depth = len(Path(current).relative_to(base).parts)
            subdirs[:] = [] if depth >= SEARCH_DEPTH else sorted(d for d in subdirs if d != "registry.terraform.io")


def find_mirror(platform_dir: str) -> Path | None:
    """The first mirror that holds hashicorp/aws PROVIDER_VERSION for this platform (the
    search runs only when no implied directory has it; an override is taken or refused)."""
    override = os.environ.get(MIRROR_ENV)
    candidates = [Path(override)] if override else itertools.chain(implied_mirrors(), searched_mirrors())
    return next((path for path in candidates if _holds_provider(path, platform_dir)), None)


def _environment(cli_config: Path | None) -> dict[str, str]:
    """The subprocess environment: our CLI config, no version check against checkpoint-api
    (a network call), and no AWS credentials or profile of the machine's."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("AWS_", "TF_")) and key != "CHECKPOINT_DISABLE"}
    env.update({"CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1", "TF_INPUT": "0",
                "AWS_EC2_METADATA_DISABLED": "true"})
    if cli_config is not None:
        env["TF_CLI_CONFIG_FILE"] = str(cli_config)
    return env


@dataclass(frozen=True)
class Diagnostic:
    """One of Terraform's diagnostics, as the assertion messages quote it."""

    severity: str
    summary: str
    detail: str
    where: str
    """Resource address, file and line, and the offending line of JSON, where Terraform gives them."""

    def __str__(self) -> str:
        where = f" [{self.where}]" if self.where else ""
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.severity}: {self.summary}{where}{detail}"


@dataclass(frozen=True)
class Check:
    """One configuration's verdicts: ``validate -json``, then ``plan`` when validate passed."""

    validate: list[Diagnostic]
    plan: list[Diagnostic]
    plan_ran: bool

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.validate + self.plan if d.severity == "error"]


class Workspace:
    """An initialised Terraform data directory and the provider schema, reused per check.

    Each Terraform command spends seconds starting aws provider processes (one per provider
    configuration) and loading their schema, so the stacks are checked together: each is a
    module of one root configuration (``<stack>/main.tf.json``) that passes it one provider
    configuration per region, validated in one run and planned in one more (the stacks that
    validated); every diagnostic goes back to the stack whose file or module it names.
    """

    def __init__(self, binary: str, mirror: Path, root: Path) -> None:
        self.binary = binary
        self.root = root
        self.cli_config = root / "terraform.rc"
        self.cli_config.write_text(_CLI_CONFIG.format(path=json.dumps(str(mirror)), source=PROVIDER_SOURCE))
        self.init_dir = root / "init"
        self.init_dir.mkdir()
        (self.init_dir / "main.tf.json").write_text(json.dumps({"terraform": _REQUIRED_PROVIDERS}))
        self._run(["init", "-input=false", "-no-color"], self.init_dir)
        self.schemas: dict[str, Any] = json.loads(self._run(["providers", "schema", "-json"], self.init_dir).stdout)

    def _run(self, args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([self.binary, *args], cwd=cwd, capture_output=True, text=True,
                              env=_environment(self.cli_config), timeout=COMMAND_TIMEOUT_S, check=False)
        if check and done.returncode != 0:
            raise RuntimeError(f"terraform {' '.join(args)} failed in {cwd}:\n{done.stderr}{done.stdout}")
        return done

    def _root(self, documents: dict[str, dict[str, Any]], kind: str) -> Path:
        """A root configuration with one module per stack, sharing the initialised providers."""
        root = Path(tempfile.mkdtemp(prefix=f"{kind}-", dir=self.root))
        shutil.copytree(self.init_dir / ".terraform", root / ".terraform", symlinks=True)
        shutil.copy(self.init_dir / ".terraform.lock.hcl", root)
        providers: dict[str, dict[str, Any]] = {}
        modules: dict[str, dict[str, Any]] = {}
        for stack, document in documents.items():
            module, passed = _as_module(document, stack, providers)
            (root / stack).mkdir()
            (root / stack / "main.tf.json").write_text(json.dumps(module, indent=1, sort_keys=True))
            modules[stack] = {"source": f"./{stack}", "providers": passed}
        (root / "main.tf.json").write_text(json.dumps(
            {"terraform": _REQUIRED_PROVIDERS, "provider": {"aws": list(providers.values())}, "module": modules},
            indent=1, sort_keys=True))
        self._run(["get", "-no-color"], root)  # records the local modules; nothing is downloaded
        return root

    def check(self, documents: dict[str, dict[str, Any]]) -> dict[str, Check]:
        """Validate every stack, then plan (no state, no refresh) the ones that are valid."""
        validated = _diagnostics(self._run(["validate", "-json", "-no-color"], self._root(documents, "validate"),
                                           check=False), documents)
        valid = {stack: doc for stack, doc in documents.items()
                 if not any(d.severity == "error" for d in validated[stack])}
        planned: dict[str, list[Diagnostic]] = {stack: [] for stack in documents}
        if valid:
            root = self._root(valid, "plan")
            done = self._run(["plan", "-json", "-refresh=false", "-input=false", "-lock=false", "-no-color"],
                             root, check=False)
            planned.update(_diagnostics(done, valid))
            if done.returncode != 0 and not any(d.severity == "error" for ds in planned.values() for d in ds):
                failure = Diagnostic("error", f"terraform plan exited {done.returncode}", done.stderr.strip(), "")
                for stack in valid:
                    planned[stack].append(failure)
        return {stack: Check(validated[stack], planned[stack], stack in valid) for stack in documents}


_REQUIRED_PROVIDERS = {"required_providers": {"aws": {"source": "hashicorp/aws", "version": PROVIDER_VERSION}}}


def _as_module(document: dict[str, Any], stack: str,
               providers: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], dict[str, str]]:
    """``document`` as a child module whose provider configurations the root passes in.

    Every provider configuration is a provider process in each Terraform run, so stacks
    share one per region: the same alias with the same settings is one root configuration
    (another setting under the same alias gets a root alias of its own). Returns the module
    and its ``providers`` argument.
    """
    module = {key: value for key, value in document.items() if key != "provider"}
    passed: dict[str, str] = {}
    for block in document.get("provider", {}).get("aws", []):
        alias = block["alias"]
        shared = providers.get(alias)
        root_alias = alias if shared is None or shared == block else f"{stack}_{alias}"
        providers[root_alias] = {**block, "alias": root_alias}
        passed[f"aws.{alias}"] = f"aws.{root_alias}"
    aws = dict(module["terraform"]["required_providers"]["aws"], configuration_aliases=sorted(passed))
    module["terraform"] = {**module["terraform"], "required_providers": {"aws": aws}}
    return module, passed


def _diagnostics(done: subprocess.CompletedProcess[str], stacks: dict[str, Any]) -> dict[str, list[Diagnostic]]:
    """Each stack's diagnostics; one that names no stack (say, a provider that cannot start)
    belongs to every stack of the run."""
    found: dict[str, list[Diagnostic]] = {stack: [] for stack in stacks}
    raw = _raw_diagnostics(done)
    if raw is None:
        failure = Diagnostic("error", f"terraform {done.args[1]} printed no JSON", done.stderr.strip(), "")
        return {stack: [failure] for stack in stacks}
    for item in raw:
        stack = _stack_of(item, stacks)
        for target in [stack] if stack else list(stacks):
            found[target].append(_diagnostic(item))
    return found


def _raw_diagnostics(done: subprocess.CompletedProcess[str]) -> list[dict[str, Any]] | None:
    """``validate -json`` prints one document; ``plan -json`` a stream, one message a line."""
    try:
        return list(json.loads(done.stdout).get("diagnostics", []))
    except json.JSONDecodeError:
        pass
    messages = []
    for line in done.stdout.splitlines():
        try:
            messages.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    if not messages:
        return None
    return [m["diagnostic"] for m in messages if m.get("type") == "diagnostic"]


def _stack_of(raw: dict[str, Any], stacks: dict[str, Any]) -> str | None:
    filename = (raw.get("range") or {}).get("filename", "")
    first = Path(filename).parts[0] if filename else ""
    if first in stacks:
        return first
    address = raw.get("address", "")
    module = address.split(".")[1] if address.startswith("module.") else ""
    return module if module in stacks else None


def _diagnostic(raw: dict[str, Any]) -> Diagnostic:
    place = raw.get("range") or {}
    line = f"{place['filename']}:{place['start']['line']}" if place.get("filename") else ""
    snippet = raw.get("snippet") or {}
    code = (snippet.get("code") or "").strip()
    parts = [raw.get("address") or snippet.get("context") or "", line, code[:160]]
    return Diagnostic(raw.get("severity", "error"), raw.get("summary", ""), raw.get("detail", ""),
                      " ".join(part for part in parts if part))
