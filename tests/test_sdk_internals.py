"""The Pulumi SDK internals the preview relies on (sizing_infra/sdk_internals.py), pinned
against the installed SDK: if an upgrade moves one, this fails by name."""

from __future__ import annotations

import asyncio
from typing import Any

import pulumi
import pulumi_aws as aws

from sizing_infra.preview import _WorkerLoops
from sizing_infra.sdk_internals import is_secret, recording_monitor, run_program


class _EchoMocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.inputs: dict[str, dict[str, Any]] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.inputs[args.name] = dict(args.inputs)
        return f"{args.name}-id", {**args.inputs, "name": f"{args.name}-name"}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


def test_the_monitor_hands_over_what_the_engine_would_receive() -> None:
    mocks = _EchoMocks()
    seen: dict[str, tuple[Any, Any]] = {}
    workers = _WorkerLoops()
    loop = asyncio.new_event_loop()
    loop.set_default_executor(workers.executor)
    asyncio.set_event_loop(loop)
    try:
        pulumi.runtime.set_mocks(mocks, project="internals", stack="test", preview=True,
                                 monitor=recording_monitor(mocks, lambda req, resp: seen.update({req.name: (req, resp)})))

        async def program() -> None:
            parent = pulumi.ComponentResource("test:index:Parent", "parent")
            first = aws.sns.Topic("first", opts=pulumi.ResourceOptions(parent=parent))
            aws.sns.Topic("second", display_name=first.name, kms_master_key_id=pulumi.Output.secret("key"),
                          opts=pulumi.ResourceOptions(parent=parent, protect=True, ignore_changes=["tags"]))

        loop.run_until_complete(run_program(program))
    finally:
        workers.close()
        loop.close()
        asyncio.set_event_loop(None)

    assert set(seen) >= {"parent", "first", "second"}
    parent_urn = seen["parent"][1].urn
    first_urn = seen["first"][1].urn
    second, response = seen["second"]
    assert response.urn.endswith("test:index:Parent$aws:sns/topic:Topic::second")
    assert second.parent == parent_urn
    assert not seen["parent"][0].custom and second.custom
    assert second.protect and list(second.ignoreChanges) == ["tags"]
    assert {key: list(deps.urns) for key, deps in second.propertyDependencies.items()}["displayName"] == [first_urn]
    assert first_urn in second.dependencies
    # The mocks receive the secret in its wire form, which is_secret recognises.
    assert is_secret(mocks.inputs["second"]["kmsMasterKeyId"])
    assert not is_secret(mocks.inputs["second"]["displayName"])
    assert mocks.inputs["second"]["displayName"] == "first-name"
