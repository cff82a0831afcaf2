"""Resolve entity names across the whole warehouse into one entity per real-world thing.

Input: every distinct normalised mention name with its label votes, and the acronym definitions found in the
text ("International Criminal Court (ICC)"). Output: for each name, the entity it belongs to. The steps, each
linear in the number of names (inverted indexes and buckets, no pairwise comparison across the corpus):
1. Names with the same tokens in any order, patronymic suffixes removed, are one entity ("Khurelsukh Ukhnaa",
   "Ukhnaa Khurelsukh", "Ukhnaagiin Khurelsukh").
2. Every name and code of one country is one entity ("U.S.", "USA", "United States"), by pycountry's and
   country-converter's data (`presswork/entities/countries.py`).
3. An acronym joins the one entity it was defined for in the text, or else the one multi-word name in the
   corpus whose initials it spells ("UN" -> "United Nations").
4. A person's names with and without middle names or initials are one person when all the middle forms of that
   first and last name agree ("John F. Kennedy", "John Fitzgerald Kennedy", "John Kennedy").
5. A one-word name joins the one person whose full name contains it ("Putin" -> "Vladimir Putin"), or, when its
   mentions mostly call it a place and it is no country, the one longer place name ending in it ("Hague" ->
   "The Hague"). When two people or places share it, it stays on its own: an unresolved name is better than a
   wrong merge. Inside one article this was already done at extraction (`article_full_names`).
The entity's name is its fullest form (a country's: the name news uses, when seen); its label is the majority
of its mentions' votes, ties broken by how reliable the small English model is for each label, except that a
country is always GPE and that a one-word "person" no full name explains takes another label when enough of its
votes say so: fewer when its word is no known given name or surname (`presswork/entities/person_names.py`).

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
from functools import lru_cache

from nameparser import HumanName

from presswork.entities.countries import country_name, country_of
from presswork.entities.lexicon import NAME_PARTICLES, PLACE_PART_WORDS
from presswork.entities.person_names import is_known_name

# Tie-break order for label votes: how often the small English model is right when it predicts the label.
LABEL_RELIABILITY = ("PERSON", "GPE", "ORG", "NORP", "LOC", "EVENT", "LAW", "FAC", "PRODUCT", "WORK_OF_ART", "LANGUAGE")
LOCATION_LABELS = frozenset({"GPE", "LOC", "FAC"})
# A one-word name no person's full name contains takes its best non-person label when at least this share of its
# votes, and at least this many votes, say it is no person (`_label`). On the dev corpora the one-word people never
# named in full got at most a quarter of non-person votes ("Dion" 6 of 25, "Penny" 10 of 46 on html-dev), and
# "Pam" (html-dev, a person) got 2 ORG votes of 4, from one page: a third, and three votes, leave a margin.
NON_PERSON_SHARE = 1 / 3
NON_PERSON_MIN_VOTES = 3
# A word that is no known given name or surname (the census lists, `person_names.py`) needs a smaller share:
# ecb-dev's "Twitter" (12 PERSON, 3 PRODUCT) has a fifth, and a sixth leaves it a margin. The floor of three votes
# stays: the people of the dev corpora whose names the lists lack and that no full name explains got one stray
# vote each ("Sabathia" 1 of 3, "LiLo" 1 of 4, "Klistchko" 1 of 2). The risk left is a foreign surname never
# named in full whose stray votes are three or more and a sixth (none on the dev corpora): it is relabelled.
UNKNOWN_NAME_SHARE = 1 / 6
# Genitive suffixes of Mongolian patronymics ("Ukhnaagiin" = "of Ukhnaa"); only stripped when the stem that is
# left is a plausible name.
_PATRONYMIC = re.compile(r"(?:giin|iin|yn|ын|ийн)$")
_TOKEN = re.compile(r"[\w'’.-]+")
_ACRONYM_STOPWORDS = frozenset({"of", "the", "and", "for", "on", "de", "la", "du", "des", "&"})
# nameparser splits a person's name into first, middle and last (with particles, "von der Leyen", and suffixes,
# "Jr."); it is only asked about names of three words or more, where the middle is in question.
_PARSED_FROM = 3


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


@lru_cache(maxsize=1 << 18)  # each step asks again for the same names' tokens
def tokens(name: str) -> tuple[str, ...]:
    """The name's folded tokens, possessive and full stops removed."""
    return tuple(t.replace(".", "").rstrip("'’") for t in _TOKEN.findall(fold(name)) if t.replace(".", ""))


