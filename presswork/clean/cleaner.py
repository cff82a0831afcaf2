"""Remove boilerplate from article text, recording every removal with its reason.

The cleaner works on lines (a scraped dump has one paragraph, heading, caption or widget per line), in layers:
1. span rules cut prompts glued inside a paragraph;
2. line rules drop whole lines that match a pattern in `presswork.clean.rules`;
3. structure: the headline, duplicated title lines, a caption followed by its credited twin, short non-sentence
   lines before the first paragraph (kickers, photo titles) or after the last (navigation), a publisher blurb
   with a contact e-mail at the end.
What is left is joined into paragraphs separated by a blank line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from presswork.clean.rules import EMAIL, RULES, SENTENCE_END, Rule
from presswork.records import RemovedSpan

# Bump when a change to the rules or this module changes what comes out; rows record it (issue 5's
# `--reprocess` re-cleans older rows).
CLEANER_VERSION = "1"

_WORD = re.compile(r"\w+(?:['’.-]\w+)*")
_MULTISPACE = re.compile(r" {2,}")
_LIST_ITEM = re.compile(r"^(?:[-*•·–]|\d{1,2}[.)])\s")
_TITLE_STOPWORDS = frozenset(
    ["a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "of", "on", "or", "the", "to", "vs", "via", "with"]
)


@dataclass(frozen=True, slots=True)
class CleanOptions:
    """How the cleaner treats one document."""

    detect_title: bool = True  # plain text: take a headline-like first line as the title
    min_title_words: int = 2
    max_title_words: int = 25
    caption_similarity: float = 0.6  # word overlap that makes a line the twin of the credited caption after it


@dataclass(frozen=True, slots=True)
class CleanResult:
    title: str | None
    body: str
    removed: tuple[RemovedSpan, ...]


@dataclass(slots=True)
class _Line:
    text: str
    start: int
    block: int
    removed_by: tuple[str, str] | None = None  # (rule_id, reason)
    is_title: bool = False
    cuts: list[RemovedSpan] = field(default_factory=list)
    key: str = ""  # line_key of the text as it was before span cuts

    @property
    def kept(self) -> bool:
        return self.removed_by is None and not self.is_title


def count_words(text: str) -> int:
    """Count words the way `articles.word_count` does."""
    return len(_WORD.findall(text))


def is_sentence(text: str) -> bool:
    """Say whether a line ends like a sentence (prose) rather than a heading, caption or link."""
    return bool(SENTENCE_END.search(text))


def is_prose(text: str, min_words: int = 8) -> bool:
    """Say whether a line is a paragraph of running text."""
    return is_sentence(text) and count_words(text) >= min_words


def is_title_case(text: str) -> bool:
    """Say whether nearly every significant word is capitalised ('Vladimir Putin Visits Kyzyl')."""
    words = [w for w in _WORD.findall(text) if w.lower() not in _TITLE_STOPWORDS and w[0].isalpha()]
    if len(words) < 2:
        return False
    return sum(1 for w in words if w[0].isupper()) >= 0.8 * len(words)


@lru_cache(maxsize=1 << 14)  # the same lines are keyed for the source's line counts, then again by the cleaner
def line_key(text: str) -> str:
    """Reduce a line to lowercase words, for comparing lines that differ only in punctuation or case."""
    return " ".join(_WORD.findall(text.casefold()))


def _split_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    block = 0
    offset = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            lines.append(_Line(stripped, offset + raw.index(stripped[0]), block))
        else:
            block += 1
        offset += len(raw) + 1
    return lines


@dataclass(frozen=True, slots=True)
class _RuleSet:
    span: tuple[Rule, ...]
    line: tuple[Rule, ...]


@lru_cache(maxsize=8)
def _rule_set(rules: tuple[Rule, ...]) -> _RuleSet:
    """The rules split by scope, each part in the rules' order (the first line rule that matches wins)."""
    return _RuleSet(
        span=tuple(rule for rule in rules if rule.scope == "span"),
        line=tuple(rule for rule in rules if rule.scope == "line"),
    )


def _cut_spans(line: _Line, rules: _RuleSet) -> None:
    """Cut every span-rule match out of a line, leftmost-longest first, recording each cut."""
    matches: list[tuple[int, int, Rule]] = []
    for rule in rules.span:
        for m in rule.pattern.finditer(line.text):
            if m.end() > m.start():
                matches.append((m.start(), m.end(), rule))
    if not matches:
        return
    matches.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    pieces: list[str] = []
    cursor = 0
    for start, end, rule in matches:
        if start < cursor:
            continue  # overlaps a longer match already cut
        pieces.append(line.text[cursor:start])
        line.cuts.append(RemovedSpan(line.text[start:end], rule.rule_id, rule.reason, line.start + start))
        cursor = end
    pieces.append(line.text[cursor:])
    line.text = _MULTISPACE.sub(" ", "".join(pieces)).strip()
    if not _WORD.search(line.text):
        line.text = ""


