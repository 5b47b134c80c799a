"""The demo world's PURL packages: NATO's Prioritized Ukraine Requirements List, developed with the United States,
through which allies pay for packages of United States equipment meeting Ukraine's prioritised requirements.

Public reporting: the first packages were announced in August 2025 (the Netherlands; Denmark, Norway and Sweden
together; Germany), Canada followed, and about USD 1.5 billion had been mobilised through the mechanism by the
time Ukraine's defence minister met NATO's Secretary General in Kyiv. The packages below are illustrative
aggregates of that reporting: the three funded packages add up to USD 1.5 billion; the allies' shares of the
Nordic package, every day of an act, and the Canadian package's state are illustrative, not published figures.
The packages stand in no coalition: NATO runs the mechanism and validates the packages; the United States
supplies them; Ukraine receives them.

Built once; running the demo again adds nothing.
"""

from __future__ import annotations

from datetime import date

from coalition.domain.access import Actor
from coalition.domain.errors import NotFound
from coalition.domain.money import Money
from coalition.domain.packages import PackageShare, PurlPackage
from coalition.domain.party import Party
from coalition.services import packages, registry
from coalition.services.ports import UnitOfWork

ALLIES = ("US", "DE", "NO", "SE", "CA", "NL", "DK")
M = 1_000_000


def usd(millions: int) -> Money:
    return Money.parse(str(millions * M), "USD")


# code, title, proposed, validated, funded, delivered, shares (ally, USD millions)
PACKAGES: tuple[tuple[str, str, date, date, date | None, date | None, tuple[tuple[str, int], ...]], ...] = (
    ("PURL-NL-2025-1", "Air and missile defence components and munitions (Netherlands)", date(2025, 7, 28),
     date(2025, 8, 1), date(2025, 8, 4), date(2025, 10, 15), (("NL", 500),)),
    ("PURL-NORDIC-2025-1", "Air defence and ammunition (Denmark, Norway, Sweden)", date(2025, 7, 30),
     date(2025, 8, 2), date(2025, 8, 5), None, (("DK", 180), ("NO", 170), ("SE", 150))),
    ("PURL-DE-2025-1", "Air defence and munitions (Germany)", date(2025, 8, 6), date(2025, 8, 10),
     date(2025, 8, 13), None, (("DE", 500),)),
    ("PURL-CA-2025-1", "Munitions and equipment (Canada)", date(2025, 9, 10), date(2025, 9, 20), None, None,
     (("CA", 200),)),
)
AMOUNTS = {"PURL-CA-2025-1": 500}  # a package not yet fully funded; the others' amount is their shares' sum


def build_demo_packages(work: UnitOfWork, actor: Actor, created: list[str]) -> int:
    """Propose, validate, fund and deliver the demo packages as far as each has gone; 1 if already present."""
    for code in ALLIES:
        try:
            registry.get_party(work, actor, code)
        except NotFound:
            registry.register_party(work, actor, Party.state(code))
            created.append(f"party {code}")
    if packages.list_packages(work, actor, "NATO"):
        return 1
    for code, title, proposed, validated, funded, delivered, shares in PACKAGES:
        amount = usd(AMOUNTS.get(code, sum(m for _, m in shares)))
        packages.propose_package(work, actor, PurlPackage(code, title, "NATO", "NATO", "US", "UA", amount, proposed,
                                                          illustrative=True))
        packages.validate_package(work, actor, code, on=validated, note="validated against the requirements list")
        given = [PackageShare(code, ally, usd(millions), funded or validated) for ally, millions in shares]
        if funded is None:
            packages.record_shares(work, actor, code, given)
            continue
        packages.fund_package(work, actor, code, on=funded, shares=given)
        if delivered is not None:
            packages.deliver_package(work, actor, code, on=delivered, note="delivered from United States stock")
    created.append("PURL packages")
    return 0
