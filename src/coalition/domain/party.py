"""Parties: the states, organisations, agencies, ministries, companies, units and teams that act.

A state's code is its ISO 3166-1 alpha-2 code; its English and Ukrainian names come from pycountry.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import pycountry

from coalition.domain.common import check_code
from coalition.domain.errors import InvalidInput
from coalition.domain.limits import NAME, check_text


class PartyKind(StrEnum):
    STATE = "state"
    INTERNATIONAL_ORGANISATION = "international-organisation"
    AGENCY = "agency"
    MINISTRY = "ministry"
    COMPANY = "company"
    MILITARY_UNIT = "military-unit"
    INNOVATION_TEAM = "innovation-team"


@lru_cache(maxsize=1)
def _ukrainian() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["uk"], fallback=True)


def check_country(code: str, field: str = "country") -> str:
    """Return the ISO 3166-1 alpha-2 code, upper-cased, or raise naming the field."""
    normalised = (code or "").strip().upper()
    if len(normalised) != 2 or pycountry.countries.get(alpha_2=normalised) is None:
        raise InvalidInput(f"'{code}' is not an ISO 3166-1 alpha-2 country code", field=field)
    return normalised


def country_names(code: str) -> tuple[str, str]:
    """English and Ukrainian short names of a country."""
    country = pycountry.countries.get(alpha_2=check_country(code))
    assert country is not None  # check_country has looked it up
    english = str(getattr(country, "common_name", None) or country.name)
    return english, _ukrainian().gettext(str(country.name))


@dataclass(frozen=True, slots=True)
class Party:
    """Anyone who acts in a coalition. States are keyed by their ISO code."""

    code: str
    kind: PartyKind
    name: str
    name_uk: str | None = None
    country: str | None = None
    illustrative: bool = False

    def __post_init__(self) -> None:
        check_code(self.code, "code")
        check_text(self.name, "name", NAME)
        if self.name_uk is not None:
            check_text(self.name_uk, "name_uk", NAME)
        if self.country is not None:
            object.__setattr__(self, "country", check_country(self.country))
        if self.kind is PartyKind.STATE and self.code != (self.country or ""):
            raise InvalidInput(
                f"a state's code must be its ISO 3166-1 alpha-2 country code ({self.country}), not '{self.code}'",
                field="code",
            )

    @classmethod
    def state(cls, country_code: str) -> Party:
        """A state from its ISO 3166-1 alpha-2 code, named in English and Ukrainian."""
        code = check_country(country_code)
        english, ukrainian = country_names(code)
        return cls(code=code, kind=PartyKind.STATE, name=english, name_uk=ukrainian, country=code)
