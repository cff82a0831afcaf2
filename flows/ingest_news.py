"""The presswork flow, for a Prefect deployment to point at (entrypoint `flows/ingest_news.py:presswork`).

Thin on purpose: the flow lives in `presswork.orchestration.flow`; this file only exposes it where Prefect
projects keep their flows. Run it once with

    python flows/ingest_news.py [--input PATH]... [--warehouse DIR]

`presswork run` does the same, with progress lines and Prefect's temporary server started early.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from presswork.orchestration.flow import presswork
from presswork.orchestration.settings import RunSettings

__all__ = ["presswork"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the presswork flow once.")
    parser.add_argument("--input", action="append", metavar="PATH", help="file or folder to ingest (default seeds/)")
    parser.add_argument("--warehouse", default="warehouse", metavar="DIR", help="warehouse folder (default warehouse/)")
    args = parser.parse_args(argv)
    inputs = [str(Path(p).expanduser().resolve()) for p in (args.input or ["seeds"])]
    summary = presswork(RunSettings(inputs=inputs, warehouse=str(Path(args.warehouse).expanduser().resolve())))
    print(summary.render())
    return 0 if summary.status == "completed" else 75


if __name__ == "__main__":
    raise SystemExit(main())
