"""Resolve entity names across the whole warehouse into one entity per real-world thing.

Input: every distinct normalised mention name with its label votes, and the acronym definitions found in the
text ("International Criminal Court (ICC)"). Output: for each name, the entity it belongs to. The steps, each
linear in the number of names (inverted indexes, no pairwise comparison):
1. Names with the same tokens in any order, patronymic suffixes removed, are one entity ("Khurelsukh Ukhnaa",
   "Ukhnaa Khurelsukh", "Ukhnaagiin Khurelsukh").
2. An acronym joins the one entity it was defined for in the text, or else the one multi-word name in the
   corpus whose initials it spells ("UN" -> "United Nations").
3. A one-word name joins the one person whose full name contains it ("Putin" -> "Vladimir Putin"). When two
   different people share it, it stays on its own: an unresolved name is better than a wrong merge.
The entity's name is its fullest form; its label is the majority of its mentions' votes, ties broken by how
reliable the small English model is for each label.

Pure: names, votes and acronym pairs in, resolved rows out. Reading them from the warehouse and writing the
`entity_names` table is the commit's business (`presswork/orchestration/tasks.py`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Tie-break order for label votes: how often the small English model is right when it predicts the label.
LABEL_RELIABILITY = ("PERSON", "GPE", "ORG", "NORP", "LOC", "EVENT", "LAW", "FAC", "PRODUCT", "WORK_OF_ART", "LANGUAGE")
LOCATION_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Genitive suffixes of Mongolian patronymics ("Ukhnaagiin" = "of Ukhnaa"); only stripped when the stem that is
# left is a plausible name.
_PATRONYMIC = re.compile(r"(?:giin|iin|yn|ын|ийн)$")
_TOKEN = re.compile(r"[\w'’.-]+")
_ACRONYM_STOPWORDS = frozenset({"of", "the", "and", "for", "on", "de", "la", "du", "des", "&"})


@dataclass(frozen=True, slots=True)
class NameStat:
    """One distinct normalised name and how its mentions voted."""

    name: str
    votes: Counter[str]
    mentions: int


@dataclass(frozen=True, slots=True)
class Resolved:
    """The entity a name belongs to."""

    name: str
    entity_id: str
    entity_name: str
    entity_label: str


def fold(text: str) -> str:
    """Case-fold and strip accents, for comparing names."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(name: str) -> list[str]:
    """The name's folded tokens, possessive and full stops removed."""
    return [t.replace(".", "").rstrip("'’") for t in _TOKEN.findall(fold(name)) if t.replace(".", "")]


def stem(token: str) -> str:
    """Strip a patronymic suffix when a name of at least three letters is left."""
    stripped = _PATRONYMIC.sub("", token)
    return stripped if len(stripped) >= 3 else token


def order_key(name: str) -> str:
    """The same key for name-order and patronymic variants of one name."""
    return " ".join(sorted(stem(t) for t in tokens(name)))


def acronym_of(name: str) -> str | None:
    """Return the name as an acronym ('U.S.' -> 'US') when it is one, else None."""
    compact = name.replace(".", "").replace(" ", "")
    if 2 <= len(compact) <= 6 and compact.isalpha() and compact.isupper():
        return compact
    return None


def initials(name: str) -> str:
    """Initials of a multi-word name without small words ('International Criminal Court' -> 'ICC')."""
    words = [w for w in re.findall(r"[\w'’-]+", name) if w.casefold() not in _ACRONYM_STOPWORDS]
    return "".join(w[0] for w in words).upper() if len(words) >= 2 else ""


def entity_id_for(name: str) -> str:
    """Return the stable id of an entity: a hash of its case-folded canonical name."""
    return hashlib.sha256(fold(name).encode()).hexdigest()[:16]


