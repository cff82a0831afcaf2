"""Generate a realistic, deterministic corpus of scraped news for the benchmarks.

The corpus has N articles of 400-1,200 words each, as plain-text dumps and HTML pages, filed by source
(`<out>/<source>/<index>_<hash>.txt|.html`, some gzipped). Every source has its own recurring boilerplate
(its "Subscribe to <Source> News" line, copyright footer, newsletter prompt, publisher blurb with a contact
e-mail) on top of the generic kind the seeds show: "N minute read", captions with a photo credit and their
uncredited twins, "Advertisement", "Related Articles" with headlines, "Leave a comment", share bars and a
"Thank you for reading this post, don't forget to subscribe!" glued to a paragraph. About 2% of the files are
exact duplicates of another file under a second name, as when a scraper fetches the same story twice. With
`--reprint-share`, that share of the articles is also run again by another source as a lightly edited reprint
(`benchmarks/reprints.py: make_reprint`: another byline and footer, a paragraph dropped, a few words changed),
as plain text, which near-duplicate detection must link to the original.

Nothing is downloaded. Article bodies are the paragraphs of `seeds/`, shuffled, cut to length and with every
person, country, capital and organisation replaced by a per-article cast drawn from fixed lists, so that spaCy
sees varied entities. HTML pages are real pages from `tests/data/html-dev/pages/` whose main text is replaced
by the generated article (and whose metadata names the generated title, source, author and date), so
trafilatura meets real navigation, sidebars and footers. The same `--seed` gives byte-identical files.

`<out>/corpus.json` lists every file with its source, kind and body words (the prose of the article without
boilerplate), which files are duplicates and which reprint which (`reprint_of`); presswork ignores it (it is
not a .txt or .html file).

Run:
    .venv/bin/python benchmarks/make_corpus.py --n 500 --out /tmp/corpus [--seed 0] [--html-share 0.3] \
        [--reprint-share 0.1]
    .venv/bin/python benchmarks/make_corpus.py --qualify-templates   # re-derive HTML_TEMPLATES below
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

import lxml.html
from lxml.html import HtmlElement

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
HTML_PAGES = REPO / "tests" / "data" / "html-dev" / "pages"
MANIFEST = "corpus.json"

MIN_WORDS = 400
MAX_WORDS = 1200
DUPLICATE_SHARE = 0.02
GZIP_SHARE = 0.15

# Words counted the way presswork's `count_words` counts them, so "400-1,200 words" means the same thing in
# the corpus manifest and in the warehouse's `articles.word_count`.
_WORD = re.compile(r"\w+(?:['’.-]\w+)*")
# A line of running text ends like a sentence; headings, captions and blurbs in the seeds do not.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$|[\"”’]$")
# Sentence boundaries for cutting the last paragraph to length. The lowercase letter or digit before the stop
# keeps "the U.S. Embassy" and "Sept. 3" whole.
_SENTENCE_BREAK = re.compile(r"(?<=[a-z0-9%”\"’)][.!?])\s+(?=[A-Z“\"])")
# Seed 001 glues this prompt to a paragraph; it is boilerplate, so bodies are built without it and the corpus
# adds it back (to other paragraphs) as one of its boilerplate features.
_GLUED_PROMPT = "Thank you for reading this post, don't forget to subscribe!"

# Pages of tests/data/html-dev whose main text can be swapped: the element holding most paragraph text has at
# least 5 <p> children, and after the swap trafilatura extracts every generated paragraph and at most
# TEMPLATE_LEAK_WORDS words more than were put in (for an article of every source). Derived by
# `--qualify-templates` (trafilatura 2.3.1) and kept as data, so that a library upgrade cannot silently change
# the corpus a benchmark figure was measured on.
TEMPLATE_LEAK_WORDS = 60
HTML_TEMPLATES: tuple[str, ...] = (
    "0a3108e507c54157a95fe7a1338f5e9c.html.gz",
    "abc13.com-Copperfield.html.gz",
    "abc7news.com-Napa.html.gz",
    "anarc.at.cdpath.html.gz",
    "bbc.com.52241221.html.gz",
    "blog.gaijinpot.com.chikan.html.gz",
    "bostonherald.com-Brothel-catering.html.gz",
    "californiaglobe.com.amazon.html.gz",
    "cbsnews.com.carolina.html.gz",
    "d44c5ef50718437984dca47627dee96b.html.gz",
    "diem25.org.climate.html.gz",
    "economist.com.thinking.html.gz",
    "elavegan.com-Peanut.html.gz",
    "gothamist.com-plagues.html.gz",
    "haitiantimes.com-family.html.gz",
    "harpers.org.justice.html.gz",
    "harrypotter.fandom.com.spell.html.gz",
    "heartlandnewsfeed.com-Christian.html.gz",
    "jamaicaobserver.com-attacks.html.gz",
    "japantimes.co.jp.surgical.html.gz",
    "jobsnhire.com.health.html.gz",
    "kxan.com-Voters.html.gz",
    "latimes.com.bloomberg.html.gz",
    "laweekly.com-Cultivation.html.gz",
    "mdavis.xyz.supermarket.html.gz",
    "miamitodaynews.com-Transitway.html.gz",
    "nationnews.com-tridents.html.gz",
    "nowgrenada.com-pm.html.gz",
    "nymag.com.polarization.html.gz",
    "observer.com-LVMH.html.gz",
    "pcmag.com.platters.html.gz",
    "phillyvoice.com-Sixers.html.gz",
    "plantcaretoday.com.bougainvillea.html.gz",
    "publishedreporter.com-Hottest.html.gz",
    "security.googleblog.com.protection.html.gz",
    "stardewvalleywiki.com.penny.html.gz",
    "stluciatimes.com-dea.html.gz",
    "strangemachines.io.performant.html.gz",
    "theintercept.com-Gaza.html.gz",
    "thelocal.se.tattooed.html.gz",
    "thenervousbreakdown.com.loneliest.html.gz",
    "thepostpartumparty.com.nursery.html.gz",
    "timesofisrael.com.washington.html.gz",
    "tomshardware.com.rtx.html.gz",
    "tonedeaf.thebrag.com.luboku.html.gz",
    "toptal.com.python.html.gz",
    "twincities.com-mayor.html.gz",
    "viconsortium.com-cocaine.html.gz",
    "villagevoice.com-Party.html.gz",
    "wired.com.burn.html.gz",
    "wsvn.com-crash.html.gz",
)

# --- the cast: who and what a generated article is about -------------------------------------------------------

FIRST_NAMES = (
    "Amara", "Tomas", "Ingrid", "Rafael", "Leila", "Mateo", "Ilse", "Kofi", "Sofia", "Dmitri",
    "Hana", "Emeka", "Lucia", "Arjun", "Freya", "Yusuf", "Marta", "Kenji", "Elena", "Samuel",
    "Noor", "Pavel", "Astrid", "Diego", "Zainab", "Oskar", "Mirela", "Tendai", "Camille", "Jonas",
)  # fmt: skip
LAST_NAMES = (
    "Lindqvist", "Okafor", "Marsh", "Haddad", "Novak", "Ferreira", "Kowalski", "Mensah", "Castillo", "Varga",
    "Nakamura", "Petrov", "Adeyemi", "Moreau", "Holm", "Brennan", "Rahman", "Santos", "Keller", "Dumitru",
    "Achebe", "Sorensen", "Quispe", "Mwangi", "Tanaka", "Ortega", "Bauer", "Kaplan", "Nilsen", "Duarte",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Country:
    name: str
    adjective: str
    capital: str
    seat: str  # what "the Kremlin" becomes: the seat of its government


COUNTRIES = (
    Country("Russia", "Russian", "Moscow", "Kremlin"),
    Country("Mongolia", "Mongolian", "Ulaanbaatar", "State Palace"),
    Country("Ukraine", "Ukrainian", "Kyiv", "Presidential Office"),
    Country("China", "Chinese", "Beijing", "Zhongnanhai"),
    Country("Kazakhstan", "Kazakh", "Astana", "Akorda"),
    Country("Hungary", "Hungarian", "Budapest", "Carmelite Monastery"),
    Country("Brazil", "Brazilian", "Brasília", "Planalto Palace"),
    Country("Kenya", "Kenyan", "Nairobi", "State House"),
    Country("Chile", "Chilean", "Santiago", "La Moneda"),
    Country("Vietnam", "Vietnamese", "Hanoi", "Presidential Palace"),
    Country("Norway", "Norwegian", "Oslo", "Prime Minister's Office"),
    Country("Peru", "Peruvian", "Lima", "Government Palace"),
    Country("Ghana", "Ghanaian", "Accra", "Jubilee House"),
    Country("Portugal", "Portuguese", "Lisbon", "Belém Palace"),
    Country("Indonesia", "Indonesian", "Jakarta", "Merdeka Palace"),
    Country("Poland", "Polish", "Warsaw", "Presidential Palace"),
    Country("Mexico", "Mexican", "Mexico City", "National Palace"),
    Country("Egypt", "Egyptian", "Cairo", "Heliopolis Palace"),
    Country("Japan", "Japanese", "Tokyo", "Kantei"),
    Country("Argentina", "Argentine", "Buenos Aires", "Casa Rosada"),
    Country("Finland", "Finnish", "Helsinki", "Presidential Palace"),
    Country("Morocco", "Moroccan", "Rabat", "Royal Palace"),
)
COURTS = (
    ("International Criminal Court", "ICC"),
    ("International Court of Justice", "ICJ"),
    ("European Court of Human Rights", "ECHR"),
    ("Inter-American Court of Human Rights", "IACHR"),
)
NGOS = ("Amnesty International", "Human Rights Watch", "Transparency International", "Reporters Without Borders")
NEWSPAPERS = ("Unuudur", "Kurier", "Novosti Dnya", "Diario Central", "Gazeta Polska", "Daily Nation")
SQUARES = ("Genghis Khan Square", "Independence Square", "Republic Square", "Liberty Square", "Victory Square")
AGENCIES = ("Reuters", "AFP", "TASS", "EPA", "Anadolu Agency", "Xinhua")
MONTHS = ("Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec.")

# Surface forms in the seeds -> the cast field that replaces them. Longest forms first in the pattern, so
# "Vladimir Putin" is one replacement, not "Vladimir" + a replaced "Putin".
SEED_NAMES: dict[str, str] = {
    "Vladimir Putin": "leader_full",
    "Putin": "leader_last",
    "Ukhnaagiin Khurelsukh": "host_leader_full",
    "Khurelsukh Ukhnaa": "host_leader_full",
    "Ukhnaa Khurelsukh": "host_leader_full",
    "Khurelsukh": "host_leader_last",
    "Ukhnaa": "host_leader_last",
    "Luvsannamsrain Oyun-Erdene": "premier_full",
    "Oyun-Erdene": "premier_last",
    "Altantuya Batdorj": "activist_full",
    "Alexei Overchuk": "deputy_full",
    "Georgiy Tykhyi": "spokesman_full",
    "Russia": "visitor",
    "Russian": "visitor_adj",
    "Moscow": "visitor_capital",
    "Kremlin": "visitor_seat",
    "Mongolia": "host",
    "Mongolian": "host_adj",
    "Ulaanbaatar": "host_capital",
    "Ukraine": "victim",
    "Ukrainian": "victim_adj",
    "Kyiv": "victim_capital",
    "China": "neighbour",
    "Chinese": "neighbour_adj",
    "Beijing": "neighbour_capital",
    "International Criminal Court": "court",
    "ICC": "court_short",
    "Amnesty International": "ngo",
    "Unuudur": "newspaper",
    "Genghis Khan Square": "square",
}
_SEED_NAME = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in sorted(SEED_NAMES, key=len, reverse=True)) + r")\b")

TITLES = (
    "{leader_last} meets {host_adj} president amid war crime allegations",
    "{visitor_adj} President {leader_last} gets red carpet welcome in {host} despite {court_short} arrest warrant",
    "{leader_last} Travels to {host} Despite International Arrest Warrant",
    "{leader_last} visits {host} defying {court_short} arrest warrant",
    "{host} ignores calls to arrest {leader_last} as {visitor_adj} leader lands in {host_capital}",
    "{host_adj} and {visitor_adj} leaders sign energy and trade deals in {host_capital}",
    "Why {host} won’t arrest {leader_last}",
    "{ngo} urges {host} to execute {court_short} warrant",
    "{victim} condemns {host} over {leader_last} visit",
    "{leader_full} Visits {host_capital} For Talks With {host_leader_full}",
)
SUBHEADINGS = (
    "Trilateral summit",
    "{host} and {visitor} agree to boost trade and energy ties",
    "Why {host} won’t arrest {leader_last}?",
    "A history of neutrality",
    "Energy dependence",
    "Reaction in {victim_capital}",
    "What the {court_short} can do",
)
CAPTIONS = (
    "{visitor_adj} President {leader_full} and {host_adj} President {host_leader_full} attend an official "
    "welcoming ceremony, {host_capital}, {host}, {dateline}.",
    "{visitor_adj} President {leader_full} with Prime Minister of {host} {premier_full} at the Government Palace "
    "in {host_capital}",
    "Demonstrators gather near {square} in {host_capital}, {dateline}.",
    "{leader_full} speaks to reporters in {visitor_capital} before leaving for {host_capital}.",
)
CREDITS = (
    "(Reuters Photo)",
    "(AP Photo/{photographer})",
    "(Image Credit: {photographer}/{agency})",
    "(Photo: {photographer}/{agency})",
    "(Getty Images)",
)

# --- sources: each with the boilerplate its pages repeat ------------------------------------------------------

# Block kinds: "title" (headline), "paragraph" and "subheading" (the article), "caption" (a photo caption,
# boilerplate), "related" (a headline in a related-links list, boilerplate), "boilerplate" (any other line).
Line = tuple[str, str]  # (kind, template formatted with the article's fields)


@dataclass(frozen=True, slots=True)
class Source:
    slug: str  # the folder name, which presswork uses as source_name for plain text
    name: str
    domain: str
    weight: int  # relative share of the corpus
    header: tuple[Line, ...]  # lines before the body
    footer: tuple[Line, ...]  # lines after the body
    paragraph_break: str = "\n\n"  # seed 001 separates paragraphs by a single newline
    line_ending: str = "\n"
    encoding: str = "utf-8"  # plain text only; HTML pages are always written as UTF-8


SOURCES = (
    # Laid out like seed 002 (a WordPress think tank): repeated headline, category line, read time, footer pile.
    Source(
        slug="steppe-observer",
        name="Steppe Observer",
        domain="steppeobserver.example",
        weight=3,
        header=(
            ("title", "{title}"),
            ("boilerplate", "{title}"),
            ("boilerplate", "Europe, News No Comments on {title}"),
            ("boilerplate", "{minutes} minute read"),
        ),
        footer=(
            ("boilerplate", "Related Articles"),
            ("boilerplate", "Leave a comment"),
            ("boilerplate", "Copyright © 2014-2025 Steppe Observer - Politics & Security Analysis"),
            (
                "boilerplate",
                "Steppe Observer is a research desk focusing on politics and security in Central Asia. We publish "
                "briefings, backgrounders and analyses for officials and academics. To get Steppe Observer "
                "exclusive reports contact at editor@steppeobserver.example",
            ),
            ("boilerplate", "Subscribe to Steppe Observer News"),
            ("boilerplate", "Enter your email address:"),
            ("boilerplate", "Back to Top"),
        ),
    ),
    # Laid out like seed 001: no headline, one paragraph per line, prompts glued into paragraphs.
    Source(
        slug="meridian-wire",
        name="Meridian Wire",
        domain="meridianwire.example",
        weight=3,
        header=(),
        footer=(
            ("boilerplate", "Share this article: Facebook Twitter Email"),
            ("boilerplate", "Subscribe to Meridian Wire News"),
            ("boilerplate", "© 2025 Meridian Wire. All rights reserved."),
        ),
        paragraph_break="\n",
    ),
    # Laid out like seed 000, scraped on Windows: CRLF line endings, cp1252 bytes.
    Source(
        slug="capital-ledger",
        name="Capital Ledger",
        domain="capitalledger.example",
        weight=2,
        header=(("title", "{title}"), ("caption", "{caption} {credit}")),
        footer=(
            ("boilerplate", "Sign up for the Capital Ledger newsletter to get the day's top stories in your inbox."),
            ("boilerplate", "Copyright © 2025 Capital Ledger Media"),
            ("boilerplate", "Back to top"),
        ),
        line_ending="\r\n",
        encoding="cp1252",
    ),
    Source(
        slug="lakeside-gazette",
        name="Lakeside Gazette",
        domain="lakesidegazette.example",
        weight=2,
        header=(
            ("title", "{title}"),
            ("boilerplate", "By {reporter}"),
            ("boilerplate", "Reading time: {minutes} min"),
            ("boilerplate", "Advertisement"),
        ),
        footer=(
            ("boilerplate", "Tags: {host}, {visitor}, Diplomacy"),
            ("boilerplate", "Related Stories"),
            ("related", "{related_1}"),
            ("related", "{related_2}"),
            ("boilerplate", "Join the conversation"),
            ("boilerplate", "Terms of Use | Privacy Policy | Contact Us"),
            ("boilerplate", "© 2025 Lakeside Gazette. All rights reserved."),
        ),
    ),
    Source(
        slug="northwind-herald",
        name="Northwind Herald",
        domain="northwindherald.example",
        weight=2,
        header=(
            ("title", "{title}"),
            ("boilerplate", "{minutes} min read"),
            ("boilerplate", "Subscribe to Northwind Herald News"),
        ),
        footer=(
            ("boilerplate", "Reporting by {reporter}; Editing by {editor}"),
            ("boilerplate", "More from Northwind Herald"),
            ("related", "{related_1}"),
            ("boilerplate", "Get our newsletter delivered to your inbox every morning."),
            ("boilerplate", "Copyright © 2019-2025 Northwind Herald"),
        ),
    ),
    Source(
        slug="frontier-daily",
        name="Frontier Daily",
        domain="frontierdaily.example",
        weight=1,
        header=(
            ("title", "{title}"),
            ("boilerplate", "Posted in: World, {host}"),
            ("boilerplate", "Photo: {photographer}/Frontier Daily"),
        ),
        footer=(
            ("boilerplate", "You might also like"),
            ("related", "{related_1}"),
            ("related", "{related_2}"),
            ("boilerplate", "Leave a comment"),
            (
                "boilerplate",
                "We use cookies to improve your experience. By continuing you agree to our cookie policy.",
            ),
            ("boilerplate", "Subscribe to Frontier Daily News"),
            ("boilerplate", "Copyright © 2025 Frontier Daily"),
        ),
    ),
)


# --- records -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Block:
    kind: str  # see `Line`
    text: str


@dataclass(frozen=True, slots=True)
class Article:
    title: str
    header: tuple[Block, ...]
    body: tuple[Block, ...]  # paragraphs and subheadings, with boilerplate lines between them
    footer: tuple[Block, ...]
    body_words: int  # words of the paragraphs and subheadings, without any boilerplate
    author: str
    published: date


@dataclass(frozen=True, slots=True)
class CorpusFile:
    path: str  # relative to the corpus root
    source: str
    kind: str  # "text" or "html"
    compressed: bool
    encoding: str
    body_words: int
    template: str | None = None  # the html-dev page an HTML article was put into
    duplicate_of: str | None = None  # the file this one repeats byte for byte
    reprint_of: str | None = None  # the file this one reprints with light edits (words: the reprint's, all told)


@dataclass(frozen=True, slots=True)
class CorpusStats:
    root: Path
    seed: int
    html_share: float
    files: tuple[CorpusFile, ...] = field(default_factory=tuple)
    reprint_share: float = 0.0

    def count(self, kind: str) -> int:
        return sum(1 for f in self.files if f.kind == kind)

    @property
    def sources(self) -> dict[str, int]:
        return dict(sorted(Counter(f.source for f in self.files).items()))

    @property
    def duplicate_pairs(self) -> list[tuple[str, str]]:
        return [(f.duplicate_of, f.path) for f in self.files if f.duplicate_of is not None]

    @property
    def body_words(self) -> int:
        return sum(f.body_words for f in self.files)

    @property
    def reprint_pairs(self) -> list[tuple[str, str]]:
        return [(f.reprint_of, f.path) for f in self.files if f.reprint_of is not None]

    def to_json(self) -> dict[str, object]:
        # Reprint keys only when there are reprints: without them the manifest stays byte-identical to before.
        manifest: dict[str, object] = {"seed": self.seed, "html_share": self.html_share}
        if self.reprint_share:
            manifest["reprint_share"] = self.reprint_share
        files = [asdict(f) for f in self.files]
        for entry in files:
            if entry["reprint_of"] is None:
                del entry["reprint_of"]
        manifest["files"] = files
        return manifest


# --- article text --------------------------------------------------------------------------------------------


def count_words(text: str) -> int:
    """Count words the way presswork's cleaner does."""
    return len(_WORD.findall(text))


