"""The demo world's identifier crosswalk: the public IATI organisation identifiers of the donor states.

Each donor government is named by its OECD Development Assistance Committee donor code under the registration
agency prefix ``XM-DAC`` (the OECD DAC's code list, which the IATI Organisation Registration Agency list names as
XM-DAC): Belgium 2, Denmark 3, Italy 6, the Netherlands 7, the United Kingdom 12, Iceland 20, Luxembourg 22,
Estonia 82, Latvia 83, Lithuania 84, as the DAC's list of donor codes publishes them. A ministry or agency that
publishes to IATI under a longer identifier of its own (``XM-DAC-7`` is the Netherlands' Ministry of Foreign
Affairs; others add a suffix per agency) can be given it with ``coalition parties identify``. Ukraine, the recipient,
is no DAC donor and is named by its ISO 3166-1 code alone. Nothing here is illustrative.
"""

from __future__ import annotations

from coalition.domain.access import Actor
from coalition.domain.identifiers import IdScheme, PartyIdentifier
from coalition.services import registry
from coalition.services.ports import UnitOfWork

DAC_DONOR_CODES = {"BE": 2, "DK": 3, "IT": 6, "NL": 7, "GB": 12, "IS": 20, "LU": 22, "EE": 82, "LV": 83, "LT": 84}


def build_demo_identifiers(uow: UnitOfWork, actor: Actor, created: list[str]) -> int:
    """Give each donor state its IATI organisation identifier unless it holds one; return how many were there."""
    present = 0
    for state, code in DAC_DONOR_CODES.items():
        held = {i.scheme for i in registry.party_identifiers(uow, actor, state)}
        if IdScheme.IATI in held:
            present += 1
            continue
        registry.identify_party(uow, actor, PartyIdentifier(state, IdScheme.IATI, f"XM-DAC-{code}"))
        created.append(f"identifier XM-DAC-{code} of {state}")
    return present
