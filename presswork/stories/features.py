"""What story clustering needs of one article: its weighted terms, its resolved entities and its time.

Computed once per article in the batch workers (about 0.2 ms an article), so the clustering step, which must see
the articles one after another, holds no bodies. The term weights are sublinear term frequencies, not TF-IDF:
the document frequencies live in the clustering state and change as articles arrive, so IDF is applied when an
article is compared (`presswork/stories/clustering.py`), as in Miranda et al. 2018.
"""

from __future__ import annotations

import hashlib
import math
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import NamedTuple, TypeVar

from presswork.entities.countries import country_of
from presswork.entities.resolve import LOCATION_LABELS, fold, order_key, stem, tokens
from presswork.records import Article, Mention, Record

# Term ids are hashed into this many bits: the document-frequency table stays bounded (at most 2**22 rows)
# whatever the vocabulary, and a collision only blurs two rare words. Changing it invalidates stored state.
TERM_BITS = 22
# A word in the title or the lead (first LEAD_CHARS of the body) counts as this many occurrences further down:
# news puts who, what and where first, and the background further down is what two similar events share
# (ecb-dev: B-cubed F1 0.844 with no boost, 0.868 with this one).
TITLE_WEIGHT = 4.0
TERM_LEAD_WEIGHT = 4.0
# Entity salience, as the `article_entities` view weighs it: lead mentions count double, a title names the core.
LEAD_CHARS = 500
LEAD_WEIGHT = 2.0
TITLE_BONUS = 3.0
# The entity kinds that tell one event from another; dates, numbers and languages are not entities here, and
# the model's WORK_OF_ART, PRODUCT and LAW spans are too often wrong to separate events.
ENTITY_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT"})
# Words that say nothing about the event ("said", "would"): the usual English function words plus news verbs.
_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours yourself yourselves
    said says say told according one two three new year years last first week day time may might must shall us
    many much well even still since another around later per via yet however though like made make get got
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_Key = TypeVar("_Key", int, str)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.,]\d+)*")


class MentionUse(NamedTuple):
    """What story features read of an entity mention (`records.Mention` has these fields and more)."""

    article_id: str
    name: str
    vote_label: str
    start_char: int


MentionLike = Mention | MentionUse

# Term ids fit in an unsigned C int (TERM_BITS <= 32), weights are float64: the arrays keep every value exactly.
_ID_CODE, _WEIGHT_CODE = "I", "d"
assert array(_ID_CODE).itemsize * 8 >= TERM_BITS


class TermWeights:
    """An article's term vector, (term id, weight) pairs by id, held in two typed arrays.

    Iterating gives the pairs, as a tuple of pairs would. The flow's process holds the features of every article
    of a run until the story step: as tuples of pairs (three Python objects a term) those took about 42 KB an
    article, 219 MB of the N = 5,000 throughput corpus; as arrays, 12 bytes a term. They also pickle as two
    buffers, not as hundreds of objects, on their way back from the workers.
    """

    __slots__ = ("ids", "weights")

    def __init__(self, ids: array[int], weights: array[float]) -> None:
        if len(ids) != len(weights):
            raise ValueError(f"{len(ids)} term ids for {len(weights)} weights")
        self.ids = ids
        self.weights = weights

    @classmethod
    def of(cls, pairs: Iterable[tuple[int, float]]) -> TermWeights:
        """Hold `pairs` (already in id order, as `_unit` gives them)."""
        held = list(pairs)
        return cls(array(_ID_CODE, [term for term, _ in held]), array(_WEIGHT_CODE, [weight for _, weight in held]))

    def __iter__(self) -> Iterator[tuple[int, float]]:
        return zip(self.ids, self.weights, strict=True)

    def __len__(self) -> int:
        return len(self.ids)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TermWeights):
            return self.ids == other.ids and self.weights == other.weights
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.ids.tobytes(), self.weights.tobytes()))

    def __repr__(self) -> str:
        return f"TermWeights({list(self)!r})"

    def __reduce__(self) -> tuple[type, tuple[array[int], array[float]]]:
        return (type(self), (self.ids, self.weights))


@dataclass(frozen=True, slots=True)
class StoryFeatures(Record):
    """One article as story clustering sees it."""

    article_id: str
    input_uri: str
    source_name: str | None
    title: str | None
    seen_at: datetime  # UTC: the article's publication time, else the run's ingestion time
    terms: TermWeights  # hashed term id and sublinear tf (title boosted), unit length, by id
    entities: tuple[tuple[str, float], ...]  # entity key and sublinear mention count, unit length, by key


def story_features(
    articles: Sequence[Article], mentions: Sequence[MentionLike], ingested_at: datetime
) -> list[StoryFeatures]:
    """Return the features of each article, in the articles' order; `mentions` may hold any articles' mentions."""
    by_article: dict[str, list[MentionLike]] = defaultdict(list)
    for mention in mentions:
        by_article[mention.article_id].append(mention)
    return [
        StoryFeatures(
            article_id=article.article_id,
            input_uri=article.input_uri,
            source_name=article.source_name,
            title=article.title,
            seen_at=seen_at(article.published_at, ingested_at),
            terms=article_terms(article.title, article.body),
            entities=article_entities(by_article.get(article.article_id, ()), article.title),
        )
        for article in articles
    ]


