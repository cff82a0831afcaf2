"""Country names and their variants ("U.S.", "USA", "United States of America"), from well-kept data.

The names come from pycountry (ISO 3166: name, official and common name, alpha-2 and alpha-3 codes) and from
country-converter's table (the short names news uses, "Russia" where ISO says "Russian Federation", and each
country's internet domain, "uk" for the United Kingdom). Both ship their data inside the package: nothing is
downloaded. country-converter's table is read as the file it is, without importing the package, which would
import pandas into every worker process for one table.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# Codes are also words and acronyms ("AI", "IT", "AU" for the African Union, on ecb-dev's sports pages "I.R.",
# injured reserve, not Iran, and on its crime pages "ATF", the firearms bureau, not the French Southern
# Territories): one names a country only when it is written in capitals and its mentions mostly vote for a place.
NAME, CODE = "name", "code"
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Country:
    """The country a name denotes, and whether the name is a code (see CODE)."""

    iso3: str
    kind: str


def country_key(name: str) -> str:
    """Case-fold, strip accents, full stops and a leading 'the': the form country names are looked up by."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = _SPACES.sub(" ", folded.replace(".", "").replace("’", "'")).strip()
    return folded.removeprefix("the ")


def _converter_rows() -> list[dict[str, str]]:
    spec = importlib.util.find_spec("country_converter")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("country_converter is not installed (a dependency of presswork)")
    table = Path(next(iter(spec.submodule_search_locations))) / "country_data.tsv"
    with table.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@lru_cache(maxsize=1)
def country_names() -> dict[str, Country]:
    """Map each known country name and code (by `country_key`) to its country."""
    import pycountry

    found: dict[str, Country] = {}

    def add(name: str | None, iso3: str, kind: str) -> None:
        if name and iso3:
            found.setdefault(country_key(name), Country(iso3, kind))

    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            add(getattr(country, attribute, None), country.alpha_3, NAME)
    for row in _converter_rows():
        iso3 = row["ISO3"]
        add(row["name_short"].removesuffix(" (former)"), iso3, NAME)
        add(row["name_official"], iso3, NAME)
    for country in pycountry.countries:
        add(country.alpha_3, country.alpha_3, CODE)
        add(country.alpha_2, country.alpha_3, CODE)
    for row in _converter_rows():
        add(row["ccTLD"], row["ISO3"], CODE)
    return found


@lru_cache(maxsize=1)
def _short_names() -> dict[str, str]:
    return {row["ISO3"]: row["name_short"].removesuffix(" (former)") for row in _converter_rows() if row["ISO3"]}


def country_name(iso3: str) -> str | None:
    """Return the name news uses for a country ('United States', 'Russia'), from country-converter's table."""
    return _short_names().get(iso3)


def country_of(name: str, mostly_place: bool) -> str | None:
    """Return the ISO alpha-3 code of the country `name` denotes, else None.

    A code counts when it is all capitals and `mostly_place` (its mentions mostly vote for a place: "U.S.
    officials" is the country, "AI" the technology, "ATF" the bureau).
    """
    country = country_names().get(country_key(name))
    if country is None:
        return None
    if country.kind == CODE:
        letters = name.replace(".", "")
        if not (letters.isalpha() and letters.isupper()):
            return None
        if not mostly_place:
            return None
    return country.iso3
