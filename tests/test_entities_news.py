"""Entity rules for the classes of error seen on real news (issue 16): each with a case that must merge or be
mended, and a negative case that must stay apart or survive. Pure functions, no spaCy model."""

from __future__ import annotations

import pytest

from presswork.entities.countries import country_of
from presswork.entities.ner import Span, _with_full_names, junk_reason, name_bounds, normalise_name, place_names
from presswork.entities.resolve import NameStat, article_full_names, person_parts, resolve_names
from presswork.records import Mention

from .test_resolve import entities_of as groups_of
from .test_resolve import stat


def entities_of(stats: list[NameStat]) -> dict[str, set[str]]:
    """Resolve the names and group them by the entity each joins."""
    return groups_of(resolve_names(stats))


# -- the seeds' classes -------------------------------------------------------------------------------------


def test_a_one_word_place_joins_the_one_longer_place_ending_in_it():
    groups = entities_of([stat("Hague", GPE=2), stat("The Hague", GPE=5), stat("ICC", ORG=3)])
    assert groups["The Hague"] == {"Hague", "The Hague"}


@pytest.mark.parametrize(
    ("one", "longer"),
    [
        ("Jerusalem", ["East Jerusalem"]),  # a part of the place is another place
        ("Moscow", ["Moscow Region"]),  # so is a region named after it
        ("Guinea", ["Papua New Guinea"]),  # a country stays itself
        ("Carolina", ["North Carolina", "South Carolina"]),  # two places share the word
        ("Philadelphia", ["Northeast Philadelphia"]),
        ("Europe", ["Middle East-Western Europe"]),  # the model's span over two places
    ],
)
def test_places_sharing_a_word_stay_apart(one, longer):
    groups = entities_of([stat(one, GPE=2), *(stat(name, GPE=3) for name in longer)])
    assert groups[one] == {one}


def test_a_place_mentioned_more_than_the_longer_name_is_its_own():
    groups = entities_of([stat("Alaska", GPE=40), stat("Palmer Alaska", GPE=3)])  # a town, then its state
    assert groups["Alaska"] == {"Alaska"}


def test_a_code_counts_by_the_votes_of_all_its_spellings():
    # ecb-dev's sports pages: "I.R." once a place, "IR" 18 times an organisation (injured reserve)
    stats = [stat("I.R.", GPE=1), stat("IR", ORG=18), stat("Injured Reserve", ORG=2), stat("Iran", GPE=9)]
    resolved = resolve_names(stats)
    assert resolved["I.R."].entity_name == resolved["IR"].entity_name == "Injured Reserve"
    assert resolved["Iran"].entity_name == "Iran"


def test_a_short_acronym_is_not_the_word_it_spells():
    groups = entities_of(
        [stat("WHO", ORG=4), stat("Who", ORG=1), stat("US", GPE=3), stat("U.S.", GPE=2), stat("Us", ORG=1)]
    )
    assert groups["WHO"] == {"WHO"} and groups["Who"] == {"Who"}
    assert {"US", "U.S."} in groups.values() and {"Us"} in groups.values()


def test_a_code_of_a_country_the_corpus_never_names_reads_as_what_it_spells():
    stats = [stat("LA", GPE=5), stat("L.A.", GPE=2), stat("Los Angeles", GPE=9), stat("University of Surrey", ORG=1)]
    stats += [stat("US", GPE=4), stat("United States", GPE=3)]
    resolved = resolve_names(stats)
    assert resolved["LA"].entity_name == resolved["L.A."].entity_name == "Los Angeles"  # not Laos
    assert resolved["US"].entity_name == "United States"  # named in the corpus: "University of Surrey" is no rival


def test_a_lowercase_word_joins_no_person():
    assert resolve_names([stat("al", ORG=5), stat("Al Horford", PERSON=3)])["al"].entity_name == "al"


def test_an_acronym_the_text_defines_is_not_a_country_code():
    stats = [stat("I.R.", GPE=3), stat("Injured Reserve", ORG=2), stat("Iran", GPE=9)]
    resolved = resolve_names(stats, [("IR", "Injured Reserve")])
    assert resolved["I.R."].entity_name == "Injured Reserve"
    assert resolved["Iran"].entity_name == "Iran"