def _match_line_rule(text: str, rules: _RuleSet) -> Rule | None:
    words = count_words(text)
    sentence = is_sentence(text)
    for rule in rules.line:
        if words > rule.max_words or (rule.fragment_only and sentence):
            continue
        if rule.pattern.fullmatch(text):
            return rule
    return None


def _similarity(a: str, b: str) -> float:
    left, right = set(line_key(a).split()), set(line_key(b).split())
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def _remove(line: _Line, rule_id: str, reason: str) -> None:
    if line.kept:
        line.removed_by = (rule_id, reason)


def _find_title(lines: list[_Line], options: CleanOptions) -> str | None:
    kept = [line for line in lines if line.kept]
    if len(kept) < 2:
        return None
    first = kept[0]
    words = count_words(first.text)
    if not options.min_title_words <= words <= options.max_title_words:
        return None
    if first.text.endswith((".", ",", ";", ":")) or is_prose(first.text, 30):
        return None
    first.is_title = True
    return first.text


def _mark_caption_twins(lines: list[_Line], options: CleanOptions) -> None:
    """A caption line followed by the same caption with a credit: both go (seed 002)."""
    for index, line in enumerate(lines):
        if line.removed_by is None or line.removed_by[0] != "caption_with_credit" or index == 0:
            continue
        previous = lines[index - 1]
        if previous.kept and _similarity(previous.text, line.text) >= options.caption_similarity:
            _remove(previous, "caption_twin", "photo_caption")


def _mark_leading_fragments(lines: list[_Line]) -> None:
    """Short non-sentence lines before the first paragraph are kickers, photo titles or navigation."""
    for line in lines:
        if not line.kept:
            continue
        if is_prose(line.text):
            return
        if not is_sentence(line.text) and (is_title_case(line.text) or count_words(line.text) <= 4):
            _remove(line, "leading_fragment", "stray_fragment")


def _max_fragment_words(text: str) -> int:
    # A list item at the end is often the article's own last list ("- Map and filter are sometimes faster than
    # comprehensions", strangemachines.io); navigation items are one to three words.
    return 3 if _LIST_ITEM.match(text) else 8


def _mark_tail(lines: list[_Line]) -> None:
    """After the last paragraph: navigation fragments and a publisher blurb with a contact e-mail."""
    for line in reversed(lines):
        if not line.kept:
            continue
        if EMAIL.search(line.text) and count_words(line.text) <= 120:
            _remove(line, "contact_blurb", "publisher_blurb")
        elif not is_sentence(line.text) and count_words(line.text) <= _max_fragment_words(line.text):
            _remove(line, "trailing_fragment", "navigation")
        else:
            return


def _paragraphs(lines: list[_Line]) -> list[str]:
    """Join kept lines into paragraphs; a hard-wrapped line continues the one before it."""
    paragraphs: list[str] = []
    previous: _Line | None = None
    for line in lines:
        if not line.kept:
            previous = None
            continue
        continues = (
            previous is not None
            and previous.block == line.block
            and not re.search(r"[.!?:;\"'”’)\]]$", paragraphs[-1])
            and line.text[:1].islower()
        )
        if continues:
            paragraphs[-1] = f"{paragraphs[-1]} {line.text}"
        else:
            paragraphs.append(line.text)
        previous = line
    return paragraphs


def clean_text(
    text: str,
    title: str | None = None,
    options: CleanOptions = CleanOptions(),
    rules: tuple[Rule, ...] = RULES,
    repeated: frozenset[str] = frozenset(),
) -> CleanResult:
    """Split `text` into title and body and return what was removed, with reasons.

    `title` is a title already known (HTML metadata); without it a headline-like first line becomes the title.
    `repeated` holds line keys (`line_key`) that recur across the source's documents (`presswork.clean.corpus`).
    Positions in `removed` are code-point offsets into `text`.
    """
    lines = _split_lines(text)
    rule_set = _rule_set(rules)
    title_key = line_key(title or "")
    for line in lines:
        line.key = line_key(line.text)
        _cut_spans(line, rule_set)
        if not line.text:
            line.removed_by = ("span_only", "empty_after_cut")
            continue
        rule = _match_line_rule(line.text, rule_set)
        if rule is not None:
            _remove(line, rule.rule_id, rule.reason)
        elif line.key in repeated and line.key != title_key:
            _remove(line, "repeated_line", "source_boilerplate")

    if title is None and options.detect_title:
        title = _find_title(lines, options)
    if title:
        key = line_key(title)
        for line in lines:
            # A line without cuts still has the text its key was made from.
            if line.kept and (line.key if not line.cuts else line_key(line.text)) == key:
                _remove(line, "duplicate_title", "duplicate_title")
    _mark_caption_twins(lines, options)
    _mark_leading_fragments(lines)
    _mark_tail(lines)

    removed: list[RemovedSpan] = []
    for line in lines:
        removed.extend(line.cuts)
        if line.removed_by is not None and line.removed_by[0] != "span_only":
            removed.append(RemovedSpan(line.text, line.removed_by[0], line.removed_by[1], line.start))
    removed.sort(key=lambda span: span.position)
    return CleanResult(title=title, body="\n\n".join(_paragraphs(lines)), removed=tuple(removed))
