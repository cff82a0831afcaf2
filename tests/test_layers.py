"""The package's layers, read from the imports of every module (those inside functions too).

- core (`presswork/records.py`, `faults.py`, `workers.py`): imports no other part of presswork;
- stages (`ingest`, `clean`, `entities`, `stories`): core and each other; never storage, orchestration or the app;
- `storage`: core only; never a stage, orchestration or the app;
- `orchestration`: anything but the app; the only code that imports Prefect;
- `app`: anything; nothing else imports it;
- `flows/` (the files a Prefect deployment points at): the orchestration layer and core, nothing else.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "presswork"
STAGES = {"ingest", "clean", "entities", "stories"}
# What each layer may import from presswork, besides itself.
ALLOWED: dict[str, set[str]] = {
    "core": {"core"},
    **{stage: {"core", *STAGES} for stage in STAGES},
    "storage": {"core"},
    "orchestration": {"core", *STAGES, "storage"},
    "app": {"core", *STAGES, "storage", "orchestration"},
    "flows": {"core", "orchestration"},
}
PREFECT = ("prefect", "prefect_dask")


def layer_of_module(module: str) -> str:
    """The layer of a dotted presswork module name: its sub-package, or core for a top-level module."""
    parts = module.split(".")
    if len(parts) >= 2 and (PACKAGE / parts[1]).is_dir():
        return parts[1]
    return "core"


def layer_of_file(path: Path) -> str:
    if path.is_relative_to(REPO / "flows"):
        return "flows"
    return layer_of_module(".".join(path.relative_to(REPO).with_suffix("").parts))


def imported_modules(source: str, module: str) -> list[str]:
    """Every module a source imports, absolute, wherever the import stands."""
    found: list[str] = []
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolve against this module's package
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append(base)
            # `from presswork import clean` imports the sub-package `clean`.
            found.extend(f"{base}.{alias.name}" for alias in node.names if base == "presswork")
    return found


def violations(path: Path, source: str) -> list[str]:
    """The imports of one file that break the layer rules."""
    module = ".".join(path.relative_to(REPO).with_suffix("").parts)
    layer = layer_of_file(path)
    broken: list[str] = []
    for imported in imported_modules(source, module):
        top = imported.split(".")[0]
        if top in PREFECT and layer != "orchestration":
            broken.append(f"{module} ({layer}) imports {imported}: only orchestration imports Prefect")
        if top != "presswork" or imported == "presswork":
            continue
        target = layer_of_module(imported)
        if target != layer and target not in ALLOWED[layer]:
            broken.append(f"{module} ({layer}) imports {imported} ({target})")
    return broken


def sources() -> list[Path]:
    return sorted([*PACKAGE.rglob("*.py"), *(REPO / "flows").glob("*.py")])


@pytest.mark.parametrize("path", sources(), ids=lambda path: str(path.relative_to(REPO)))
def test_module_keeps_to_its_layer(path: Path):
    assert violations(path, path.read_text()) == []


def test_every_sub_package_has_a_layer():
    sub_packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert sub_packages <= set(ALLOWED), f"a new sub-package needs a rule: {sub_packages - set(ALLOWED)}"


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        ("presswork/clean/x.py", "from presswork.storage.warehouse import Layout", "imports presswork.storage"),
        ("presswork/entities/x.py", "def f():\n    from presswork.app import cli", "imports presswork.app"),
        ("presswork/storage/x.py", "from presswork.clean.corpus import SourceStats", "imports presswork.clean"),
        ("presswork/storage/x.py", "from ..clean import corpus", "imports presswork.clean"),
        ("presswork/records.py", "from presswork import storage", "imports presswork.storage"),
        ("presswork/ingest/x.py", "import prefect", "only orchestration imports Prefect"),
        ("presswork/orchestration/x.py", "from presswork.app.cli import main", "imports presswork.app"),
        ("flows/x.py", "from presswork.app.cli import main", "imports presswork.app"),
    ],
)
def test_the_checker_catches_each_kind_of_violation(path: str, source: str, expected: str):
    found = violations(REPO / path, source)
    assert len(found) == 1 and expected in found[0]


def test_the_checker_allows_what_the_layers_allow():
    allowed = [
        ("presswork/clean/x.py", "from presswork.ingest.decode import normalise_text\nfrom presswork import records"),
        ("presswork/orchestration/x.py", "import prefect\nfrom presswork.storage import warehouse"),
        ("presswork/app/x.py", "from presswork.orchestration.flow import presswork"),
        ("flows/x.py", "from presswork.orchestration.flow import presswork"),
    ]
    for path, source in allowed:
        assert violations(REPO / path, source) == []
