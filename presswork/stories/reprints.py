"""Near-duplicates: link a lightly edited reprint to the earliest copy of the same text.

A body is reduced to the set of its word shingles (`SHINGLE_WORDS` consecutive words, casefolded) and that set to a
MinHash signature of `NUM_PERM` values (datasketch, scheme "affine32", fixed seed: the same body gives the same
bytes in every process and Python run, so signatures can be stored and compared later). Two signatures agree in
a share of their values that estimates the Jaccard similarity of the shingle sets.

`ReprintIndex` finds candidates by LSH banding (`BANDS` bands of `NUM_PERM // BANDS` values: two bodies become
candidates when one band is equal) and links a new article when its estimated Jaccard with a candidate reaches
`THRESHOLD`. The banding is deliberately looser than the threshold, so the S-curve of LSH loses almost no pair
at the threshold; the exact estimate then decides. Settings and their measurements: `benchmarks/reprints.py`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np

# Measured by `benchmarks/reprints.py` on the 772 ecb-dev articles and the seeds: generated light reprints sit
# at 0.41 (5th percentile) to 0.66 (median) exact Jaccard on word 5-grams, and 97.6% are linked at 0.35 (88% of
# those under 100 words, where one dropped paragraph is a quarter of the text); 8,710 of 9,067 pairs of
# different articles of one ecb-dev topic stay under 0.05. The pairs above 0.35 that were read are real wire
# copies run by two outlets (ecb_07_2/ecb_07_4, ecb_24_1/ecb_24_5), the seeds have none. 5-grams rather than 3- or
# 4-grams: at every threshold they link fewer pairs of different articles for the same recall.
SHINGLE_WORDS = 5
THRESHOLD = 0.35
# 128 values: the estimate's standard error is at most 0.044 (at Jaccard 0.5), small against the gap between
# reprints and different articles; 512 bytes a signature in the warehouse.
NUM_PERM = 128
# 64 bands of 2 values: a pair at Jaccard 0.35 becomes a candidate with probability 0.9998 (0.984 at 0.25), so
# LSH loses almost nothing at the threshold; pairs of different articles that become candidates are rejected
# by the estimate, at the cost of one comparison each.
BANDS = 64
SEED = 1
# datasketch 2.0 changed its default scheme ("legacy" before): name it, so that stored signatures keep meaning
# the same thing whatever a later default is.
SCHEME = "affine32"

# Words as presswork's cleaner counts them; casefolded and with typographic apostrophes straightened, so that
# a reprint that retypes quotes or capitals still shares its shingles.
_WORD = re.compile(r"\w+(?:['’.-]\w+)*")
_MAX_VALUE = np.uint32(0xFFFFFFFF)
_DTYPE = np.dtype("<u4")
_SIGNATURE_BYTES = NUM_PERM * _DTYPE.itemsize
# The signature of an empty set (datasketch's own "empty" value): a body without a single shingle gets it, and
# the index never links it, so two different three-word bodies cannot look identical.
EMPTY_SIGNATURE = np.full(NUM_PERM, _MAX_VALUE, dtype=_DTYPE).tobytes()


@lru_cache(maxsize=1)
def _minhash() -> tuple[Any, Any]:
    """datasketch's MinHash class and the permutations of `SEED`, imported and computed on first use.

    Only the processes that compute signatures need them: importing datasketch imports scipy (0.5 s of CPU),
    which the process that links reprints and assigns stories from stored signatures never uses. The
    permutations take longer to compute than hashing an article; they depend on the seed only.
    """
    from datasketch import MinHash

    return MinHash, MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def shingles(body: str, size: int = SHINGLE_WORDS) -> set[bytes]:
    """Return the body's distinct runs of `size` consecutive words, casefolded, as UTF-8 bytes."""
    words = _WORD.findall(body.casefold().replace("’", "'"))
    # zip of the list shifted 0..size-1 words: the same runs as slicing at every start, without the slices.
    return {" ".join(run).encode("utf-8") for run in zip(*(words[shift:] for shift in range(size)), strict=False)}