def _spans(text: str, found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    spans = [Span(text.index(t), text.index(t) + len(t), label) for t, label in found]
    return [(text[s.start : s.end], s.label) for s in place_names(text, spans)]


@pytest.mark.parametrize(
    ("text", "found", "expected"),
    [
        # the model's person "Khan Square" is the square named after Genghis Khan
        (
            "Genghis Khan Square, the heart of the capital.",
            [("Khan Square", "PERSON")],
            [("Genghis Khan Square", "FAC")],
        ),
        # no entity at all: the place is added
        ("They met in Ulaanbaatar's Genghis Khan Square.", [], [("Genghis Khan Square", "FAC")]),
        (
            "Flights left John F. Kennedy Airport late.",
            [("John F. Kennedy", "PERSON")],
            [("John F. Kennedy Airport", "FAC")],
        ),
        ("A dam on the Selenga River was built.", [("Selenga River", "LOC")], [("Selenga River", "LOC")]),
    ],
)
def test_a_place_head_after_a_person_like_name_makes_a_place(text, found, expected):
    assert _spans(text, found) == expected


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("The host Ricki Lake said so.", [("Ricki Lake", "PERSON")]),  # a surname that is also a place head
        ("The Wall Street Journal reported it.", [("The Wall Street Journal", "ORG")]),  # no street
    ],
)
def test_names_ending_in_a_place_word_that_are_no_place_survive(text, found):
    assert _spans(text, found) == found


TEXT = (
    "The Trans-Mongolian gas pipeline. Russia-Ukraine talks. The Hague-based court. Luvsannamsrain Oyun-Erdene "
    "spoke. Signs read “Get War Criminal Putin out of here.” She read “War and Peace” twice. A Memorandum of "
    "Understanding and the Paris Agreement were signed."
)


@pytest.mark.parametrize(
    ("surface", "label", "reason"),
    [
        ("Trans", "NORP", "hyphen_fragment"),
        ("Get War Criminal Putin", "EVENT", "quoted_slogan"),
        ("Memorandum of Understanding", "WORK_OF_ART", "generic_document_type"),
        # real names next to the same patterns survive
        ("Russia", "GPE", None),  # a country before a hyphen
        ("Hague", "GPE", None),  # "-based" is no name
        ("Oyun-Erdene", "PERSON", None),
        ("War and Peace", "WORK_OF_ART", None),  # a whole quotation is a title
        ("Paris Agreement", "LAW", None),  # names which agreement
    ],
)
def test_junk_has_a_reason_and_names_survive(surface, label, reason):
    start = TEXT.index(surface)
    assert junk_reason(TEXT, start, start + len(surface), label) == reason


def test_a_hyphen_fragment_the_text_also_uses_alone_survives():
    text = "Trans-Mongolian rail. Trans World Airlines."
    assert junk_reason(text, 0, len("Trans"), "ORG") is None


@pytest.mark.parametrize(
    ("surface", "alias"),
    [
        ("the Soviet Union’s", "Soviet Union"),
        ("The Hague's", "The Hague"),
        ("embattled Boeing", "Boeing"),  # a modifier before a name
        ("new iPhone 15", "iPhone 15"),
        ("de Gaulle", "de Gaulle"),  # a name particle stays
        ("the ministry of defence", "ministry of defence"),  # lowercase words before no capital are no modifiers
        ("the U.S.", "U.S."),
    ],
)
def test_aliases_are_the_name_as_written_without_article_possessive_or_modifier(surface, alias):
    start, end = name_bounds(surface)
    assert surface[start:end] == alias == normalise_name(surface)


# -- real news: countries, middle names, surnames in an article, labels ------------------------------------


def test_a_countrys_names_and_codes_are_one_place():
    stats = [
        stat("U.S.", GPE=9),
        stat("US", GPE=4),
        stat("USA", GPE=1),
        stat("United States", GPE=6, ORG=8),  # the model's votes: ORG
        stat("United States of America", GPE=1),
        stat("U.K.", GPE=2),
        stat("United Kingdom", GPE=1),
    ]
    resolved = resolve_names(stats)
    assert {resolved[n].entity_name for n in ("U.S.", "US", "USA", "United States of America")} == {"United States"}
    assert resolved["United States"].entity_label == "GPE"
    assert resolved["U.K."].entity_name == "United Kingdom"


@pytest.mark.parametrize(
    ("name", "mostly_place", "country"),
    [
        ("U.S.", True, "USA"),
        ("US", True, "USA"),
        ("I.R.", False, None),  # injured reserve on the sports pages, not Iran
        ("US", False, None),  # "US" as a pronoun-like acronym without place votes
        ("AI", False, None),  # a code (Anguilla) that is also a word
        ("AU", False, None),  # African Union
        ("USA", True, "USA"),
        ("ATF", False, None),  # the firearms bureau (ecb-dev, ORG 4 of 4), not the French Southern Territories
        ("Russia", False, "RUS"),
        ("Russian", False, None),  # a nationality is no country
    ],
)
def test_codes_count_only_when_voted_places(name, mostly_place, country):
    assert country_of(name, mostly_place) == country


