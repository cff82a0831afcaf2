"""Word lists the entity rules use, kept apart from the rules (`ner.py`, `resolve.py`); each says the case behind it."""

from __future__ import annotations

# The last word of a place name built on a person's name ("Genghis Khan Square", "John F. Kennedy Airport"),
# with the label the place gets. The small model reads "Genghis Khan Square" as the person "Khan Square".
PLACE_HEADS: dict[str, str] = {
    "Square": "FAC",
    "Street": "FAC",
    "Avenue": "FAC",
    "Road": "FAC",
    "Boulevard": "FAC",
    "Bridge": "FAC",
    "Airport": "FAC",
    "Station": "FAC",
    "Stadium": "FAC",
    "Palace": "FAC",
    "Cathedral": "FAC",
    "River": "LOC",
    "Lake": "LOC",
    "Mountains": "LOC",
    "Valley": "LOC",
    "Desert": "LOC",
    "Canal": "LOC",
    "Island": "LOC",
    "Islands": "LOC",
}
# Heads that are also surnames ("Ricki Lake", "Sean Street"): a person span ending in one is read as a place
# only when the place name reaches further left than the model's span (the model missed part of it).
SURNAME_HEADS = frozenset({"Lake", "Street", "Island", "Bridge", "Palace"})
# Capitalised words that start a sentence or a phrase but never a place name: "In Genghis Khan Square".
LEADING_FUNCTION_WORDS = frozenset(
    {"The", "A", "An", "In", "At", "On", "From", "To", "Near", "By", "For", "With", "And", "Of", "Outside", "Inside"}
)
# Small words inside a name that start lowercase and still belong to it: "de Gaulle", "von der Leyen".
NAME_PARTICLES = frozenset(
    {"de", "del", "della", "der", "den", "van", "von", "al", "el", "bin", "ibn", "la", "le", "du", "da", "di", "dos"}
)
# Names that only say what kind of document something is, not which one ("a Memorandum of Understanding" was
# signed; "the Paris Agreement" names one and stays). Case-folded, without a leading article.
GENERIC_DOCUMENT_TYPES = frozenset(
    {
        "memorandum of understanding",
        "memorandum",
        "agreement",
        "treaty",
        "declaration",
        "joint declaration",
        "joint statement",
        "statement",
        "communique",
        "communiqué",
        "resolution",
        "executive order",
        "press release",
        "report",
        "white paper",
        "letter of intent",
        "framework agreement",
        "action plan",
        "roadmap",
        "constitution",
        "charter",
        "bill",
        "act",
    }
)
# Labels of titled things that a quoted sentence gets by mistake: the protest sign "Get War Criminal Putin out
# of here" gave the EVENT "Get War Criminal Putin".
QUOTABLE_LABELS = frozenset({"EVENT", "WORK_OF_ART", "LAW", "PRODUCT"})
# Words that make a place name another place than the one-word name in it: "East Jerusalem" is not
# "Jerusalem", "Moscow Region" not "Moscow". A one-word place never joins a longer name with one of these.
PLACE_PART_WORDS = frozenset(
    {
        "north",
        "south",
        "east",
        "west",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
        "northern",
        "southern",
        "eastern",
        "western",
        "central",
        "upper",
        "lower",
        "greater",
        "inner",
        "outer",
        "region",
        "oblast",
        "province",
        "state",
        "county",
        "city",
        "district",
        "governorate",
        "prefecture",
        "territory",
        "krai",
        "municipality",
        "metropolitan",
        "area",
        "port",
        "fort",
    }
)
