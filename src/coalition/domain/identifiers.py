"""The identifier crosswalk: the names other registers give a party, one per scheme.

A party is known to the open-data standards by other identifiers than its code here: a state by its ISO 3166-1
code (implicit: a state's code is its ISO code), a donor agency by its IATI organisation identifier (a registration
agency's prefix and the agency's own number, e.g. ``XM-DAC-7``), a party of a contracting process by its OCDS party
id, a company by its Legal Entity Identifier (ISO 17442) and by its number in a national register. Each scheme has
its rule; a value that breaks it is refused naming the field and the rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from coalition.domain.common import check_code
from coalition.domain.errors import InvalidInput, refusal
from coalition.domain.party import check_country


class IdScheme(StrEnum):
    ISO3166 = "iso3166"
    IATI = "iati"
    OCDS = "ocds"
    LEI = "lei"
    NATIONAL = "national"


# An IATI organisation identifier: the registration agency's prefix (a country code or XI/XM, a hyphen, the agency's
# code), a hyphen, and the number the agency gave; no spaces, and none of / & ? ; # that break it in a URL.
_IATI_ORG = re.compile(r"[A-Z]{2}-[A-Z0-9]{2,12}-[A-Za-z0-9._-]{1,100}")
_LEI = re.compile(r"[A-Z0-9]{18}[0-9]{2}")
_OCDS = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}")
_NATIONAL = re.compile(r"[A-Z]{2}-[A-Za-z0-9]{1,16}-[A-Za-z0-9./-]{1,64}")


def lei_check_digits_hold(value: str) -> bool:
    """ISO 17442's check: the LEI read as a number (letters A=10 ... Z=35) leaves 1 when divided by 97
    (ISO 7064 MOD 97-10)."""
    return int("".join(str(int(ch, 36)) for ch in value)) % 97 == 1


def _check_iati(value: str) -> None:
    if not _IATI_ORG.fullmatch(value):
        raise refusal(InvalidInput, "'{value}' is not an IATI organisation identifier: a registration agency's "
                      "prefix and its number, like XM-DAC-7 or GB-COH-01234567", field="id", value=value)


def _check_lei(value: str) -> None:
    if not _LEI.fullmatch(value):
        raise refusal(InvalidInput, "'{value}' is not a Legal Entity Identifier: 20 characters, 18 letters or "
                      "digits and 2 check digits (ISO 17442)", field="id", value=value)
    if not lei_check_digits_hold(value):
        raise refusal(InvalidInput, "the check digits of the Legal Entity Identifier '{value}' do not hold "
                      "(ISO 17442, MOD 97-10)", field="id", value=value)


def _check_ocds(value: str) -> None:
    if not _OCDS.fullmatch(value):
        raise refusal(InvalidInput, "'{value}' is not an OCDS party id: up to 200 letters, digits and . _ : / -, "
                      "starting with a letter or digit", field="id", value=value)


def _check_national(value: str) -> None:
    if not _NATIONAL.fullmatch(value):
        raise refusal(InvalidInput, "'{value}' is not a national register number: the country's code, the "
                      "register's code and the number, like EE-RIK-10000001", field="id", value=value)


def _check_iso3166(value: str) -> None:
    check_country(value, "id")


CHECKS = {IdScheme.IATI: _check_iati, IdScheme.LEI: _check_lei, IdScheme.OCDS: _check_ocds,
          IdScheme.NATIONAL: _check_national, IdScheme.ISO3166: _check_iso3166}


def parse_scheme(text: str) -> IdScheme:
    try:
        return IdScheme((text or "").strip().lower())
    except ValueError:
        raise refusal(InvalidInput, "'{text}' is not an identifier scheme ({schemes})", field="scheme",
                      text=text, schemes=", ".join(s.value for s in IdScheme)) from None


@dataclass(frozen=True, slots=True)
class PartyIdentifier:
    """A party's identifier in one scheme."""

    party: str
    scheme: IdScheme
    value: str

    def __post_init__(self) -> None:
        check_code(self.party, "party")
        object.__setattr__(self, "value", (self.value or "").strip())
        CHECKS[self.scheme](self.value)


def iso_identifier(state: str) -> PartyIdentifier:
    """A state's ISO 3166-1 identifier: its party code."""
    return PartyIdentifier(state, IdScheme.ISO3166, state)