def test_a_first_name_that_is_a_country_stays_a_person():
    resolved = resolve_names([stat("Jordan", PERSON=4), stat("Michael Jordan", PERSON=2), stat("Jordan River", LOC=1)])
    assert resolved["Jordan"].entity_name == "Michael Jordan"
    assert resolved["Jordan"].entity_label == "PERSON"


def test_middle_names_and_initials_are_one_person():
    groups = entities_of(
        [
            stat("John F. Kennedy", PERSON=3),
            stat("John Fitzgerald Kennedy", PERSON=1),
            stat("John Kennedy", PERSON=2),
            stat("Kennedy", PERSON=5),
            stat("Martin Luther King Jr.", PERSON=1),
            stat("Martin Luther King", PERSON=2),
        ]
    )
    assert groups["John Fitzgerald Kennedy"] == {
        "John F. Kennedy",
        "John Fitzgerald Kennedy",
        "John Kennedy",
        "Kennedy",
    }
    assert groups["Martin Luther King Jr."] == {"Martin Luther King Jr.", "Martin Luther King"}


def test_people_whose_middle_names_disagree_stay_apart():
    groups = entities_of(
        [
            stat("George Bush", PERSON=2),
            stat("George W. Bush", PERSON=3),
            stat("George H. W. Bush", PERSON=1),
            stat("John Smith", PERSON=1),
            stat("Jane Smith", PERSON=1),
        ]
    )
    assert len(groups) == 5


def test_person_parts_keep_particles_in_the_last_name():
    assert person_parts("Ursula von der Leyen") == ("ursula", (), "von der leyen")
    assert person_parts("J. Kennedy") is None  # an initial is no first name to group by


def test_a_surname_means_the_person_its_article_names_in_full():
    article = [("Boris Johnson", "PERSON"), ("Johnson", "PERSON"), ("Vladimir Putin", "PERSON"), ("Putin", "ORG")]
    assert article_full_names(article) == {"Johnson": "Boris Johnson", "Putin": "Vladimir Putin"}


def test_a_full_name_with_a_lowercase_word_takes_no_short_forms():
    assert article_full_names([("Meghan cry", "PERSON"), ("Meghan", "PERSON")]) == {}


def test_a_surname_two_people_of_the_article_share_stays_as_written():
    article = [("Boris Johnson", "PERSON"), ("Lyndon Johnson", "PERSON"), ("Johnson", "PERSON"), ("Washington", "GPE")]
    article.append(("George Washington", "PERSON"))
    assert article_full_names(article) == {}  # nor is the place "Washington" the person


def test_a_surname_resolved_in_two_articles_to_two_people_keeps_them_apart():
    first = article_full_names([("Boris Johnson", "PERSON"), ("Johnson", "PERSON")])
    second = article_full_names([("Lyndon Johnson", "PERSON"), ("Johnson", "PERSON")])
    assert first["Johnson"] != second["Johnson"]
    # across the corpus the bare surname, still seen elsewhere, stays on its own
    resolved = resolve_names(
        [stat("Johnson", PERSON=2), stat("Boris Johnson", PERSON=4), stat("Lyndon Johnson", PERSON=3)]
    )
    assert resolved["Johnson"].entity_name == "Johnson"


# -- surnames the model calls something else (ecb-dev: "Teixeira" ORG 90 times of 118) -------------------------


def mention(name: str, label: str) -> Mention:
    return Mention("a1", "in.txt", name, name, label, 0, len(name), name, label)


def test_a_surname_the_model_calls_an_org_is_the_person_its_article_names_and_votes_person():
    named = _with_full_names([mention("Mark Teixeira", "PERSON"), mention("Teixeira", "ORG")])
    assert [(m.name, m.text, m.label, m.vote_label) for m in named] == [
        ("Mark Teixeira", "Mark Teixeira", "PERSON", "PERSON"),
        ("Mark Teixeira", "Teixeira", "ORG", "PERSON"),  # the model's label kept, the vote mended
    ]


def test_a_word_the_model_calls_something_else_joins_a_full_name_only_as_its_surname():
    # "Christian" (a religion, NORP) is the given name of "Christian Fraser"; "Colts" is the team of a mislabelled
    # full name; a bare word the model calls a person may still be a given name ("Meghan" of "Meghan Markle").
    assert article_full_names([("Christian Fraser", "PERSON"), ("Christian", "NORP")]) == {}
    assert article_full_names([("Colts Andrew Luck", "PERSON"), ("Colts", "ORG")]) == {}
    assert article_full_names([("Meghan Markle", "PERSON"), ("Meghan", "PERSON")]) == {"Meghan": "Meghan Markle"}


