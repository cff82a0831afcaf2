"""BI tools: a SQLAlchemy client (duckdb-engine, as Superset and notebooks use it) reads every view read-only."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .test_views import PUBLIC

# What a BI tool does on connecting: list the views, reflect their columns, query each one. It runs in its own
# process and directory, as Superset or a notebook would, with the URI docs/bi.md gives.
CLIENT = """
import json, sys, warnings
import sqlalchemy as sa

warnings.simplefilter("ignore", sa.exc.SAWarning)  # LIST columns (entities.aliases) have no SQLAlchemy type
engine = sa.create_engine(sys.argv[1], connect_args=json.loads(sys.argv[2]))
report = {"views": [], "columns": {}, "described": {}, "rows": {}, "write": None}
with engine.connect() as connection:
    inspector = sa.inspect(connection)
    report["views"] = sorted(inspector.get_view_names())
    for view in report["views"]:
        report["columns"][view] = [column["name"] for column in inspector.get_columns(view)]
        described = connection.execute(sa.text(f'describe "{view}"')).fetchall()
        report["described"][view] = [row[0] for row in described]
        report["rows"][view] = connection.execute(sa.text(f'select count(*) from "{view}"')).scalar_one()
    try:
        connection.execute(sa.text("create table scratch as select 1 as x"))
    except sa.exc.DBAPIError as error:
        report["write"] = str(error.orig)
engine.dispose()
print(json.dumps(report))
"""


def connect_like_a_bi_tool(url: str, connect_args: dict[str, object], cwd: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", CLIENT, url, json.dumps(connect_args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    ("query", "connect_args"),
    [
        ("?access_mode=read_only", {}),  # all in the URI: what Superset's form takes
        ("", {"read_only": True}),  # Superset's "engine parameters", pandas and notebooks
    ],
)
def test_sqlalchemy_reads_every_view_read_only(seed_warehouse: Path, tmp_path: Path, query: str, connect_args: dict):
    catalog = (seed_warehouse / "presswork.duckdb").resolve()
    report = connect_like_a_bi_tool(f"duckdb:///{catalog}{query}", connect_args, cwd=tmp_path)

    assert set(PUBLIC) <= set(report["views"])
    # What a BI tool reflects is what DuckDB has, for every view (staging ones too), and every view answers.
    assert report["columns"] == report["described"]
    assert all(isinstance(count, int) for count in report["rows"].values())
    assert report["rows"]["articles"] == 5 and report["rows"]["entities"] > 40 and report["rows"]["rejects"] == 0
    assert "read-only" in report["write"]