def signature(body: str, shingle_words: int = SHINGLE_WORDS) -> bytes:
    """Return the MinHash signature of the body's word shingles: NUM_PERM little-endian uint32 values."""
    found = shingles(body, shingle_words)
    if not found:
        return EMPTY_SIGNATURE
    minhash_class, permutations = _minhash()
    # datasketch's own hash (`sha1_hash32`: the first 4 bytes of SHA-1, little-endian), taken here for all the
    # shingles at once; datasketch then gets the values with an identity hash function. Same values, a fifth less
    # time than a Python call of `sha1_hash32` per shingle (tests/test_reprints.py compares the two).
    sha1 = hashlib.sha1
    values = np.frombuffer(b"".join([sha1(shingle).digest()[:4] for shingle in found]), dtype=_DTYPE).tolist()
    minhash = minhash_class(num_perm=NUM_PERM, permutations=permutations, scheme=SCHEME, hashfunc=_as_is)
    minhash.update_batch(values)  # a minimum over all values: their order does not matter
    return minhash.hashvalues.astype(_DTYPE).tobytes()


def _as_is(value: int) -> int:
    return value


def _values(sig: bytes) -> np.ndarray:
    if len(sig) != _SIGNATURE_BYTES:
        raise ValueError(f"a signature has {_SIGNATURE_BYTES} bytes ({NUM_PERM} uint32 values), not {len(sig)}")
    return np.frombuffer(sig, dtype=_DTYPE)


def _empty(values: np.ndarray) -> bool:
    """Whether signature values are those of a body too short for one shingle (`EMPTY_SIGNATURE`)."""
    return bool((values == _MAX_VALUE).all())


def similarity(a: bytes, b: bytes) -> float:
    """Estimate the Jaccard similarity of two bodies' shingle sets; 0.0 when either has none."""
    first, second = _values(a), _values(b)
    if _empty(first) or _empty(second):
        return 0.0
    return float(np.count_nonzero(first == second)) / NUM_PERM


@dataclass(frozen=True, slots=True)
class Link:
    article_id: str
    duplicate_of: str  # the earliest copy's article_id
    similarity: float  # estimated Jaccard with the copy it matched


