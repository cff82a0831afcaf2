"""The cleaner on the seeds (with/without goldens) and on small cases each rule must get right."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from presswork.clean.cleaner import clean_text
from presswork.clean.rules import RULES
from presswork.ingest.decode import normalise_text

from .conftest import SEEDS

GOLDENS = json.loads((Path(__file__).parent / "goldens" / "seeds.json").read_text(encoding="utf-8"))
SEED_NAMES = sorted(name for name in GOLDENS if not name.startswith("_"))


def squash(text: str) -> str:
    return " ".join(text.split())


def clean_seed(name: str):
    return clean_text(normalise_text((SEEDS / name).read_text(encoding="utf-8")))


def test_goldens_cover_every_seed():
    assert sorted(p.name for p in SEEDS.glob("*.txt")) == SEED_NAMES


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_title(name):
    assert clean_seed(name).title == GOLDENS[name]["title"]


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_keeps_article_text(name):
    body = squash(clean_seed(name).body)
    missing = [s for s in GOLDENS[name]["with"] if squash(s) not in body]
    assert not missing


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seed_drops_boilerplate(name):
    body = squash(clean_seed(name).body)
    present = [s for s in GOLDENS[name]["without"] if squash(s) in body]
    assert not present


@pytest.mark.parametrize("name", SEED_NAMES)
def test_every_line_of_the_seed_is_kept_or_accounted_for(name):
    """Nothing is silently lost: what a line loses is a recorded removal; the rest is in the title or body."""
    text = normalise_text((SEEDS / name).read_text(encoding="utf-8"))
    result = clean_text(text)
    kept = squash(f"{result.title or ''} {result.body}")
    removed = [(span.position, span.position + len(span.text)) for span in result.removed]
    offset = 0
    for line in text.split("\n"):
        chars = [ch for i, ch in enumerate(line, start=offset) if not any(start <= i < end for start, end in removed)]
        leftover = squash("".join(chars))
        assert not leftover or leftover in kept, line
        offset += len(line) + 1


@pytest.mark.parametrize("name", SEED_NAMES)
def test_removed_positions_point_at_the_removed_text(name):
    text = normalise_text((SEEDS / name).read_text(encoding="utf-8"))
    for span in clean_text(text).removed:
        assert text[span.position : span.position + len(span.text)] == span.text


def test_body_paragraphs_are_separated_by_one_blank_line():
    body = clean_seed("001_3862c9c6def7ab60.txt").body
    assert body.count("\n\n") == 7
    assert "\n\n\n" not in body
    assert not re.search(r"[^\n]\n[^\n]", body)


def test_glued_prompt_is_cut_at_the_sentence_not_the_line():
    result = clean_text(
        "Headline here\nFirst paragraph is long enough to be prose, with several words in it.\n"
        "Thank you for reading this post, don't forget to subscribe!The ICC said it would act."
    )
    assert "The ICC said it would act." in result.body
    assert [(s.rule_id, s.reason) for s in result.removed] == [("thanks_for_reading", "subscribe_prompt")]


def test_caption_and_its_credited_twin_both_go():
    text = (
        "Leaders meet at the palace\n"
        "The two leaders met on Tuesday and talked for several hours about trade and energy.\n"
        "Minister Jane Doe with President John Roe at the palace\n"
        "Minister Jane Doe meeting President John Roe at the palace. (Image Credit: Kremlin)\n"
        "They agreed to meet again next year, officials from both sides told reporters later."
    )
    result = clean_text(text)
    assert "Jane Doe" not in result.body
    assert {s.rule_id for s in result.removed} == {"caption_twin", "caption_with_credit"}


def test_mid_article_subheading_is_kept():
    text = (
        "Some headline\n"
        "The first paragraph is a full sentence with plenty of words to count as prose.\n\n"
        "Trilateral summit\n\n"
        "The second paragraph is also a full sentence with plenty of words in it."
    )
    assert "Trilateral summit" in clean_text(text).body


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("6 minute read", "read_time"),
        ("Reading time: 4 min", "read_time"),
        ("Leave a comment", "comment_prompt"),
        ("Related Articles", "related_links"),
        ("Back to Top", "back_to_top"),
        ("Copyright © 2014-2025 IRIA - International Relations Insights & Analysis", "copyright_notice"),
        ("© 2024 Reuters. All rights reserved.", "copyright_notice"),
        ("Subscribe to IRIA News", "subscribe_prompt"),
        ("Enter your email address:", "newsletter_signup"),
        ("Sign up for our newsletter", "newsletter_signup"),
        ("Advertisement", "advertisement"),
        ("VIDEO", "advertisement"),
        ("Share this article: Facebook Twitter Email", "share_prompt"),
        ("Photo: Jane Doe/Reuters", "photo_credit"),
        ("AP Photo/Evan Vucci", "photo_credit"),
        ("Getty Images", "photo_credit"),
        ("By Jane Doe, Reuters", "byline"),
        ("Reporting by Jane Doe; Editing by John Roe", "byline"),
        ("Write to Jane Doe at jane.doe@example.com", "byline"),
        ("We use cookies to improve your experience on our site.", "cookie_notice"),
        ("Terms of Use | Privacy Policy | Contact Us", "terms_notice"),
        ("Europe, News No Comments on Putin visits Mongolia", "category_line"),
        ("Tags: Russia, Mongolia, ICC", "category_line"),
    ],
)
def test_line_rules_remove_boilerplate(line, reason):
    text = f"A headline\nA real opening paragraph with enough words to be prose in any article.\n{line}\nClosing paragraph with enough words to be a real sentence of the story."
    result = clean_text(text)
    assert line not in result.body
    assert [s.reason for s in result.removed if s.text == line] == [reason]


@pytest.mark.parametrize(
    "line",
    [
        "By then, ministers had agreed to a deal that neither side liked.",
        "There were 500 comments on the proposal by Friday, officials said.",
        "The newsletter reported that the company lost money last year.",
        "Copyright law changed in 2020 when parliament passed a new act.",
        "Users must agree to the new terms of service by March, the company said.",
        "Photographs taken by residents showed the damage to the bridge.",
        "Reuters reported on Tuesday that talks had stalled over the border.",
        "He told reporters the vote was (in his words) a disaster for the party.",
        "Mongolia and Russia agree to boost trade and energy ties",
    ],
)
def test_article_lines_that_look_like_boilerplate_are_kept(line):
    text = f"A headline\nA real opening paragraph with enough words to be prose in any article.\n{line}\nClosing paragraph with enough words to be a real sentence of the story."
    assert line in clean_text(text).body


def test_rule_ids_are_unique_and_reasons_snake_case():
    ids = [rule.rule_id for rule in RULES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(?:_[a-z]+)*", rule.reason) for rule in RULES)
    assert all(rule.why for rule in RULES)


def test_hard_wrapped_lines_become_one_paragraph():
    text = (
        "A headline\n"
        "The first paragraph of this story was wrapped at a fixed width by the scraper and\n"
        "continues on the next line until it finally ends here.\n\n"
        "A second paragraph stands alone and has plenty of words in it too."
    )
    body = clean_text(text).body
    assert "scraper and continues on the next line" in body
    assert body.count("\n\n") == 1


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=2000))
def test_any_text_cleans_without_error(raw):
    text = normalise_text(raw)
    result = clean_text(text)
    result.body.encode("utf-8")  # always valid UTF-8
    assert "\n\n\n" not in result.body
    for span in result.removed:
        assert text[span.position : span.position + len(span.text)] == span.text


BOILERPLATE_LINES = [
    "Subscribe to IRIA News",
    "6 minute read",
    "Leave a comment",
    "Related Articles",
    "Back to Top",
    "Thank you for reading this post, don't forget to subscribe!",
    "Advertisement",
    "Photo: Jane Doe/Reuters",
]
PROSE_LINES = [
    "The minister said the talks would continue next week in the capital, officials confirmed.",
    "Mongolia has not condemned the invasion and abstained from votes at the United Nations.",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(BOILERPLATE_LINES + PROSE_LINES), max_size=30))
def test_random_mixes_of_boilerplate_and_prose(lines):
    result = clean_text("\n".join(lines))
    assert not any(line in result.body for line in BOILERPLATE_LINES)
    assert all(line in result.body for line in PROSE_LINES if line in lines[1:])