def stem(token: str) -> str:
    """Strip a patronymic suffix when a name of at least three letters is left."""
    stripped = _PATRONYMIC.sub("", token)
    return stripped if len(stripped) >= 3 else token


def order_key(name: str) -> str:
    """The same key for name-order and patronymic variants of one name.

    A short acronym keeps its capitals apart from the word it spells: "WHO" is not "Who", nor "US" "Us" (ecb-dev
    had "Us" in the United States); "U.S." and "US" share their key.
    """
    key = " ".join(sorted(stem(t) for t in tokens(name)))
    short = acronym_of(name)
    return f"{key} (acronym)" if short is not None and len(short) <= 3 else key


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


_RANK = {label: index for index, label in enumerate(LABEL_RELIABILITY)}


def majority_label(votes: Counter[str]) -> str:
    """The label most votes say, ties broken by how reliable the small model is for each label."""
    return min(votes, key=lambda label: (-votes[label], _RANK.get(label, len(_RANK)), label))


def _label(votes: Counter[str], one_word: bool, in_full_names: bool, known_name: bool) -> str:
    """The entity's label: the majority vote, unless the small model calls a one-word thing a person.

    The small model calls one-word organisations and places PERSON ("Twitter", "Ashgabat" on ecb-dev), often
    enough to win the vote. A one-word entity whose words are in no person's full name in the corpus, and that
    a real share of its mentions call something else, takes the best of those other labels: a third when its
    word is a known given name or surname (`known_name`), a sixth when it is not. A person known by one name
    gets few non-person votes ("Madonna"), and a surname of a person named in full stays PERSON ("Putin",
    ecb-dev's "Page" with 11 non-person votes of 29, beside "Betty Page").
    """
    label = majority_label(votes)
    if label != "PERSON" or not one_word or in_full_names:
        return label
    share = NON_PERSON_SHARE if known_name else UNKNOWN_NAME_SHARE
    others = Counter({other: count for other, count in votes.items() if other != "PERSON"})
    if others.total() < max(NON_PERSON_MIN_VOTES, share * votes.total()):
        return label
    return majority_label(others)


def _mostly_located(votes: Counter[str], share: float) -> bool:
    return sum(votes[label] for label in LOCATION_LABELS) >= share * sum(votes.values())


def _country(name: str, votes: Counter[str]) -> str | None:
    """The country a name denotes; a one-word name most mentions call a person is a person ("Jordan")."""
    if len(tokens(name)) == 1 and votes["PERSON"] > 0.5 * votes.total():
        return None
    return country_of(name, mostly_place=_mostly_located(votes, 0.5))


def person_parts(name: str) -> tuple[str, tuple[str, ...], str] | None:
    """Return a person's (first, middle names or initials, last) name, folded; None without a full first name.

    A leading initial before a full given name is dropped: "W. Mark Felt" is known as "Mark Felt", "F. Scott
    Fitzgerald" as "Scott Fitzgerald".
    """
    words = tokens(name)
    if len(words) < 2:
        return None
    if len(words) < _PARSED_FROM:
        first, middle, last = words[0], (), words[1]
    else:
        parsed_first, parsed_middle, parsed_last, _ = _human_name(name)
        first_words = tokens(parsed_first)
        if len(first_words) != 1 or not parsed_last:
            return None
        first, middle, last = first_words[0], tuple(tokens(parsed_middle)), " ".join(tokens(parsed_last))
        if len(first) == 1 and middle and len(middle[0]) > 1:
            first, middle = middle[0], middle[1:]
    return (first, middle, last) if len(first) > 1 else None


def person_suffix(name: str) -> str:
    """Return a person's generational suffix, folded and without its full stop ("jr", "sr", "iii"), or ""."""
    if len(tokens(name)) < _PARSED_FROM:
        return ""
    return " ".join(tokens(_human_name(name)[3]))


@lru_cache(maxsize=1 << 16)
def _human_name(name: str) -> tuple[str, str, str, str]:
    """nameparser's (first, middle, last, suffix) of a name; parsed once, as resolution asks several times."""
    parsed = HumanName(name)
    return parsed.first, parsed.middle, parsed.last, parsed.suffix