def seen_at(published_at: str | None, ingested_at: datetime) -> datetime:
    """Return the publication time in UTC (a date alone is its midnight), else the ingestion time."""
    when = _parse_time(published_at) if published_at else None
    return when if when is not None else _as_utc(ingested_at)


def _parse_time(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        try:
            return datetime.combine(date.fromisoformat(text.strip()[:10]), time(), UTC)
        except ValueError:
            return None
    return _as_utc(parsed)


def _as_utc(when: datetime) -> datetime:
    # A naive time is taken as UTC: the warehouse writes its timestamps in UTC.
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


@lru_cache(maxsize=1 << 18)  # news repeats its words: hashing each distinct word once saves most of the cost
def term_id(word: str) -> int:
    """Return the stable id of a word or key: blake2b, not `hash()`, so stored state stays valid across runs."""
    digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> (64 - TERM_BITS)


def entity_term_id(key: str) -> int:
    """Return the id under which an entity key's document frequency is counted (apart from the same word)."""
    return term_id("\x00entity " + key)


# The 28 characters whose case folding changes what `_WORD` sees (a letter becoming a letter and a combining mark:
# "İ" -> "i̇"). In a text without them, folding the whole text and then finding the words gives the same words as
# finding them and then folding each (str.casefold folds character by character), at a third of the cost.
_FOLD_CHANGES_WORDS = re.compile("[İǰͅΐΰẖẗẘẙὐὒὔὖᾶᾷῆῇῒΐῖῗῢΰῤῦῧῶῷ]")


def words(text: str) -> list[str]:
    """Return the content words of a text, lower-cased, without stop words or one-letter words."""
    if _FOLD_CHANGES_WORDS.search(text):
        found = [w.casefold().replace("’", "'") for w in _WORD.findall(text)]
    else:
        found = _WORD.findall(text.casefold().replace("’", "'"))
    return [w.removesuffix("'s") for w in found if len(w) > 1 and w not in STOPWORDS]


def article_terms(title: str | None, body: str) -> TermWeights:
    """Return the article's hashed terms with sublinear, title-boosted term frequencies, scaled to unit length."""
    # Split at a space so no word is cut in two.
    lead = body.find(" ", LEAD_CHARS) if len(body) > LEAD_CHARS else len(body)
    lead = len(body) if lead < 0 else lead
    # Each distinct word is counted once per part and hashed once: the weights are whole numbers, so n * weight is
    # exactly the sum of n weights, and the terms keep the order of their first occurrence.
    counts: dict[int, float] = {}
    for weight, part in ((TITLE_WEIGHT, title or ""), (TERM_LEAD_WEIGHT, body[:lead]), (1.0, body[lead:])):
        for word, occurrences in Counter(words(part)).items():
            term = term_id(word)
            counts[term] = counts.get(term, 0) + occurrences * weight
    return TermWeights.of(_unit({term: 1.0 + math.log(count) for term, count in counts.items()}))


@lru_cache(maxsize=1 << 16)  # an article names each entity several times, and news names the same ones
def entity_key(name: str, label: str) -> str:
    """Return the key one entity of an article is compared by.

    Every name and code of a country is one key ("U.S.", "United States"). A person is keyed by the surname,
    the name news calls people by after the first mention: "Mark W. Felt", "Mark Felt" and "Felt" are one key
    across articles, where resolution inside an article cannot see the other articles. Other names are keyed by
    their tokens in any order, patronymics removed, as resolution does across the corpus.
    """
    if label == "PERSON":
        words = [stem(t) for t in tokens(name)]
        return f"person {words[-1]}" if words else ""
    iso3 = country_of(name, label in LOCATION_LABELS)
    return f"country {iso3}" if iso3 is not None else order_key(name)


def article_entities(mentions: Iterable[MentionLike], title: str | None = None) -> tuple[tuple[str, float], ...]:
    """Return the article's entity keys weighted by salience, scaled to unit length.

    Salience as in the `article_entities` view: a mention in the lead counts double, and an entity named in the
    title gets `TITLE_BONUS` more: what the article is about outweighs the background it names in passing.
    A bare surname already carries the article's full name ("Lohan" -> "Lindsay Lohan", `ner._with_full_names`).
    """
    own = [m for m in mentions if m.vote_label in ENTITY_LABELS]
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    weights: Counter[str] = Counter()
    for mention in own:
        name = mention.name
        votes[name][mention.vote_label] += 1
        weights[name] += LEAD_WEIGHT if mention.start_char < LEAD_CHARS else 1.0
    headline = fold(title or "")
    salience: Counter[str] = Counter()
    for name, by_label in votes.items():
        label = max(by_label, key=lambda lab: (by_label[lab], lab))
        key = entity_key(name, label)
        if not key:
            continue
        named_in_title = bool(headline) and any(t in headline for t in _title_probes(name))
        salience[key] += weights[name] + (TITLE_BONUS if named_in_title else 0.0)
    return _unit({key: 1.0 + math.log(weight) for key, weight in salience.items()})


@lru_cache(maxsize=1 << 16)
def _title_probes(name: str) -> tuple[str, ...]:
    """What of a name shows it in a folded title: the whole name, or its last token (the surname)."""
    return (fold(name), *tokens(name)[-1:])


def _unit(weights: dict[_Key, float]) -> tuple[tuple[_Key, float], ...]:
    norm = math.sqrt(sum(w * w for w in weights.values()))
    return tuple(sorted((key, w / norm) for key, w in weights.items())) if norm else ()