def test_a_page_title_or_a_numbered_name_is_no_full_name():
    assert article_full_names([("Coinbase Pro: Fees Coinbase", "PERSON"), ("Coinbase", "ORG")]) == {}
    assert article_full_names([("Apollo 11 Armstrong", "PERSON"), ("Armstrong", "PERSON")]) == {}


def test_across_the_corpus_a_mislabelled_surname_joins_the_person_and_the_person_stays_a_person():
    resolved = resolve_names(
        [stat("Wladimir Klitschko", PERSON=114, GPE=3), stat("Klitschko", NORP=6, PERSON=2), stat("Ukraine", GPE=4)]
    )
    assert resolved["Klitschko"].entity_name == "Wladimir Klitschko"
    assert resolved["Klitschko"].entity_label == "PERSON"


@pytest.mark.parametrize(
    "stats",
    [
        # a word mentioned more often than the person on its own is not that person ("House", the chamber)
        [stat("Robert House", PERSON=1), stat("House", ORG=5)],
        # nor is a given name the model calls a group
        [stat("Christian Fraser", PERSON=3), stat("Christian", NORP=12)],
        # nor a surname two people bear, though only one is mentioned more often than it
        [stat("Boris Johnson", PERSON=10), stat("Johnson", ORG=5), stat("Lyndon Johnson", PERSON=2)],
    ],
)
def test_across_the_corpus_a_word_called_something_else_stays_apart_from_a_person(stats):
    resolved = resolve_names(stats)
    one_word = stats[1].name
    assert resolved[one_word].entity_name == one_word
    assert resolved[one_word].entity_label == stats[1].votes.most_common(1)[0][0]
    assert resolved[stats[0].name].entity_label == "PERSON"


# -- a leading initial, and a generational suffix (ecb-dev: "W. Mark Felt", "Mark Felt Jr") ---------------------


def test_a_leading_initial_before_the_given_name_is_the_same_person():
    assert person_parts("W. Mark Felt") == ("mark", (), "felt")
    assert person_parts("J. K. Rowling") is None  # initials only: no given name to group by
    groups = entities_of([stat("W. Mark Felt", PERSON=50), stat("Mark Felt", PERSON=36), stat("Felt", PERSON=9)])
    assert groups["W. Mark Felt"] == {"W. Mark Felt", "Mark Felt", "Felt"}


def test_inside_an_article_the_forms_of_one_person_take_the_surname():
    article = [("W. Mark Felt", "PERSON"), ("Mark Felt", "PERSON"), ("Felt", "PERSON"), ("Felt", "PERSON")]
    assert article_full_names(article)["Felt"] in {"W. Mark Felt", "Mark Felt"}


@pytest.mark.parametrize(
    "people",
    [
        ["Mark Felt", "Mark Felt Jr"],  # father and son
        ["George W. Bush", "George H. W. Bush"],  # middle initials that disagree
    ],
)
def test_inside_an_article_two_people_of_one_name_leave_the_surname_alone(people):
    surname = people[0].split()[-1]
    assert article_full_names([(p, "PERSON") for p in people] + [(surname, "PERSON")]) == {}


def test_a_suffix_keeps_father_and_son_apart_when_both_are_named():
    both = entities_of(
        [stat("Mark Felt", PERSON=36), stat("Mark Felt Jr", PERSON=1), stat("W. Mark Felt Sr", PERSON=1)]
    )
    assert both["Mark Felt Jr"] == {"Mark Felt Jr"} and both["W. Mark Felt Sr"] == {"W. Mark Felt Sr"}
    # with one suffix in the corpus the plain name is that person ("Arcade Joseph Comeaux Jr", ecb-dev)
    one = entities_of([stat("Arcade Joseph Comeaux", PERSON=3), stat("Arcade Joseph Comeaux Jr", PERSON=2)])
    assert one["Arcade Joseph Comeaux Jr"] == {"Arcade Joseph Comeaux", "Arcade Joseph Comeaux Jr"}


def test_a_middle_name_alone_is_not_the_person():
    # "Cheney" is someone else than "Frederick Cheney LaRue"; "Meghan" is no part of the model's "Kamel Daoud Meghan
    # Daum" (two people in one span, html-dev); the given name and the surname still join.
    groups = entities_of(
        [
            stat("Frederick Cheney LaRue", PERSON=6),
            stat("Cheney", PERSON=9),
            stat("LaRue", PERSON=20),
            stat("Kamel Daoud Meghan Daum", PERSON=1),
            stat("Meghan", PERSON=32),
        ]
    )
    assert groups["Frederick Cheney LaRue"] == {"Frederick Cheney LaRue", "LaRue"}
    assert groups["Cheney"] == {"Cheney"} and groups["Meghan"] == {"Meghan"}
    assert article_full_names([("Frederick Cheney LaRue", "PERSON"), ("Cheney", "PERSON")]) == {}