def lookup_tokens(name: str) -> set[str]:
    """The tokens of a full name a one-word name may stand for: the given name and the surname, not a middle
    name ("Cheney" is not "Frederick Cheney LaRue", nor "Meghan" the model's "Kamel Daoud Meghan Daum", two
    people in one span); every token when nameparser finds no given name (initials, "Ukhnaagiin Khurelsukh")."""
    if (parts := person_parts(name)) is None:
        return {stem(t) for t in tokens(name)}
    return {stem(parts[0]), *surname_tokens(name)}


def surname_tokens(name: str) -> set[str]:
    """The tokens of a full name's surname: its last word, and the words of the last name nameparser finds
    ("von der Leyen"); stemmed like the tokens they are looked up with."""
    words = tokens(name)
    found = {stem(words[-1])} if words else set()
    if (parts := person_parts(name)) is not None:
        found.update(stem(t) for t in parts[2].split())
    return found


def looks_like_full_name(name: str) -> bool:
    """Whether every word of a multi-word name is capitalised, an initial or a particle ("Ursula von der Leyen";
    not the model's "Meghan cry", which would take every "Meghan" of its article), with no digit or colon (not
    html-dev's "Coinbase Pro: Fees Coinbase", a page title the model called a person)."""
    words = name.split()
    return (
        len(words) >= 2
        and all(w[0].isupper() or w.casefold() in NAME_PARTICLES for w in words)
        and not any(ch.isdigit() or ch == ":" for ch in name)
    )


def _middles_agree(middle: tuple[str, ...], fullest: tuple[str, ...]) -> bool:
    """No middle name agrees with any; otherwise word by word, an initial agreeing with a name it begins."""
    if not middle:
        return True
    return len(middle) == len(fullest) and all(
        a == b or (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b))
        for a, b in zip(middle, fullest, strict=True)
    )


