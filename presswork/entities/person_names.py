"""Known given names and surnames, from well-kept data: whether a word can be a person's name.

The names come from the US Census Bureau's 1990 name lists (88,799 surnames, 1,219 male and 4,275 female given
names: the most frequent names of the census sample, down to 90% of its people), as the `names` package ships
them, read as the files they are (`dist.all.last`, `dist.male.first`, `dist.female.first`: a name in capitals,
then its frequency, cumulative frequency and rank). Nothing is downloaded; loading takes about 0.1 s, once.
The lists are American: many names of other countries are in them through immigration ("Nguyen", "Kowalski",
"Scholz"), but a surname rare in the United States is not ("Erdogan", "Zelensky"), so a word missing from them
is no proof that it names no person.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

NAME_FILES = ("dist.all.last", "dist.male.first", "dist.female.first")


@lru_cache(maxsize=1)
def known_names() -> frozenset[str]:
    """Return every given name and surname of the census lists, case-folded."""
    found: set[str] = set()
    package = files("names")
    for file_name in NAME_FILES:
        text = package.joinpath(file_name).read_text(encoding="ascii")
        found.update(line.split(maxsplit=1)[0].casefold() for line in text.splitlines() if line.strip())
    return frozenset(found)


def is_known_name(word: str) -> bool:
    """Whether a folded word (`resolve.tokens`) is a known given name or surname, or has one as a hyphenated part.

    The lists spell names in letters only ("OBRIEN"), so apostrophes are dropped; a double-barrelled name
    counts when one part is known ("Montoya-Lewis").
    """
    letters = word.replace("'", "").replace("’", "")
    names = known_names()
    return letters in names or any(part in names for part in letters.split("-") if part)
