"""The Pulumi SDK internals the preview relies on, and nothing else touches.

The SDK's public mocks API (``pulumi.runtime.set_mocks`` with a ``pulumi.runtime.Mocks``)
answers each registration with outputs, but does not say what the engine itself would
receive: the URN, the parent, the provider reference, ``propertyDependencies`` (which input
came from which resource) and the resource options. The preview needs those to show the
tree and to write the same resources as Terraform configuration (tests/test_provider.py),
so it wraps the SDK's mock monitor, which is not public API. The other two are the SDK's
way of running a program function as ``pulumi up`` does, and its wire form of a secret.

``tests/test_sdk_internals.py`` pins each of them against the installed SDK, so an SDK
upgrade that moves one fails there, by name, rather than somewhere in the preview.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pulumi
from pulumi.runtime import mocks as _mocks
from pulumi.runtime import rpc as _rpc
from pulumi.runtime.stack import run_pulumi_func as _run_pulumi_func

Registration = Callable[[Any, Any], None]
"""Called with each RegisterResource request and its response (the gRPC messages)."""


def recording_monitor(mocks: pulumi.runtime.Mocks, on_register: Registration) -> Any:
    """A mock monitor for ``pulumi.runtime.set_mocks(..., monitor=...)`` that answers as the
    SDK's own and also hands every registration to ``on_register``."""

    class _Monitor(_mocks.MockMonitor):
        def RegisterResource(self, request: Any) -> Any:
            response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
            on_register(request, response)
            return response

    return _Monitor(mocks)


def run_program(program: Callable[[], Awaitable[None]]) -> Awaitable[None]:
    """``program`` run as the SDK runs a stack: registrations awaited, outputs settled."""
    return _run_pulumi_func(program)


def is_secret(value: Any) -> bool:
    """Whether a registered input is the SDK's wire form of a secret
    (``{<signature key>: <secret signature>, "value": ...}``)."""
    return isinstance(value, dict) and value.get(_rpc._special_sig_key) == _rpc._special_secret_sig
