"""Find input files and fingerprint them."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from presswork.records import SourceFile

# Suffix (after an optional .gz) -> document kind. Anything else in a folder is not an input.
UNSUPPORTED = "unsupported"
KINDS: dict[str, str] = {".txt": "text", ".html": "html", ".htm": "html", ".jsonl": "jsonl", ".warc": "warc"}


def classify_path(path: Path) -> tuple[str, bool] | None:
    """Return (kind, compressed) for a supported input name, else None."""
    suffixes = [s.lower() for s in path.suffixes]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    if compressed:
        suffixes = suffixes[:-1]
    if not suffixes or suffixes[-1] not in KINDS:
        return None
    return KINDS[suffixes[-1]], compressed


def hash_file(path: Path) -> str:
    """Return the sha256 of a file's bytes, read in chunks so huge files cost no memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _walk(root: Path) -> list[Path]:
    found: list[Path] = []
    for folder, dirs, files in os.walk(root):
        # Hidden folders (.git, .venv, editor state) never hold articles.
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(folder) / name for name in sorted(files) if not name.startswith("."))
    return found


def discover_inputs(paths: list[str]) -> list[SourceFile]:
    """List the input files under `paths` (files or folders, recursively), sorted and unique.

    A file named explicitly with an unsupported suffix is listed with kind "unsupported" (decoding rejects it
    as `unsupported_format`); files in folders with other suffixes are not inputs and are ignored, so a
    README beside the articles does no harm.
    """
    sources: dict[str, SourceFile] = {}
    for raw in paths:
        root = Path(raw).expanduser().resolve()
        explicit = root.is_file()
        for path in [root] if explicit else _walk(root):
            uri = str(path)
            classified = classify_path(path)
            if uri in sources or (classified is None and not explicit):
                continue
            kind, compressed = classified or (UNSUPPORTED, False)
            sources[uri] = SourceFile(
                uri=uri,
                path=uri,
                kind=kind,
                compressed=compressed,
                size=path.stat().st_size,
                content_hash=hash_file(path),
            )
    return sorted(sources.values(), key=lambda s: s.uri)
