"""Shared fixtures: one Prefect test harness per session, one seed warehouse built by the real flow.

Two tiers: `make test` runs everything (what CI runs); `make test-fast` (`pytest -m "not slow"`) leaves out the
tests marked `slow`, those that need a Prefect server, the spaCy model or a browser, for the edit loop.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
HTML_DEV = Path(__file__).resolve().parent / "data" / "html-dev"
PRESSWORK = Path(sys.executable).parent / "presswork"

# Settings for the flows this test process runs itself; `run_cli` leaves out those set here, so the command sees
# the environment a user's shell would give it.
_TEST_SETTINGS = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING"}
_SET_HERE = {name for name in _TEST_SETTINGS if name not in os.environ}
for _name in _SET_HERE:
    os.environ[_name] = _TEST_SETTINGS[_name]


# A test that uses one of these fixtures, directly or through another (`seed_warehouse` needs `prefect_harness`),
# is marked `slow` at collection, so the mark cannot be forgotten. Tests that start `presswork run` in a
# subprocess or load the spaCy model themselves carry `@pytest.mark.slow`; `_fast_tests_stay_fast` fails one
# that forgot it.
SLOW_FIXTURES = frozenset({"prefect_harness", "prefect_server", "chromium"})
# Command lines of a Prefect API server: `prefect server start`, or the server Prefect starts itself (uvicorn).
_PREFECT_SERVER_COMMANDS = ("prefect server start", "prefect.server.api.server:create_app")


@pytest.hookimpl(tryfirst=True)  # before `-m "not slow"` deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def _prefect_servers() -> set[int]:
    """Process ids of the Prefect API servers this test process has started (children at any depth)."""
    import psutil

    found = set()
    for child in psutil.Process().children(recursive=True):
        try:
            command = " ".join(child.cmdline())
        except psutil.Error:
            continue
        if any(marker in command for marker in _PREFECT_SERVER_COMMANDS):
            found.add(child.pid)
    return found


@pytest.fixture(autouse=True)
def _fast_tests_stay_fast(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test not marked `slow` that loads the spaCy model or starts a Prefect server."""
    if request.node.get_closest_marker("slow") is not None:
        yield
        return
    from presswork.entities.ner import load_model

    loads, servers = load_model.cache_info().misses, _prefect_servers()
    yield
    found = []
    if load_model.cache_info().misses > loads:
        found.append("loaded the spaCy model")
    if _prefect_servers() - servers:
        found.append("started a Prefect server")
    if found:
        pytest.fail(f"{request.node.nodeid} {' and '.join(found)}: mark it @pytest.mark.slow", pytrace=False)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A throwaway Prefect API (SQLite in a temp dir) for every flow run in this session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def seed_warehouse(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse built from seeds/ by the real flow (real spaCy, real DuckDB)."""
    from presswork.orchestration.flow import presswork
    from presswork.orchestration.settings import RunSettings

    root = tmp_path_factory.mktemp("seed-warehouse")
    presswork(RunSettings(inputs=[str(SEEDS)], warehouse=str(root)))
    return root


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `presswork` console script in a separate process."""
    return subprocess.run(
        [str(PRESSWORK), *args],
        cwd=cwd,
        env={**{k: v for k, v in os.environ.items() if k not in _SET_HERE}, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def query_in_subprocess(catalog: Path, sql: str, cwd: Path) -> list[tuple]:
    """Query a warehouse from a second Python process with its own read-only DuckDB connection."""
    code = (
        "import duckdb, json, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "con.execute('set enable_progress_bar = false')\n"
        "print(json.dumps(con.execute(sys.argv[2]).fetchall(), default=str))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(catalog), sql],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    import json

    return [tuple(row) for row in json.loads(done.stdout)]
