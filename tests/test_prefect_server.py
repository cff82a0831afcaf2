"""`presswork run` without a configured Prefect server: it starts a temporary one, uses it, and never leaves it behind."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from .conftest import PRESSWORK, SEEDS


def _env(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    return env | {"PREFECT_HOME": str(home)}


def _servers_of(home: Path) -> list[psutil.Process]:
    """Running Prefect API servers whose PREFECT_HOME is `home`."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        try:
            command = " ".join(process.info["cmdline"] or [])
            if "prefect.server.api.server:create_app" in command and process.environ().get("PREFECT_HOME") == str(home):
                found.append(process)
        except psutil.Error:
            continue
    return found


# The process runner's tasks run in other processes, and a thread of the flow's process forwards their events:
# every part of Prefect must find the server the command started, not start one of its own.
@pytest.mark.parametrize("runner", ["thread", "process"])
def test_a_run_records_itself_on_its_temporary_server_and_stops_it(tmp_path: Path, runner: str):
    home = tmp_path / "prefect-home"
    done = subprocess.run(
        [
            str(PRESSWORK),
            "run",
            "--input",
            str(SEEDS),
            "--warehouse",
            str(tmp_path / "wh"),
            "--quiet",
            "--runner",
            runner,
        ],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "articles written 5" in done.stdout
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    # The flow run went to the server started for it, whose database is the one under PREFECT_HOME (what a
    # later `prefect server start` with the same home shows in the UI).
    with sqlite3.connect(home / "prefect.db") as db:
        runs = db.execute("select state_type from flow_run").fetchall()
    assert runs == [("COMPLETED",)]
    assert _servers_of(home) == []


def test_a_run_killed_outright_takes_its_temporary_server_with_it(tmp_path: Path):
    home = tmp_path / "prefect-home"
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for copy in range(40):  # enough work that the run is still going when it is killed
        for seed in sorted(SEEDS.glob("*.txt")):
            (inputs / f"{copy:02d}-{seed.name}").write_text(f"Copy {copy}.\n\n" + seed.read_text(encoding="utf-8"))
    run = subprocess.Popen(
        [str(PRESSWORK), "run", "--input", str(inputs), "--warehouse", str(tmp_path / "wh"), "--quiet"],
        env=_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not _servers_of(home) and time.monotonic() < deadline and run.poll() is None:
            time.sleep(0.2)
        servers = _servers_of(home)
        assert servers, "the run never started its temporary server"
        assert run.poll() is None, "the run finished before it could be killed; give it more work"
        os.kill(run.pid, signal.SIGKILL)  # no atexit, no cleanup: only the kernel can tell the server
        run.wait(timeout=30)
        _gone, alive = psutil.wait_procs(servers, timeout=30)
        assert alive == [], "the temporary server outlived the killed run"
    finally:
        if run.poll() is None:
            run.kill()
        for process in _servers_of(home):
            process.kill()
