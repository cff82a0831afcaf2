"""The command line: help everywhere, clear errors, output formats."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from presswork.app.cli import build_parser, format_table

from .conftest import run_cli

COMMANDS = sorted(build_parser()._subparsers._group_actions[0].choices)


def test_top_level_help_lists_every_command():
    done = run_cli("--help")
    assert done.returncode == 0
    assert all(command in done.stdout for command in COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    done = run_cli(command, "--help")
    assert done.returncode == 0
    assert "usage: presswork" in done.stdout and len(done.stdout.splitlines()) > 4


def test_sql_without_a_warehouse_says_so(tmp_path: Path):
    done = run_cli("sql", "select 1", "--warehouse", str(tmp_path / "nowhere"))
    assert done.returncode == 2
    assert "no warehouse" in done.stderr and "Traceback" not in done.stderr


def test_sql_error_is_one_clear_line(seed_warehouse: Path):
    done = run_cli("sql", "select nope from articles", "--warehouse", str(seed_warehouse))
    assert done.returncode == 1
    assert "nope" in done.stderr and "Traceback" not in done.stderr


def test_sql_is_read_only(seed_warehouse: Path):
    done = run_cli("sql", "create table x as select 1", "--warehouse", str(seed_warehouse))
    assert done.returncode == 1
    assert "read-only" in done.stderr.lower()


def test_warehouse_from_environment(seed_warehouse: Path, tmp_path: Path):
    done = run_cli(
        "sql",
        "select count(*) as n from articles",
        "--format",
        "csv",
        cwd=tmp_path,
        env={"PRESSWORK_WAREHOUSE": str(seed_warehouse)},
    )
    assert done.returncode == 0, done.stderr
    assert list(csv.reader(io.StringIO(done.stdout))) == [["n"], ["5"]]


def test_json_keeps_lists_and_full_text(seed_warehouse: Path):
    done = run_cli(
        "sql",
        "select aliases, length(name) as n from entities limit 1",
        "--format",
        "json",
        "--warehouse",
        str(seed_warehouse),
    )
    rows = json.loads(done.stdout)
    assert isinstance(rows[0]["aliases"], list)


def test_run_with_missing_input_fails_fast(tmp_path: Path):
    done = run_cli("run", "--input", str(tmp_path / "missing"), "--warehouse", str(tmp_path / "wh"))
    assert done.returncode == 2
    assert "no such input" in done.stderr


def test_format_table():
    text = format_table(["a", "b"], [(1, None), ("x" * 100, ["p", "q"])])
    lines = text.splitlines()
    assert lines[0].split() == ["a", "b"]
    assert "NULL" in lines[2] and "[p, q]" in lines[3] and "…" in lines[3]
    assert lines[-1] == "(2 rows)"


def test_status_shows_runs_and_row_counts(seed_warehouse: Path, tmp_path: Path):
    done = run_cli("status", "--warehouse", str(seed_warehouse), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "completed" in done.stdout
    assert re.search(r"^articles\s+5$", done.stdout, re.MULTILINE)
    assert re.search(r"^entity_mentions\s+\d{3}$", done.stdout, re.MULTILINE)
    missing = run_cli("status", "--warehouse", str(tmp_path / "none"))
    assert missing.returncode == 2 and "no warehouse" in missing.stderr