def load_paragraphs(seeds: Path = SEEDS) -> tuple[str, ...]:
    """Return the prose paragraphs of the seed articles (not headlines, captions or boilerplate)."""
    paragraphs: list[str] = []
    for path in sorted(seeds.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.strip().replace(_GLUED_PROMPT, "")
            if count_words(text) >= 20 and _SENTENCE_END.search(text):
                paragraphs.append(text)
    return tuple(paragraphs)


def _person(rng: random.Random, taken: set[str]) -> tuple[str, str]:
    """Draw a (first, last) name whose last name is not used yet in this article."""
    while True:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if last not in taken:
            taken.add(last)
            return first, last


def draw_fields(rng: random.Random) -> dict[str, str]:
    """Draw an article's cast and the values its templates are formatted with."""
    visitor, host, victim, neighbour = rng.sample(COUNTRIES, 4)
    taken: set[str] = set()
    people = {role: _person(rng, taken) for role in ("leader", "host_leader", "premier", "activist", "deputy")}
    spokesman, reporter, editor, photographer = (_person(rng, taken) for _ in range(4))
    court, court_short = rng.choice(COURTS)
    fields = {
        "visitor": visitor.name,
        "visitor_adj": visitor.adjective,
        "visitor_capital": visitor.capital,
        "visitor_seat": visitor.seat,
        "host": host.name,
        "host_adj": host.adjective,
        "host_capital": host.capital,
        "victim": victim.name,
        "victim_adj": victim.adjective,
        "victim_capital": victim.capital,
        "neighbour": neighbour.name,
        "neighbour_adj": neighbour.adjective,
        "neighbour_capital": neighbour.capital,
        "court": court,
        "court_short": court_short,
        "ngo": rng.choice(NGOS),
        "newspaper": rng.choice(NEWSPAPERS),
        "square": rng.choice(SQUARES),
        "agency": rng.choice(AGENCIES),
        "spokesman_full": " ".join(spokesman),
        "reporter": " ".join(reporter),
        "editor": " ".join(editor),
        "photographer": " ".join(photographer),
    }
    for role, (first, last) in people.items():
        fields[f"{role}_full"] = f"{first} {last}"
        fields[f"{role}_last"] = last
    return fields


def vary_names(text: str, fields: dict[str, str]) -> str:
    """Replace the seeds' people, places and organisations with the article's cast."""
    return _SEED_NAME.sub(lambda match: fields[SEED_NAMES[match.group(0)]], text)


def _cut_to_words(paragraph: str, budget: int) -> str:
    """Keep the leading sentences of a paragraph that fit in `budget` words ("" when none does)."""
    kept: list[str] = []
    used = 0
    for sentence in _SENTENCE_BREAK.split(paragraph):
        words = count_words(sentence)
        if used + words > budget:
            break
        kept.append(sentence)
        used += words
    return " ".join(kept)


def compose_body(rng: random.Random, pool: tuple[str, ...], fields: dict[str, str]) -> tuple[list[Block], int]:
    """Pick, vary and cut seed paragraphs (and a subheading or two) into a body of 400-1,200 words."""
    target = rng.randint(MIN_WORDS, MAX_WORDS)
    subheadings = [template.format(**fields) for template in rng.sample(SUBHEADINGS, 2)]
    blocks: list[Block] = []
    words = 0
    for index in rng.sample(range(len(pool)), len(pool)):
        if words >= target:
            break
        # A subheading now and then, never first: real articles open with prose.
        if len(blocks) >= 4 and subheadings and rng.random() < 0.12:
            heading = subheadings.pop()
            blocks.append(Block("subheading", heading))
            words += count_words(heading)
        paragraph = vary_names(pool[index], fields)
        if words + count_words(paragraph) > MAX_WORDS:
            paragraph = _cut_to_words(paragraph, MAX_WORDS - words)
            if not paragraph:
                break
        blocks.append(Block("paragraph", paragraph))
        words += count_words(paragraph)
    return blocks, words


def _caption_blocks(rng: random.Random, fields: dict[str, str]) -> list[Block]:
    """A photo caption with its credit; sometimes preceded by its uncredited twin (seed 002)."""
    caption = rng.choice(CAPTIONS).format(**fields)
    credited = Block("caption", f"{caption} {rng.choice(CREDITS).format(**fields)}")
    if rng.random() < 0.3:
        return [Block("caption", caption), credited]
    return [credited]


def add_boilerplate(rng: random.Random, body: list[Block], fields: dict[str, str]) -> list[Block]:
    """Sprinkle the article-level boilerplate of the seeds between (and into) the body's paragraphs."""
    blocks = list(body)
    paragraphs = [i for i, block in enumerate(blocks) if block.kind == "paragraph"]
    if rng.random() < 0.2:
        # Glued without a space, exactly as seed 001 has it.
        where = rng.choice(paragraphs[1:] or paragraphs)
        blocks[where] = Block("paragraph", _GLUED_PROMPT + blocks[where].text)
    if rng.random() < 0.15:
        where = rng.choice(paragraphs)
        text = f"{blocks[where].text} Sign up for our daily newsletter to get the latest news from {fields['host']}."
        blocks[where] = Block("paragraph", text)
    # Insert from the back so earlier positions stay valid.
    inserts: list[tuple[int, list[Block]]] = []
    if rng.random() < 0.5:
        inserts.append((min(2, len(blocks)), _caption_blocks(rng, fields)))
    if rng.random() < 0.3:
        inserts.append((rng.randint(1, len(blocks)), [Block("boilerplate", "Advertisement")]))
    if rng.random() < 0.2:
        inserts.append((rng.randint(1, len(blocks)), [Block("boilerplate", f"Read more: {fields['related_1']}")]))
    for position, extra in sorted(inserts, key=lambda insert: insert[0], reverse=True):
        blocks[position:position] = extra
    return blocks


def _dateline(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def compose_article(rng: random.Random, pool: tuple[str, ...], source: Source) -> Article:
    """Write one article of `source`: headline, body and the source's own header and footer lines."""
    fields = draw_fields(rng)
    published = date(2024, 1, 1) + timedelta(days=rng.randrange(366))
    titles = rng.sample(TITLES, 3)
    fields["title"] = titles[0].format(**fields)
    fields["related_1"] = titles[1].format(**fields)
    fields["related_2"] = titles[2].format(**fields)
    fields["dateline"] = _dateline(published)
    fields["caption"] = rng.choice(CAPTIONS).format(**fields)
    fields["credit"] = rng.choice(CREDITS).format(**fields)
    body, body_words = compose_body(rng, pool, fields)
    fields["minutes"] = str(max(1, round(body_words / 200)))
    return Article(
        title=fields["title"],
        header=tuple(Block(kind, template.format(**fields)) for kind, template in source.header),
        body=tuple(add_boilerplate(rng, body, fields)),
        footer=tuple(Block(kind, template.format(**fields)) for kind, template in source.footer),
        body_words=body_words,
        author=fields["reporter"],
        published=published,
    )


# --- rendering -----------------------------------------------------------------------------------------------


def render_text(article: Article, source: Source) -> bytes:
    """Lay an article out as a scraper's plain-text dump in the source's line style and encoding."""
    blocks = [*article.header, *article.body, *article.footer]
    text = source.paragraph_break.join(block.text for block in blocks) + "\n"
    return text.replace("\n", source.line_ending).encode(source.encoding)


def decode_page(data: bytes) -> str:
    """Decode an html-dev page: UTF-8 (all of them today), else cp1252."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_page(markup: str) -> HtmlElement:
    # lxml refuses str input that still declares an encoding; the text is already decoded.
    return lxml.html.fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", markup))


def _paragraph_words(element: HtmlElement) -> int:
    return sum(len(child.text_content().split()) for child in element if child.tag == "p")


def find_main_container(page: HtmlElement) -> HtmlElement | None:
    """Return the element whose <p> children hold the most words: on a news page, the article body."""
    best: HtmlElement | None = None
    best_words = 0
    for element in page.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        words = _paragraph_words(element)
        if words > best_words:
            best, best_words = element, words
    return best


# Children of the main container that carry the original article; they go, so none of it leaks into the
# generated one. Divs are content when they hold more than a caption's worth of words.
_CONTENT_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "table", "pre", "figure"})


def _clear_container(container: HtmlElement) -> int:
    """Remove the original article from the container; return where the first paragraph was."""
    children = list(container)
    first = next((i for i, child in enumerate(children) if child.tag == "p"), 0)
    removed_before = 0
    for index, child in enumerate(children):
        is_content = child.tag in _CONTENT_TAGS or (child.tag == "div" and len(child.text_content().split()) > 30)
        if is_content:
            child.drop_tree()
            removed_before += index < first
    return first - removed_before


def _element(tag: str, text: str, **attributes: str) -> HtmlElement:
    element = lxml.html.Element(tag, **attributes)
    element.text = text
    return element


def _html_blocks(article: Article, source: Source) -> list[HtmlElement]:
    """Turn an article's blocks into elements; consecutive related headlines become one list."""
    elements: list[HtmlElement] = []
    related: HtmlElement | None = None
    for block in [*article.header, *article.body, *article.footer]:
        if block.kind == "related":
            if related is None:
                related = lxml.html.Element("ul", {"class": "related-links"})
                elements.append(related)
            item = lxml.html.Element("li")
            slug = "-".join(_WORD.findall(block.text.lower()))[:60]
            item.append(_element("a", block.text, href=f"https://{source.domain}/news/{slug}"))
            related.append(item)
            continue
        related = None
        if block.kind == "title":
            elements.append(_element("h1", block.text))
        elif block.kind == "subheading":
            elements.append(_element("h2", block.text))
        elif block.kind == "caption":
            figure = lxml.html.Element("figure")
            figure.append(lxml.html.Element("img", src=f"https://{source.domain}/images/photo.jpg", alt=""))
            figure.append(_element("figcaption", block.text))
            elements.append(figure)
        else:
            elements.append(_element("p", block.text))
    return elements


def _set_metadata(page: HtmlElement, article: Article, source: Source, url: str) -> None:
    """Make the page's head describe the generated article; drop metadata about the original one."""
    head = page.find("head")
    if head is None:
        head = lxml.html.Element("head")
        page.insert(0, head)
    # Every meta tag and JSON-LD block may name the original title, author or date, which trafilatura prefers.
    stale = "//head/meta | //head/title | //link[@rel='canonical'] | //script[@type='application/ld+json']"
    for element in page.xpath(stale):
        element.drop_tree()
    tags = [
        lxml.html.Element("meta", charset="utf-8"),
        _element("title", f"{article.title} | {source.name}"),
        lxml.html.Element("meta", property="og:title", content=article.title),
        lxml.html.Element("meta", property="og:site_name", content=source.name),
        lxml.html.Element("meta", property="og:url", content=url),
        lxml.html.Element("meta", name="author", content=article.author),
        lxml.html.Element("meta", property="article:published_time", content=f"{article.published}T08:00:00Z"),
        lxml.html.Element("link", rel="canonical", href=url),
    ]
    for position, tag in enumerate(tags):
        head.insert(position, tag)


def render_html(article: Article, source: Source, template: str, slug: str) -> bytes:
    """Put an article into a real page: its main text replaced, its head describing the article."""
    page = parse_page(template)
    container = find_main_container(page)
    if container is None:
        raise ValueError("the template has no paragraphs to replace")
    position = _clear_container(container)
    for offset, element in enumerate(_html_blocks(article, source)):
        container.insert(position + offset, element)
    _set_metadata(page, article, source, f"https://{source.domain}/news/{slug}")
    return lxml.html.tostring(page, encoding="unicode", doctype="<!DOCTYPE html>").encode("utf-8")


# --- the corpus ----------------------------------------------------------------------------------------------


def _spread(rng: random.Random, total: int, chosen: int) -> set[int]:
    """Pick `chosen` of `total` positions."""
    return set(rng.sample(range(total), min(chosen, total)))


def _assign_sources(rng: random.Random, count: int) -> list[Source]:
    """Every source at least once (for tiny corpora), the rest by weight, in shuffled order."""
    assigned = list(SOURCES[:count])
    weights = [source.weight for source in SOURCES]
    assigned.extend(rng.choices(SOURCES, weights=weights, k=count - len(assigned)))
    rng.shuffle(assigned)
    return assigned


def _count_for_share(share: float, count: int) -> int:
    """Return `share` of `count`, rounded so a tiny corpus still has the feature (0 < share < 1 -> 1..count-1)."""
    wanted = round(share * count)
    if share > 0 and count > 1:
        wanted = max(wanted, 1)
    if share < 1 and count > 1:
        wanted = min(wanted, count - 1)
    return max(0, min(wanted, count))


def _file_name(index: int, data: bytes, suffix: str) -> str:
    return f"{index:05d}_{hashlib.sha256(data).hexdigest()[:16]}{suffix}"


def _reprints(
    rng: random.Random, composed: list[tuple[Article, Source]], files: list[CorpusFile], first_index: int, count: int
) -> list[tuple[CorpusFile, bytes]]:
    """Reprint `count` of the articles, each as plain text of another (UTF-8) source, with light edits."""
    try:  # imported as benchmarks.make_corpus (tests) or run as a script from benchmarks/
        from benchmarks.reprints import make_reprint
    except ModuleNotFoundError:
        from reprints import make_reprint

    made: list[tuple[CorpusFile, bytes]] = []
    for offset, original in enumerate(sorted(rng.sample(range(len(composed)), count))):
        article, source = composed[original]
        prose = [block.text for block in article.body if block.kind in ("paragraph", "subheading")]
        text = make_reprint("\n\n".join([article.title, *prose]), rng)
        # UTF-8 sources only: the edits may bring characters that cp1252 cannot hold.
        target = rng.choice([s for s in SOURCES if s.slug != source.slug and s.encoding == "utf-8"])
        data = text.replace("\n\n", target.paragraph_break).replace("\n", target.line_ending).encode("utf-8")
        path = f"{target.slug}/{_file_name(first_index + offset, data, '.txt')}"
        made.append(
            (
                CorpusFile(
                    path, target.slug, "text", False, "utf-8", count_words(text), reprint_of=files[original].path
                ),
                data,
            )
        )
    return made


def make_corpus(out: Path, n: int, seed: int = 0, html_share: float = 0.3, reprint_share: float = 0.0) -> CorpusStats:
    """Write `n` article files under `out` (which must be empty or missing) and return what was written.

    With `reprint_share`, that share of the unique articles gets a reprint besides, so there are more than `n`.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    if not 0 <= html_share <= 1:
        raise ValueError("html_share must be between 0 and 1")
    if not 0 <= reprint_share <= 1:
        raise ValueError("reprint_share must be between 0 and 1")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty; the corpus goes into a new folder")
    rng = random.Random(seed)
    pool = load_paragraphs()
    duplicates = _count_for_share(DUPLICATE_SHARE, n) if n > 1 else 0
    unique = n - duplicates
    html = _spread(rng, unique, _count_for_share(html_share, unique))
    compressed = _spread(rng, unique, _count_for_share(GZIP_SHARE, unique))
    sources = _assign_sources(rng, unique)
    markup: dict[str, str] = {}  # template name -> decoded page, read once

    files: list[CorpusFile] = []
    payloads: list[bytes] = []
    composed: list[tuple[Article, Source]] = []
    for index in range(unique):
        source = sources[index]
        article = compose_article(rng, pool, source)
        composed.append((article, source))
        template: str | None = None
        if index in html:
            template = rng.choice(HTML_TEMPLATES)
            if template not in markup:
                markup[template] = decode_page(gzip.decompress((HTML_PAGES / template).read_bytes()))
            slug = "-".join(_WORD.findall(article.title.lower()))[:80]
            data = render_html(article, source, markup[template], slug)
            kind, suffix, encoding = "html", ".html", "utf-8"
        else:
            data = render_text(article, source)
            kind, suffix, encoding = "text", ".txt", source.encoding
        if index in compressed:
            # mtime=0: the gzip header would otherwise carry the time of generation.
            data = gzip.compress(data, compresslevel=6, mtime=0)
            suffix += ".gz"
        path = f"{source.slug}/{_file_name(index, data, suffix)}"
        files.append(CorpusFile(path, source.slug, kind, index in compressed, encoding, article.body_words, template))
        payloads.append(data)

    # The same story fetched twice: identical bytes under a second name in the same folder.
    for offset, original in enumerate(rng.sample(range(unique), duplicates)):
        first = files[original]
        suffix = first.path[first.path.index(".") :]
        path = f"{first.source}/{_file_name(unique + offset, payloads[original], suffix)}"
        files.append(
            CorpusFile(
                path,
                first.source,
                first.kind,
                first.compressed,
                first.encoding,
                first.body_words,
                first.template,
                duplicate_of=first.path,
            )
        )
        payloads.append(payloads[original])

    if reprint_share > 0:
        # A generator of their own, so the files above stay byte-identical with or without reprints.
        reprint_rng = random.Random(f"reprints-{seed}")
        count = _count_for_share(reprint_share, unique) if unique > 1 else 1
        for corpus_file, data in _reprints(reprint_rng, composed, files, len(files), count):
            files.append(corpus_file)
            payloads.append(data)

    for corpus_file, data in zip(files, payloads, strict=True):
        target = out / corpus_file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    stats = CorpusStats(root=out, seed=seed, html_share=html_share, files=tuple(files), reprint_share=reprint_share)
    (out / MANIFEST).write_text(json.dumps(stats.to_json(), indent=1) + "\n", encoding="utf-8")
    return stats


# --- template qualification (run by hand when html-dev changes) ----------------------------------------------


def _swaps_cleanly(template: str, articles: list[tuple[Article, Source]]) -> bool:
    """Say whether trafilatura extracts a swapped-in article, and little else, from the page."""
    import trafilatura

    page = parse_page(template)
    container = find_main_container(page)
    if container is None or sum(1 for child in container if child.tag == "p") < 5:
        return False
    if _paragraph_words(container) < 150:
        return False
    for article, source in articles:
        markup = render_html(article, source, template, "check").decode("utf-8")
        extracted = trafilatura.extract(markup, include_comments=False, include_tables=True) or ""
        # Compared with whitespace squashed: trafilatura turns the seeds' no-break spaces into spaces.
        squashed = " ".join(extracted.split())
        paragraphs = [block.text for block in article.body if block.kind == "paragraph"]
        if not all(" ".join(text.split())[:60] in squashed for text in paragraphs):
            return False
        generated = sum(count_words(block.text) for block in (*article.header, *article.body, *article.footer))
        if count_words(extracted) > generated + TEMPLATE_LEAK_WORDS:
            return False
    return True


def qualify_templates() -> list[str]:
    """Return the html-dev pages into which an article can be swapped cleanly (see HTML_TEMPLATES)."""
    rng = random.Random(0)
    pool = load_paragraphs()
    # Several articles, short and long, of differently laid-out sources: on some pages trafilatura's choice of
    # the main block depends on the length of the text and on the boilerplate around it.
    articles = [(compose_article(rng, pool, source), source) for source in SOURCES]
    qualified: list[str] = []
    for path in sorted(HTML_PAGES.glob("*.html.gz")):
        if _swaps_cleanly(decode_page(gzip.decompress(path.read_bytes())), articles):
            qualified.append(path.name)
    return qualified


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="number of article files (default 500)")
    parser.add_argument("--out", type=Path, help="folder to write (must be empty or missing)")
    parser.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same files")
    parser.add_argument("--html-share", type=float, default=0.3, help="share of HTML pages (default 0.3)")
    parser.add_argument(
        "--reprint-share",
        type=float,
        default=0.0,
        help="share of articles also filed, lightly edited, under another source (default 0.0)",
    )
    parser.add_argument(
        "--qualify-templates", action="store_true", help="print the html-dev pages usable as templates and exit"
    )
    args = parser.parse_args(argv)
    if args.qualify_templates:
        for name in qualify_templates():
            print(name)
        return 0
    if args.out is None:
        parser.error("--out is required")
    stats = make_corpus(args.out, args.n, args.seed, args.html_share, args.reprint_share)
    print(
        f"wrote {len(stats.files)} files to {stats.root}: {stats.count('text')} text, {stats.count('html')} html, "
        f"{sum(f.compressed for f in stats.files)} gzipped, {len(stats.duplicate_pairs)} duplicates, "
        f"{len(stats.reprint_pairs)} reprints, "
        f"{stats.body_words:,} body words; sources {stats.sources}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
