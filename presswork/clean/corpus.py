"""Corpus knowledge: a line that recurs across many documents of one source is that source's boilerplate.

This is CCNet's paragraph-level deduplication, narrowed to one source (site or folder) so that a quote
syndicated across outlets is not taken for boilerplate. Counts come from the warehouse (table `source_lines`:
one row per document and distinct line, lines stored as 64-bit hashes) plus the batch being cleaned.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import repeat

from presswork.clean.cleaner import count_words, is_prose, line_key

MIN_DOCUMENTS = 3  # a line must recur in at least this many documents of the source
# Prose (a full sentence of eight words or more) is only boilerplate when it is on most of the source's pages,
# like "IRIA is a research institute focusing on ..." under every IRIA article; a quote repeated in a few
# follow-up stories is not.
PROSE_SHARE = 0.5
PROSE_MIN_DOCUMENTS = 5


@dataclass(slots=True)
class SourceStats:
    """Per source: how many documents it has, and in how many of them each line occurs."""

    documents: Counter[str] = field(default_factory=Counter)
    lines: Counter[tuple[str, int]] = field(default_factory=Counter)

    def add(self, source: str, hashes: Iterable[int]) -> None:
        self.documents[source] += 1
        self.lines.update(zip(repeat(source), hashes))  # pairs made in C: this runs in the flow's process

    def merge(self, other: SourceStats) -> None:
        self.documents.update(other.documents)
        self.lines.update(other.lines)

    def frequent(self, sources: set[str]) -> SourceStats:
        """The counts of `sources` that `repeated_lines` can act on: lines in at least MIN_DOCUMENTS documents.

        `repeated_lines` gives the same answer with these as with all counts; they are what a worker needs.
        """
        lines = Counter({key: n for key, n in self.lines.items() if n >= MIN_DOCUMENTS and key[0] in sources})
        return SourceStats(Counter({s: self.documents[s] for s in sources}), lines)


def line_hash(key: str) -> int:
    """Return a signed 64-bit hash of a normalised line (fits Parquet int64)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def document_line_hashes(text: str) -> set[int]:
    """Return the hashes of a document's distinct lines, as the cleaner will see them."""
    keys = {line_key(line) for line in text.split("\n")}
    return {line_hash(key) for key in keys if key}


def repeated_lines(stats: SourceStats, source: str, text: str) -> frozenset[str]:
    """Return the line keys of `text` that are boilerplate of `source` by the counts in `stats`."""
    total = stats.documents[source]
    repeated: set[str] = set()
    for line in text.split("\n"):
        key = line_key(line)
        if not key:
            continue
        seen = stats.lines[(source, line_hash(key))]
        if seen < MIN_DOCUMENTS:
            continue
        rare_for_prose = seen < PROSE_MIN_DOCUMENTS or seen < PROSE_SHARE * total
        if is_prose(line) and count_words(line) >= 8 and rare_for_prose:
            continue
        repeated.add(key)
    return frozenset(repeated)
