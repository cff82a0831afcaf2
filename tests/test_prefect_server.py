"""`presswork run` without a configured Prefect server: it starts a temporary one, uses it, and never leaves it behind.

When its own start fails, Prefect starts one itself, as without presswork, and the run is the same.
"""

from __future__ import annotations

import ast
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from .conftest import PRESSWORK, REPO, SEEDS

# What `presswork run` says when it leaves the start of the server to Prefect.
FALLBACK = "could not start the temporary Prefect server early"


def _env(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
    return env | {"PREFECT_HOME": str(home)}


def _servers_of(home: Path) -> list[psutil.Process]:
    """Running Prefect API servers whose PREFECT_HOME is `home`: presswork's (the CLI) or Prefect's own (uvicorn)."""
    found = []
    for process in psutil.process_iter(["cmdline"]):
        try:
            command = " ".join(process.info["cmdline"] or [])
            is_server = "prefect server start" in command or "prefect.server.api.server:create_app" in command
            if is_server and process.environ().get("PREFECT_HOME") == str(home):
                found.append(process)
        except psutil.Error:
            continue
    return found


def _recorded_runs(home: Path) -> list[tuple[str]]:
    with sqlite3.connect(home / "prefect.db") as db:
        return db.execute("select state_type from flow_run").fetchall()


# Runs `presswork` with `presswork.orchestration.prefect_server.launch` and `use` given other arguments (sys.argv[1:3], JSON): the
# public functions' parameters, nothing of Prefect replaced.
_PRESSWORK_WITH = """
import functools, json, sys
from presswork.orchestration import prefect_server
prefect_server.launch = functools.partial(prefect_server.launch, **json.loads(sys.argv[1]))
prefect_server.use = functools.partial(prefect_server.use, **json.loads(sys.argv[2]))
from presswork.app.cli import main
sys.exit(main(sys.argv[3:]))
"""


def _presswork_run(
    tmp_path: Path,
    home: Path,
    *options: str,
    launch: dict[str, object] | None = None,
    use: dict[str, object] | None = None,
) -> subprocess.CompletedProcess[str]:
    command = [str(PRESSWORK)]
    if launch is not None or use is not None:
        command = [sys.executable, "-c", _PRESSWORK_WITH, json.dumps(launch or {}), json.dumps(use or {})]
    return subprocess.run(
        [*command, "run", "--input", str(SEEDS), "--warehouse", str(tmp_path / "wh"), "--quiet", *options],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


# The process runner's tasks run in other processes, and a thread of the flow's process forwards their events:
# every part of Prefect must find the server the command started, not start one of its own.
@pytest.mark.slow
@pytest.mark.parametrize("runner", ["thread", "process"])
def test_a_run_records_itself_on_its_temporary_server_and_stops_it(tmp_path: Path, runner: str):
    home = tmp_path / "prefect-home"
    done = _presswork_run(tmp_path, home, "--runner", runner)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "articles written 5" in done.stdout
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert FALLBACK not in done.stderr  # presswork's own server was used
    # The flow run went to the server started for it, whose database is the one under PREFECT_HOME (what a
    # later `prefect server start` with the same home shows in the UI).
    assert _recorded_runs(home) == [("COMPLETED",)]
    assert _servers_of(home) == []


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        yield int(squatter.getsockname()[1])


@pytest.mark.slow
@pytest.mark.parametrize("failure", ["no prefect command", "port taken", "not up in time"])
def test_when_its_server_does_not_start_prefect_starts_its_own(tmp_path: Path, taken_port: int, failure: str):
    home = tmp_path / "prefect-home"
    launch: dict[str, object] = {}
    use: dict[str, object] = {}
    if failure == "no prefect command":
        launch["cli"] = "no-such-prefect"
    elif failure == "port taken":
        launch["port"] = taken_port
    else:  # given up on at once, and stopped while it is still starting
        use["timeout_s"] = 0.01
    done = _presswork_run(tmp_path, home, launch=launch, use=use)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "articles written 5" in done.stdout
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert FALLBACK in done.stderr
    assert _recorded_runs(home) == [("COMPLETED",)]
    assert _servers_of(home) == []


# `launch` and `use` in a fresh process, as `presswork run` calls them: prints what `use` returned, whether the
# server is still running and the API URL Prefect was given.
_LAUNCH_AND_USE = """
import os, sys
if sys.argv[1] == "prefect first":
    import prefect
from presswork.orchestration import prefect_server
server = prefect_server.launch()
used = prefect_server.use(server)
print(used, server is not None and server.process.poll() is None, os.environ.get("PREFECT_API_URL"))
"""


def _launch_and_use(home: Path, case: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _LAUNCH_AND_USE, case],
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_no_temporary_server_when_prefects_profile_names_one(tmp_path: Path):
    home = tmp_path / "prefect-home"
    home.mkdir()
    configured = "http://127.0.0.1:9/api"
    (home / "profiles.toml").write_text(
        f'active = "elsewhere"\n\n[profiles.elsewhere]\nPREFECT_API_URL = "{configured}"\n', encoding="utf-8"
    )
    done = _launch_and_use(home)
    assert done.returncode == 0, done.stderr[-3000:]
    # Not used, stopped, and Prefect left to the profile's server (the environment does not override it).
    assert done.stdout.split() == ["False", "False", "None"]
    assert FALLBACK not in done.stderr


@pytest.mark.slow
def test_too_late_once_prefect_is_imported(tmp_path: Path):
    done = _launch_and_use(tmp_path / "prefect-home", "prefect first")
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["False", "False", "None"]
    assert FALLBACK in done.stderr


@pytest.mark.slow
def test_a_used_server_is_the_url_prefect_is_given_and_stops_at_exit(tmp_path: Path):
    done = _launch_and_use(tmp_path / "prefect-home")
    assert done.returncode == 0, done.stderr[-3000:]
    used, running, url = done.stdout.split()
    assert (used, running) == ("True", "True")
    assert url.startswith("http://127.0.0.1:") and url.endswith("/api")
    assert _servers_of(tmp_path / "prefect-home") == []  # stopped when that process exited


@pytest.mark.slow
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


def _private_prefect_names(source: str) -> list[str]:
    """Names starting with `_` that `source` imports from Prefect or reads off a Prefect module or object."""
    found: list[str] = []
    bound: set[str] = set()  # local names of Prefect modules and objects

    def private(dotted: str) -> bool:
        return any(part.startswith("_") and not part.endswith("__") for part in dotted.split("."))

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "prefect":
                    if private(alias.name):
                        found.append(alias.name)
                    bound.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "prefect":
            if private(node.module or ""):
                found.append(node.module or "")
            for alias in node.names:
                if private(alias.name):
                    found.append(f"{node.module}.{alias.name}")
                bound.add(alias.asname or alias.name)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and private(node.attr):
            root: ast.expr = node
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in bound:
                found.append(f"{root.id}...{node.attr}")
    return found


def test_the_private_name_check_finds_private_names():
    source = (
        "import prefect\nimport prefect._internal.x\nfrom prefect.context import _temporary_global_settings_context\n"
        "from prefect._internal import y\nfrom prefect import context\ncontext.SettingsContext._private\n"
        "prefect.__file__\nprefect.settings.PREFECT_API_URL\n"
    )
    assert _private_prefect_names(source) == [
        "prefect._internal.x",
        "prefect.context._temporary_global_settings_context",
        "prefect._internal",
        "context..._private",
    ]


# A Prefect upgrade may rename or remove anything private without notice; presswork must not depend on it.
@pytest.mark.parametrize(
    "module",
    sorted([*(REPO / "presswork").rglob("*.py"), *(REPO / "flows").glob("*.py")]),
    ids=lambda path: str(path.relative_to(REPO)),
)
def test_flows_use_no_private_prefect_name(module: Path):
    assert _private_prefect_names(module.read_text(encoding="utf-8")) == []


def test_what_a_run_imports_while_the_server_starts_is_what_the_flow_needs_and_not_prefect():
    """`import_before_prefect` (run while the server starts) must not import Prefect, which would make the run
    give up its early server, and should leave only the Prefect layer itself for after."""
    script = (
        "import sys, json\n"
        "from presswork.orchestration.warmup import import_before_prefect\n"
        "import_before_prefect()\n"
        "early = 'prefect' in sys.modules\n"
        "before = {m for m in sys.modules if m.startswith('presswork')}\n"
        "import presswork.orchestration.flow\n"
        "after = {m for m in sys.modules if m.startswith('presswork')}\n"
        "print(json.dumps([early, sorted(after - before)]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True)
    early, left = json.loads(done.stdout)
    assert early is False
    assert left == ["presswork.orchestration.flow", "presswork.orchestration.tasks"]
