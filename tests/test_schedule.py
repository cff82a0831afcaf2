"""Scheduling on a real Prefect server, and the Dask runner against the default one."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from presswork.orchestration.flow import run_presswork
from presswork.orchestration.settings import RunSettings

from .conftest import HTML_DEV, PRESSWORK, SEEDS, query_in_subprocess

PREFECT = Path(sys.executable).parent / "prefect"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def api(url: str, path: str, body: dict | None = None) -> object:
    request = urllib.request.Request(
        f"{url}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"},
        method="POST" if body is not None else "GET",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def interruptible() -> None:
    """Popen preexec: Ctrl-C (SIGINT) works in the child even when this test run was started with SIGINT
    ignored, as a non-interactive shell does for `command &`; the child would inherit that and ignore `stop`."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def stop(process: subprocess.Popen) -> None:
    """Ctrl-C the process group, then kill it if it lingers (a scheduled run may be finishing: allow it)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=150)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def prefect_server(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A real `prefect server start` on 127.0.0.1 with its own PREFECT_HOME, stopped after the test."""
    port = free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_RUNNER_POLL_FREQUENCY": "5",
    }
    env.pop("PREFECT_API_KEY", None)
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [str(PREFECT), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=interruptible,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if api(env["PREFECT_API_URL"], "/health") is True:
                    break
            except OSError:
                pass
            assert server.poll() is None, (tmp_path / "server.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "the Prefect server did not start"
            time.sleep(1)
        yield env
    finally:
        stop(server)
        log.close()


def test_a_served_deployment_runs_on_its_cron_schedule(prefect_server: dict[str, str], tmp_path: Path):
    warehouse = tmp_path / "wh"
    log = (tmp_path / "serve.log").open("w")
    serving = subprocess.Popen(
        [str(PRESSWORK), "serve", "--cron", "* * * * *", "--input", str(SEEDS), "--warehouse", str(warehouse)],
        env=prefect_server,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
        start_new_session=True,
        preexec_fn=interruptible,
    )
    url = prefect_server["PREFECT_API_URL"]
    try:
        deadline = time.monotonic() + 300
        completed: list = []
        while not completed:
            assert serving.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()[-3000:]
            time.sleep(3)
            runs = api(url, "/flow_runs/filter", {"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}})
            completed = [r for r in runs if r.get("deployment_id")]
        deployment = api(url, f"/deployments/{completed[0]['deployment_id']}")
        assert deployment["name"] == "presswork-scheduled"
        assert deployment["schedules"][0]["schedule"]["cron"] == "* * * * *"
        assert deployment["global_concurrency_limit"]["limit"] == 1
        assert completed[0]["auto_scheduled"] is True  # started by the scheduler, not by us
        artifacts = api(url, "/artifacts/filter", {"artifacts": {"key": {"any_": ["presswork-run"]}}})
        assert artifacts and "articles written | 5" in artifacts[0]["data"]
    finally:
        stop(serving)
        log.close()
    assert serving.returncode == 0
    assert "stopped serving" in (tmp_path / "serve.log").read_text()
    rows = query_in_subprocess(warehouse / "presswork.duckdb", "select count(*) from articles", tmp_path)
    assert rows == [(5,)]


def test_serve_without_a_server_says_what_to_do(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    done = subprocess.run(
        [str(PRESSWORK), "serve", "--cron", "* * * * *", "--warehouse", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "prefect server start" in done.stderr


TABLES = {
    "articles": "select article_id, source_uri, title, body, word_count, language from articles order by 1",
    "entity_mentions": "select article_id, entity_id, start_char, end_char, text, label from entity_mentions order by 1, 3",
    "entities": "select entity_id, name, label, article_count, mention_count from entities order by 1",
    "boilerplate": "select article_id, position, reason, text from boilerplate order by 1, 2",
}


def test_dask_runner_gives_the_same_rows_as_the_default(prefect_harness: None, tmp_path: Path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for path in [*SEEDS.glob("*.txt"), *sorted((HTML_DEV / "pages").glob("*.html.gz"))[:3]]:
        (inputs / path.name).write_bytes(path.read_bytes())  # text, and HTML so extraction runs on the workers
    results = {}
    for runner in ("thread", "dask"):
        warehouse = tmp_path / runner
        settings = RunSettings(inputs=[str(inputs)], warehouse=str(warehouse), runner=runner, batch_size=2)
        summary = run_presswork(settings)
        assert summary.articles == 8
        results[runner] = {
            table: query_in_subprocess(warehouse / "presswork.duckdb", sql, tmp_path) for table, sql in TABLES.items()
        }
    for table in TABLES:
        assert results["dask"][table] == results["thread"][table], table
