"""The Pulumi program under Pulumi's mocks: it loads the stack's workload and exports sizes."""

from __future__ import annotations

import os
import runpy
import unittest
from typing import Any
from unittest import mock

import pulumi

from tests.conftest import ROOT


class _Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


class ProgramTest(unittest.IsolatedAsyncioTestCase):
    def setUp(self) -> None:
        pulumi.runtime.set_mocks(_Mocks(), project="elasticache-sizing", stack="social", preview=True)
        self.exports: dict[str, Any] = {}
        self.cwd = os.getcwd()
        os.chdir(ROOT)

    def tearDown(self) -> None:
        os.chdir(self.cwd)

    def _run(self) -> None:
        with mock.patch.object(pulumi, "export", side_effect=lambda name, value: self.exports.__setitem__(name, value)):
            runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")

    def test_stack_file_follows_the_stack_name(self) -> None:
        self._run()
        self.assertEqual(set(self.exports), {"sessions", "profiles", "feeds", "notifications", "counters"})
        self.assertTrue(all(e["predicted_dataset_bytes"] > 0 for e in self.exports.values()))
        self.assertIs(self.exports["profiles"]["cluster_mode"], True)
        from sizing import load_workload
        from sizing.plan import plan_workload

        plans = {p.name: p.chosen for p in plan_workload(load_workload(ROOT / "stacks/social.yaml"))}
        for name, exported in self.exports.items():
            self.assertEqual((exported["node_type"], exported["shards"]), (plans[name].node_type, plans[name].shards))

    def test_workload_config_overrides_the_file(self) -> None:
        pulumi.runtime.set_all_config({"elasticache-sizing:workload": "benchmarks/accuracy_cases.yaml"})
        try:
            self._run()
        finally:
            pulumi.runtime.set_all_config({})
        self.assertIn("mixed-social", self.exports)
