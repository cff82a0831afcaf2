"""Shared fixtures: one Prefect test harness per session, one seed warehouse built by the real flow."""

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