class _BandTable:
    """Map LSH band keys to index rows: a sorted array for the bulk, a dict for what was added since.

    A dict of 100k articles x 64 bands holds 6.4M Python objects (datasketch's MinHashLSH took 42 s and 1.4 GB
    to load 100k signatures at 42 bands); two numpy arrays hold the same in 77 MB, and a lookup is still one
    binary search per band. New rows go to the dict and are merged in when it reaches an eighth of the array,
    so merges cost O(n log n) in total.
    """

    def __init__(self) -> None:
        self._keys = np.empty(0, dtype=np.uint64)
        self._rows = np.empty(0, dtype=np.int64)
        self._recent: dict[int, list[int]] = {}
        self._recent_count = 0

    def insert(self, keys: np.ndarray, rows: np.ndarray) -> None:
        """Insert `keys[i]` (one key per band) for `rows[i]`."""
        if keys.size == 0:
            return
        if self._recent_count + keys.size > max(4096, self._keys.size // 8):
            self._merge(keys.ravel(), np.repeat(rows, keys.shape[1]))
            return
        for row, row_keys in zip(rows.tolist(), keys.tolist(), strict=True):
            for key in row_keys:
                self._recent.setdefault(key, []).append(row)
        self._recent_count += keys.size

    def _merge(self, keys: np.ndarray, rows: np.ndarray) -> None:
        recent_keys = np.fromiter(
            (key for key, members in self._recent.items() for _ in members), dtype=np.uint64, count=self._recent_count
        )
        recent_rows = np.fromiter(
            (row for members in self._recent.values() for row in members), dtype=np.int64, count=self._recent_count
        )
        all_keys = np.concatenate([self._keys, recent_keys, keys])
        all_rows = np.concatenate([self._rows, recent_rows, rows])
        order = np.argsort(all_keys, kind="stable")
        self._keys, self._rows = all_keys[order], all_rows[order]
        self._recent, self._recent_count = {}, 0

    def lookup(self, keys: np.ndarray) -> set[int]:
        """Return the rows that share at least one band key with `keys`."""
        found: set[int] = set()
        starts = np.searchsorted(self._keys, keys, side="left")
        ends = np.searchsorted(self._keys, keys, side="right")
        for band in np.flatnonzero(ends > starts).tolist():
            found.update(self._rows[starts[band] : ends[band]].tolist())
        for key in keys.tolist():
            found.update(self._recent.get(key, ()))
        return found


# One odd 64-bit multiplier per (band, value): a band's key is the wrapping sum of its values times them, a
# 2-universal hash whose multipliers differ per band, so equal values in two bands give different keys. A rare
# key collision only makes a spurious candidate, which the estimate rejects.
_MULTIPLIERS = np.random.RandomState(SEED).randint(0, 2**63, size=NUM_PERM, dtype=np.int64).astype(np.uint64)
_MULTIPLIERS = _MULTIPLIERS * np.uint64(2) + np.uint64(1)


def band_keys(values: np.ndarray, bands: int = BANDS) -> np.ndarray:
    """Return one uint64 key per band for each signature (rows of `values`, NUM_PERM uint32 each)."""
    grouped = (values.astype(np.uint64) * _MULTIPLIERS).reshape(values.shape[0], bands, NUM_PERM // bands)
    return grouped.sum(axis=2, dtype=np.uint64)


class ReprintIndex:
    """The signatures of recent articles, to link a new article to the earliest copy it reprints."""

    def __init__(self, threshold: float = THRESHOLD, bands: int = BANDS) -> None:
        if NUM_PERM % bands:
            raise ValueError(f"bands must divide NUM_PERM ({NUM_PERM}), not {bands}")
        if not 0 < threshold <= 1:
            raise ValueError("threshold must be in (0, 1]")
        self.threshold = threshold
        self.bands = bands
        self._ids: list[str] = []  # row -> article_id; rows in the order added, which breaks seen_at ties
        self._row_of: dict[str, int] = {}
        self._seen_at: list[datetime] = []
        self._parent: list[str | None] = []  # duplicate_of as given (stored), resolved when linking
        # The signatures, row by row, as one uint32 matrix (doubled as it fills): a query scores all its candidates
        # in one numpy comparison; one `similarity` call per candidate cost 10 us each, and a 1,500-article corpus
        # built from shared paragraphs (benchmarks/make_corpus.py) has hundreds of candidates per article.
        self._matrix = np.empty((1024, NUM_PERM), dtype=_DTYPE)
        self._table = _BandTable()
        self._unbanded: list[int] = []  # rows added since the last query; banded together, in one numpy pass

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._row_of

    def add(self, article_id: str, seen_at: datetime, sig: bytes, duplicate_of: str | None = None) -> None:
        """Add an article already in the warehouse, with its `duplicate_of` as stored (None for an original)."""
        if article_id in self._row_of:
            raise ValueError(f"article {article_id} is already in the index")
        values = _values(sig)
        row = len(self._ids)
        self._ids.append(article_id)
        self._row_of[article_id] = row
        self._seen_at.append(seen_at)
        self._parent.append(duplicate_of)
        if row == len(self._matrix):
            self._matrix = np.concatenate([self._matrix, np.empty_like(self._matrix)])
        self._matrix[row] = values
        if not _empty(values):
            self._unbanded.append(row)

    def link(self, article_id: str, seen_at: datetime, sig: bytes) -> Link | None:
        """Link the article to the earliest copy it reprints, if any, then add it to the index."""
        match = self._match(sig)
        self.add(article_id, seen_at, sig, match[0] if match else None)
        if match is None:
            return None
        return Link(article_id, *match)

    def _match(self, sig: bytes) -> tuple[str, float] | None:
        """Return the earliest copy the signature is similar enough to (through any match), and the similarity."""
        values = _values(sig)
        if _empty(values):
            return None
        self._band_pending()
        matches: list[tuple[tuple[object, ...], float, str]] = []
        # Candidates are banded rows only, so none has the empty signature; `similarity` would give the same.
        rows = np.fromiter(self._table.lookup(band_keys(values[np.newaxis, :], self.bands)[0]), dtype=np.int64)
        scores = np.count_nonzero(self._matrix[rows] == values, axis=1) / NUM_PERM
        for row, score in zip(rows.tolist(), scores.tolist(), strict=True):
            if score >= self.threshold:
                root = self._root(row)
                matches.append((self._rank(root), -score, root))
        if not matches:
            return None
        # Earliest copy first; among matches resolving to that copy, the closest one tells the similarity.
        _, negative_score, root = min(matches)
        return root, -negative_score

    def _band_pending(self) -> None:
        if not self._unbanded:
            return
        rows = np.asarray(self._unbanded, dtype=np.int64)
        self._table.insert(band_keys(self._matrix[rows], self.bands), rows)
        self._unbanded = []

    def _root(self, row: int) -> str:
        """Follow duplicate_of to the earliest copy; it may lie outside the index (older than its window)."""
        current = self._ids[row]
        visited = {current}
        parent = self._parent[row]
        while parent is not None and parent not in visited:
            current = parent
            visited.add(current)
            parent_row = self._row_of.get(current)
            parent = self._parent[parent_row] if parent_row is not None else None
        return current

    def _rank(self, article_id: str) -> tuple[object, ...]:
        """Order copies by age: one outside the index is older than all inside; then seen_at, then rows."""
        row = self._row_of.get(article_id)
        if row is None:
            return (0,)
        return (1, self._seen_at[row], row)
