"""The wheel works where a container or a Dask worker would install it: not editable, away from the checkout.

The wheel is built from a copy of the working tree (a build in the checkout would leave `build/` behind and
race other builds) and installed with `--no-deps` into a new virtual environment under tmp_path. That
environment borrows this one's installed dependencies through a `.pth` file, written after the install so
pip never sees this environment's editable presswork. A path in a `.pth` file is only added to sys.path: the
`.pth` files in it are not run, so the editable finder of this environment stays off there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from presswork.storage.views import LAYERS, load_views

from .conftest import REPO, SEEDS

# Top-level entries of the working tree that are not sources of the wheel, and names skipped at any depth.
_NOT_COPIED_AT_TOP = {".venv", ".git", "build", "dist", "warehouse"}
_NOT_COPIED = {"__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis"}


def _source_packages() -> set[str]:
    """The import packages of the source tree: presswork's folders with an `__init__.py`, and the view SQL."""
    found = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "presswork").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    return found | {"presswork.sql", *(f"presswork.sql.{layer}" for layer in LAYERS)}


def test_every_package_is_listed_for_the_wheel():
    # The packages are listed in pyproject.toml (`find` cannot map sql/ into presswork), so a new sub-package
    # would be left out of the wheel, silently, while the editable install keeps working.
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert sorted(setuptools["packages"]) == sorted(_source_packages())
    assert setuptools["package-dir"] == {"presswork.sql": "sql"}
    assert {f"presswork.sql.{layer}" for layer in LAYERS} <= set(setuptools["package-data"])


def _ignore(folder: str, names: list[str]) -> set[str]:
    skipped = {name for name in names if name in _NOT_COPIED or name.endswith(".egg-info")}
    if Path(folder) == REPO:
        skipped |= _NOT_COPIED_AT_TOP & set(names)
    return skipped


def _run(command: list[str | Path], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    # Nothing of this environment or of the checkout leaks in through the environment variables.
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}}
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{command} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@dataclass(frozen=True, slots=True)
class Build:
    source: Path  # the copy of the working tree the wheel was built from
    wheel: Path


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The wheel of the working tree, built the way `pip install .` builds it (isolated, current setuptools)."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    shutil.copytree(REPO, source, ignore=_ignore, symlinks=True)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", root / "dist", source], cwd=root)
    (wheel,) = (root / "dist").glob("presswork-*.whl")
    return Build(source, wheel)


@pytest.fixture(scope="module")
def wheel_venv(build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment with the wheel installed and this environment's dependencies visible."""
    venv = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=venv)
    python = venv / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", build.wheel], cwd=venv)
    site_packages = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=venv)
    # This environment's site-packages, with prefect, spaCy, duckdb, ... (purelib and platlib may differ).
    dependencies = dict.fromkeys(sysconfig.get_paths()[kind] for kind in ("purelib", "platlib"))
    Path(site_packages.stdout.strip(), "_presswork_dependencies.pth").write_text(
        "".join(f"{d}\n" for d in dependencies)
    )
    return venv


def _files(folder: Path) -> set[str]:
    # Not dotfiles (an editor's swap file): package data globs leave them out too.
    return {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    }


@pytest.mark.slow
def test_the_wheel_holds_presswork_with_its_sql_and_nothing_else(build: Build):
    names = set(zipfile.ZipFile(build.wheel).namelist())
    dist_info = "-".join(build.wheel.name.split("-")[:2]) + ".dist-info"
    assert {name.split("/")[0] for name in names} == {"presswork", dist_info}  # no flows, tests, benchmarks, sql
    # Every file of presswork/ and sql/ (its views and __init__.py), as presswork/sql/: nothing left behind.
    package = {f"presswork/{name}" for name in _files(build.source / "presswork")}
    sql = {f"presswork/sql/{name}" for name in _files(build.source / "sql")}
    assert {name for name in names if not name.startswith(dist_info)} == package | sql
    assert {name for name in sql if name.endswith(".sql")} == {
        f"presswork/sql/{view.layer}/{view.name}.sql" for view in load_views(build.source / "sql")
    }


@pytest.mark.slow
def test_the_installed_wheel_runs_and_answers_from_other_directories(wheel_venv: Path, tmp_path: Path):
    python, presswork = wheel_venv / "bin" / "python", wheel_venv / "bin" / "presswork"
    elsewhere, other = tmp_path / "elsewhere", tmp_path / "other"
    elsewhere.mkdir()
    other.mkdir()
    where = _run(
        [
            python,
            "-c",
            "import sys, sysconfig, presswork, presswork.storage.views as v\n"
            "print(sysconfig.get_paths()['purelib']); print(presswork.__file__); print(v.sql_dir_default())\n"
            "print(' '.join(getattr(f, '__name__', type(f).__name__) for f in sys.meta_path))",
        ],
        cwd=elsewhere,
    )
    site_packages, module, sql_dir, finders = where.stdout.splitlines()
    assert Path(site_packages).is_relative_to(wheel_venv)
    assert Path(module) == Path(site_packages) / "presswork" / "__init__.py"
    assert Path(sql_dir) == Path(site_packages) / "presswork" / "sql"
    assert "_EditableFinder" not in finders.split()

    seeds = shutil.copytree(SEEDS, tmp_path / "seeds")
    warehouse = tmp_path / "wh"
    run = _run([presswork, "run", "--input", seeds, "--warehouse", warehouse, "--quiet"], cwd=elsewhere)
    assert "articles written 5" in run.stdout
    done = _run(
        [presswork, "sql", "select count(*) from articles", "--warehouse", warehouse, "--format", "csv"], cwd=other
    )
    assert done.stdout.split()[-1] == "5", done.stdout
