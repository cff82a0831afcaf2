"""The flow files under flows/ run as scripts, and deployments point at the package, not at flows/."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from prefect.flows import load_flow_from_entrypoint

import presswork.orchestration.flow as flow_module
from presswork.orchestration.settings import RunSettings

from .conftest import REPO

FLOW_FILE = REPO / "flows" / "ingest_news.py"


@pytest.mark.slow
def test_the_flow_file_runs_as_a_script_from_the_repository_root(tmp_path: Path):
    warehouse = tmp_path / "wh"
    done = subprocess.run(
        [sys.executable, "flows/ingest_news.py", "--input", "seeds", "--warehouse", str(warehouse)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "articles written 5" in done.stdout
    connection = duckdb.connect(str(warehouse / "presswork.duckdb"), read_only=True)
    try:
        assert connection.execute("select count(*) from articles").fetchone() == (5,)
    finally:
        connection.close()


def test_the_flow_file_is_an_entrypoint_for_the_package_flow():
    assert load_flow_from_entrypoint(f"{FLOW_FILE}:presswork") is flow_module.presswork


class _Recorder:
    def __init__(self) -> None:
        self.options: dict[str, object] = {}

    def serve(self, **options: object) -> None:
        self.options = options


def test_the_served_deployment_imports_the_flow_from_the_package(monkeypatch: pytest.MonkeyPatch):
    # `presswork serve` registers the deployment; its runs import the entrypoint wherever they start, so it
    # must name the installed package, never a `flows` folder that only a checkout has.
    flow = flow_module.presswork
    recorder = _Recorder()
    with monkeypatch.context() as patch:
        patch.setattr(flow_module, "presswork", recorder)
        flow_module.serve_presswork(RunSettings(), interval=60)
    deployment = flow.to_deployment(name="entrypoint-check", entrypoint_type=recorder.options["entrypoint_type"])
    assert deployment.entrypoint == "presswork.orchestration.flow.presswork"
    module, _, name = deployment.entrypoint.rpartition(".")
    assert getattr(importlib.import_module(module), name) is flow
