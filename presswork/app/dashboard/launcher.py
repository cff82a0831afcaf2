"""Start the dashboard: `streamlit run presswork/app/dashboard/app.py` as a child process, headless and private."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from types import FrameType

from presswork.app.config import WAREHOUSE_ENV

APP = Path(__file__).resolve().with_name("app.py")


def streamlit_command(port: int, address: str) -> list[str]:
    """The `streamlit run` command line for the dashboard."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.port",
        str(port),
        "--server.address",
        address,
        # No browser to open, no e-mail prompt: it runs as a service.
        "--server.headless",
        "true",
        # Air-gapped and private: no usage statistics sent anywhere.
        "--browser.gatherUsageStats",
        "false",
        # The app's code does not change under a running dashboard; watching its files costs CPU for nothing.
        "--server.fileWatcherType",
        "none",
        "--server.runOnSave",
        "false",
        "--client.toolbarMode",
        "minimal",
        "--theme.base",
        "light",
    ]


def streamlit_environment(warehouse: Path, base: Mapping[str, str]) -> dict[str, str]:
    """Return the child's environment: the warehouse's absolute path, and usage statistics off.

    The app reads the warehouse from the same variable as the CLI; the statistics switch overrides a Streamlit
    config file that would turn them on.
    """
    return {
        **base,
        WAREHOUSE_ENV: str(warehouse),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }


def run_dashboard(warehouse: Path, port: int = 8501, address: str = "127.0.0.1") -> int:
    """Serve the dashboard on `address:port` until interrupted; return Streamlit's exit code."""
    process = subprocess.Popen(
        streamlit_command(port, address), env=streamlit_environment(warehouse.resolve(), os.environ)
    )

    def forward(signum: int, _frame: FrameType | None) -> None:
        # A service manager stops us with SIGTERM; Streamlit must get it too, or it would outlive us.
        process.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        while True:
            try:
                return process.wait()
            except KeyboardInterrupt:
                # Ctrl-C reached Streamlit too (same process group); it shuts down cleanly, so wait for it.
                continue
    finally:
        signal.signal(signal.SIGTERM, previous)