class _Groups:
    """Union-find over names."""

    def __init__(self, names: Iterable[str]) -> None:
        self.parent = {name: name for name in names}

    def find(self, name: str) -> str:
        root = name
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[name] != root:
            self.parent[name], name = root, self.parent[name]
        return root

    def union(self, a: str, b: str) -> None:
        self.parent[self.find(a)] = self.find(b)

    def members(self) -> dict[str, list[str]]:
        groups: dict[str, list[str]] = defaultdict(list)
        for name in self.parent:
            groups[self.find(name)].append(name)
        return groups


def _majority(votes: Counter[str]) -> str:
    rank = {label: index for index, label in enumerate(LABEL_RELIABILITY)}
    return min(votes, key=lambda label: (-votes[label], rank.get(label, len(rank)), label))


def resolve_names(stats: list[NameStat], acronyms: Iterable[tuple[str, str]] = ()) -> dict[str, Resolved]:
    """Map every name in `stats` to its entity. `acronyms` holds (short, long) pairs defined in the text."""
    by_name = {s.name: s for s in stats}
    groups = _Groups(by_name)

    # 1. Same tokens in any order, patronymics removed.
    first_with_key: dict[str, str] = {}
    for name in sorted(by_name):
        key = order_key(name)
        if key in first_with_key:
            groups.union(name, first_with_key[key])
        else:
            first_with_key[key] = name

    # 2. Acronyms: a definition in the text wins; else the one corpus name with those initials.
    defined: dict[str, set[str]] = defaultdict(set)
    for short, long in acronyms:
        if long in by_name:
            defined[short].add(long)
    by_initials: dict[str, set[str]] = defaultdict(set)
    for name, stat in by_name.items():
        if initials(name) and _majority(stat.votes) != "PERSON":
            by_initials[initials(name)].add(name)
    for name in by_name:
        short = acronym_of(name)
        if short is None:
            continue
        targets = {groups.find(n) for n in defined.get(short) or by_initials.get(short, ())}
        targets.discard(groups.find(name))
        if len(targets) == 1:
            groups.union(name, targets.pop())

    # 3. One-word names join the one person whose full name contains them.
    people_by_token: dict[str, set[str]] = defaultdict(set)
    for root, members in groups.members().items():
        votes = sum((by_name[m].votes for m in members), Counter())
        if _majority(votes) != "PERSON":
            continue
        for member in members:
            member_tokens = [stem(t) for t in tokens(member)]
            if len(member_tokens) >= 2:
                for token in member_tokens:
                    people_by_token[token].add(root)
    for name, stat in by_name.items():
        name_tokens = [stem(t) for t in tokens(name)]
        if len(name_tokens) != 1 or acronym_of(name):
            continue
        candidates = {groups.find(root) for root in people_by_token.get(name_tokens[0], ())} - {groups.find(name)}
        located = sum(stat.votes[label] for label in LOCATION_LABELS)
        if len(candidates) == 1 and located < 0.8 * sum(stat.votes.values()):
            groups.union(name, candidates.pop())

    resolved: dict[str, Resolved] = {}
    for members in groups.members().values():
        canonical = max(members, key=lambda m: (len(tokens(m)), len(m), by_name[m].mentions, m))
        votes = sum((by_name[m].votes for m in members), Counter())
        entity = Resolved("", entity_id_for(canonical), canonical, _majority(votes))
        for member in members:
            resolved[member] = Resolved(member, entity.entity_id, entity.entity_name, entity.entity_label)
    return resolved


def name_stats(votes: Mapping[str, Mapping[str, int]]) -> list[NameStat]:
    """Return one NameStat per name, in name order, from each name's votes per label."""
    return [NameStat(name, Counter(by_label), sum(by_label.values())) for name, by_label in sorted(votes.items())]


def entity_name_rows(resolved: Mapping[str, Resolved]) -> list[Resolved]:
    """Return the rows of the `entity_names` table: which entity each name belongs to, in name order."""
    return sorted(resolved.values(), key=lambda r: r.name)