def article_full_names(names: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Map one article's one-word names to the one full person name of that article containing them.

    `names` holds each mention's (name, vote). Inside an article a surname almost always means the person the
    article named in full ("Johnson" after "Boris Johnson"); when two people of the article share it, or its
    mentions mostly call it a place, it is left for resolution across the corpus.
    """
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for name, vote in names:
        votes[name][vote] += 1
    fullest: dict[str, str] = {}  # person key -> the most mentioned full name with it
    keys_by_token: dict[str, set[str]] = defaultdict(set)
    keys_by_surname: dict[str, set[str]] = defaultdict(set)
    full_names = [
        name
        for name, by_label in votes.items()
        if len(tokens(name)) >= 2 and majority_label(by_label) == "PERSON" and looks_like_full_name(name)
    ]
    person_of = _article_people(full_names)
    for name in full_names:
        by_label = votes[name]
        key = person_of[name]
        current = fullest.get(key)
        if current is None or (by_label.total(), name) > (votes[current].total(), current):
            fullest[key] = name
        for word in lookup_tokens(name):
            keys_by_token[word].add(key)
        for word in surname_tokens(name):
            keys_by_surname[word].add(key)
    full: dict[str, str] = {}
    for name, by_label in votes.items():
        words = [stem(t) for t in tokens(name)]
        if len(words) != 1 or acronym_of(name) or _mostly_located(by_label, 0.8) or not name[0].isupper():
            continue
        # As across the corpus (`resolve_names`, step 5): a name the model mostly calls something else joins a
        # person only as the surname.
        by_token = keys_by_token if majority_label(by_label) == "PERSON" else keys_by_surname
        keys = by_token.get(words[0], set())
        if len(keys) == 1:
            full[name] = fullest[next(iter(keys))]
    return full


def _article_people(full_names: list[str]) -> dict[str, str]:
    """Key one article's full person names by person: the order key, shared by the forms of one first and last
    name whose middle names agree and that carry one suffix at most ("W. Mark Felt", "Mark Felt"; not "George W.
    Bush" beside "George H. W. Bush", nor "Mark Felt Jr" beside "Mark Felt")."""
    key_of = {name: order_key(name) for name in full_names}
    forms: dict[tuple[str, str], list[tuple[str, tuple[str, ...], str]]] = defaultdict(list)
    for name in full_names:
        if (parts := person_parts(name)) is not None:
            forms[(parts[0], parts[2])].append((name, parts[1], person_suffix(name)))
    for (first, last), bucket in forms.items():
        fullest = max((middle for _, middle, _ in bucket), key=lambda m: (len(m), sum(map(len, m))))
        if len({suffix for _, _, suffix in bucket}) == 1 and all(_middles_agree(m, fullest) for _, m, _ in bucket):
            for name, _, _ in bucket:
                key_of[name] = order_key(f"{first} {last}") + " (person)"  # name-order variants stay one
    return key_of


def _read_otherwise(
    name: str, iso3: str, named: set[str], defined: Mapping[str, set[str]], by_initials: Mapping[str, set[str]]
) -> bool:
    """Whether a country code stands for something else here: what the text defines it as, or, when the corpus
    never names that country, another name it spells ("LA" is Los Angeles, not Laos; "US" stays the United
    States beside "University of Surrey" because "United States" is in the corpus too)."""
    short = acronym_of(name)
    if short is None:
        return False
    if any(country_of(long, mostly_place=True) != iso3 for long in defined.get(short, ())):
        return True
    if iso3 in named:
        return False
    return any(acronym_of(other) is None and country_of(other, True) != iso3 for other in by_initials.get(short, ()))


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

    # 2. Countries: every name and code of one country ("U.S.", "USA", "United States") is one entity. A code
    # counts by the votes of all its spellings (ecb-dev's sports pages: "I.R." once a place, "IR" 18 times an
    # organisation, injured reserve, not Iran), and not when the text defines it as something else.
    defined: dict[str, set[str]] = defaultdict(set)
    for short, long in acronyms:
        if long in by_name:
            defined[short].add(long)
    spelling_votes: dict[str, Counter[str]] = {}  # the votes of all spellings of a name ("IR", "I.R.")
    for root, members in groups.members().items():
        spelling_votes[root] = sum((by_name[m].votes for m in members), Counter())
    by_initials: dict[str, set[str]] = defaultdict(set)
    for name, stat in by_name.items():
        if initials(name) and majority_label(stat.votes) != "PERSON":
            by_initials[initials(name)].add(name)
    found = {name: _country(name, spelling_votes[groups.find(name)]) for name in sorted(by_name)}
    named = {iso3 for name, iso3 in found.items() if iso3 is not None and acronym_of(name) is None}
    countries: dict[str, str] = {}
    first_in_country: dict[str, str] = {}
    for name, iso3 in found.items():
        if iso3 is None or _read_otherwise(name, iso3, named, defined, by_initials):
            continue
        countries[name] = iso3
        groups.union(name, first_in_country.setdefault(iso3, name))

    # 3. Acronyms: a definition in the text wins; else the one corpus name with those initials.
    for name in by_name:
        short = acronym_of(name)
        if short is None or name in countries:
            continue
        targets = {groups.find(n) for n in defined.get(short) or by_initials.get(short, ())}
        targets.discard(groups.find(name))
        if len(targets) == 1:
            groups.union(name, targets.pop())

    # 4. Middle names and initials: "John Kennedy", "John F. Kennedy", "John Fitzgerald Kennedy" are one person
    # when every middle form of that first and last name agrees ("George W. Bush" and "George H. W. Bush" do not).
    # A generational suffix tells father from son ("Mark Felt Jr" is not "W. Mark Felt Sr"): a name without one
    # joins the names with a suffix only when the corpus has one suffix for that first and last name.
    by_suffix: dict[tuple[str, str], dict[str, list[tuple[str, tuple[str, ...]]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for name, stat in by_name.items():
        if majority_label(stat.votes) == "PERSON" and (parts := person_parts(name)) is not None:
            by_suffix[(parts[0], parts[2])][person_suffix(name)].append((name, parts[1]))
    buckets: list[list[tuple[str, tuple[str, ...]]]] = []
    for suffixes in by_suffix.values():
        if len(suffixes) == 2 and "" in suffixes:
            buckets.append([member for bucket in suffixes.values() for member in bucket])
        else:
            buckets.extend(suffixes.values())
    for bucket in buckets:
        fullest = max((middle for _, middle in bucket), key=lambda m: (len(m), sum(map(len, m))))
        if len(bucket) > 1 and all(_middles_agree(middle, fullest) for _, middle in bucket):
            for name, _ in bucket[1:]:
                groups.union(name, bucket[0][0])

    # 5. One-word names join the one person whose full name contains them ("Putin"), or, when mostly a place
    # and no country, the one longer place name that ends in them, is mentioned at least as often and is not
    # another place built on them ("Hague" -> "The Hague"; "Jerusalem" stays apart from "East Jerusalem").
    # A one-word name most of whose mentions call it something else joins a person only as the surname, and only
    # one mentioned at least as often: ecb-dev's "Colts" (ORG 51 of 60) is no "Colts QB Andrew Luck", nor
    # "Christian" (NORP) "Christian Fraser", nor html-dev's "House" (ORG 5) the one-mention "Robert House";
    # ecb-dev's "Klitschko" (NORP 6 of 8) is "Wladimir Klitschko" (117 mentions), the seeds' "Khurelsukh" (ORG 2
    # of 4) the Prime Minister named in full 4 times.
    people_by_token: dict[str, set[str]] = defaultdict(set)
    people_by_surname: dict[str, set[str]] = defaultdict(set)
    places_by_token: dict[str, set[str]] = defaultdict(set)
    person_mentions: Counter[str] = Counter()
    for root, members in groups.members().items():
        label = majority_label(sum((by_name[m].votes for m in members), Counter()))
        if label == "PERSON":
            person_mentions[root] = sum(by_name[m].mentions for m in members)
        for member in members:
            member_tokens = [stem(t) for t in tokens(member)]
            if len(member_tokens) < 2:
                continue
            if label == "PERSON" and looks_like_full_name(member):
                for token in lookup_tokens(member):
                    people_by_token[token].add(root)
                for token in surname_tokens(member):
                    people_by_surname[token].add(root)
            elif label in LOCATION_LABELS and member not in countries:
                significant = [t for t in tokens(member) if t not in _ACRONYM_STOPWORDS]
                if not PLACE_PART_WORDS & set(significant[:-1]) and not any("-" in t for t in significant):
                    places_by_token[significant[-1]].add(member)
    joined_people: set[str] = set()
    for name, stat in by_name.items():
        name_tokens = [stem(t) for t in tokens(name)]
        if len(name_tokens) != 1 or acronym_of(name) or not name[0].isupper():
            continue
        own = groups.find(name)
        candidates: set[str] = set()
        if not _mostly_located(stat.votes, 0.8):
            if majority_label(stat.votes) == "PERSON":
                candidates = {groups.find(root) for root in people_by_token.get(name_tokens[0], ())} - {own}
            else:
                candidates = {groups.find(root) for root in people_by_surname.get(name_tokens[0], ())} - {own}
                if any(person_mentions[root] < stat.mentions for root in candidates):
                    candidates = set()
            if len(candidates) == 1:
                joined_people.add(name)
        if len(candidates) != 1 and _mostly_located(stat.votes, 0.5) and name not in countries:
            # A place mentioned more often on its own than the longer name is a place of its own: "Philadelphia"
            # is not "Northeast Philadelphia", nor "Alaska" "Palmer Alaska" (ecb-dev).
            longer = places_by_token.get(tokens(name)[0], set())
            if all(by_name[place].mentions >= stat.mentions for place in longer):
                candidates = {groups.find(place) for place in longer} - {own}
        if len(candidates) == 1:
            groups.union(name, candidates.pop())

    resolved: dict[str, Resolved] = {}
    for members in groups.members().values():
        canonical = max(members, key=lambda m: (len(tokens(m)), len(m), by_name[m].mentions, m))
        # A name that joined a person is that person: its mentions vote PERSON, whatever the model called them.
        votes = sum(
            (Counter(PERSON=by_name[m].mentions) if m in joined_people else by_name[m].votes for m in members),
            Counter(),
        )
        words = {stem(t) for m in members for t in tokens(m)}
        one_word = all(len(tokens(m)) == 1 for m in members)
        known_name = one_word and any(is_known_name(t) for m in members for t in tokens(m))
        label = _label(votes, one_word, any(word in people_by_token for word in words), known_name)
        country = next((countries[m] for m in members if m in countries), None)
        if country is not None:
            # A country is a place whatever the small model's votes say, named as news names it when that
            # name was seen ("United States", not "United States of America").
            label = "GPE"
            short = fold(country_name(country) or "")
            canonical = next((m for m in sorted(members) if fold(m) == short), canonical)
        entity = Resolved("", entity_id_for(canonical), canonical, label)
        for member in members:
            resolved[member] = Resolved(member, entity.entity_id, entity.entity_name, entity.entity_label)
    return resolved


def name_stats(votes: Mapping[str, Mapping[str, int]]) -> list[NameStat]:
    """Return one NameStat per name, in name order, from each name's votes per label."""
    return [NameStat(name, Counter(by_label), sum(by_label.values())) for name, by_label in sorted(votes.items())]


def entity_name_rows(resolved: Mapping[str, Resolved]) -> list[Resolved]:
    """Return the rows of the `entity_names` table: which entity each name belongs to, in name order."""
    return sorted(resolved.values(), key=lambda r: r.name)
