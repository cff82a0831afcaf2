"""The cleaning quality gate: a change that makes cleaning worse on html-dev or the seeds fails CI."""

from __future__ import annotations

import subprocess
import sys

from .conftest import REPO


def test_cleaning_rates_stay_at_or_above_their_floors():
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "cleaning.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "html_dev   presswork" in done.stdout and "quality gate: every rate is at or above its floor" in done.stdout
