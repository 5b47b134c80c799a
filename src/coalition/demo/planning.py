"""The demo world's requirements, priority lists and first allocation (all figures illustrative).

The recipient ranks command-post equipment for tactical units first; the secretariat approves the
list and an allocation plan, which reserves the money already received. Running it again adds
nothing.
"""

from __future__ import annotations

from datetime import date

from coalition.domain.access import Actor
from coalition.domain.errors import NotFound
from coalition.domain.money import Money
from coalition.domain.party import Party, PartyKind
from coalition.domain.requirements import Requirement, RequirementStatus
from coalition.domain.steering import Meeting, Procedure, ProposalKind, Vote
from coalition.services import planning, registry, steering
from coalition.services.ports import UnitOfWork
from coalition.services.views import priorities

IT = "it-coalition"
UNITS = (("UA-TU-1", "Tactical unit 1 command post (illustrative)", "Пункт управління тактичної ланки 1"),
         ("UA-TU-2", "Tactical unit 2 command post (illustrative)", "Пункт управління тактичної ланки 2"),
         ("UA-TU-3", "Tactical unit 3 command post (illustrative)", "Пункт управління тактичної ланки 3"))

# code, title, area, quantity, unit, unit cost (EUR), end users
REQUIREMENTS = (
    ("CP-KIT-01", "Command-post kits for tactical units", "command-posts", 60, "set", "85000.00",
     ("UA-TU-1", "UA-TU-2")),
    ("CP-RADIO-02", "Tactical radios for command posts", "communications", 400, "piece", "6500.00",
     ("UA-TU-1", "UA-TU-2", "UA-TU-3")),
    ("CYBER-SOC-03", "Security operations centre tooling", "cybersecurity", 1, "lot", "3200000.00", ()),
    ("CLOUD-04", "Deployable cloud nodes", "cloud", 8, "node", "450000.00", ()),
    ("CP-KIT-05", "Command-post kits, second tranche", "command-posts", 80, "set", "85000.00", ("UA-TU-3",)),
    ("SW-06", "Battle management software licences", "software", 2000, "licence", "1200.00",
     ("UA-TU-1", "UA-TU-2", "UA-TU-3")),
)
VERSION_1 = ("CP-KIT-01", "CP-RADIO-02", "CYBER-SOC-03", "CLOUD-04", "CP-KIT-05", "SW-06")
VERSION_2 = ("CP-KIT-01", "CYBER-SOC-03", "CP-RADIO-02", "CP-KIT-05", "CLOUD-04", "SW-06")


def build_demo_planning(work: UnitOfWork, actor: Actor, created: list[str]) -> int:
    present = 0
    for code, name, name_uk in UNITS:
        try:
            registry.get_party(work, actor, code)
            present += 1
        except NotFound:
            registry.register_party(work, actor, Party(code, PartyKind.MILITARY_UNIT, name, name_uk, "UA",
                                                       illustrative=True))
            created.append(f"party {code}")
    known = {r.code for r in planning.list_requirements(work, actor, IT).items}
    for code, title, area, quantity, unit, cost, users in REQUIREMENTS:
        if code in known:
            present += 1
            continue
        planning.add_requirement(work, actor, Requirement(code, IT, "UA-MOD", title, area, quantity, unit,
                                                          Money.parse(cost, "EUR"), users,
                                                          status=RequirementStatus.SUBMITTED, illustrative=True))
        planning.change_requirement_status(work, actor, code, RequirementStatus.VALIDATED,
                                           "validated by the secretariat (illustrative)")
        created.append(f"requirement {code}")
    versions = priorities.priority_lists(work, actor, IT)
    if not versions:
        planning.submit_priority_list(work, actor, coalition=IT, ranks=VERSION_1, submitted_by="UA-MOD",
                                      on=date(2024, 1, 25), note="command-post equipment for tactical units first")
        _first_steering_group(work, actor)
        planning.submit_priority_list(work, actor, coalition=IT, ranks=VERSION_2, submitted_by="UA-MOD",
                                      on=date(2024, 6, 3), note="cybersecurity moved up (illustrative)")
        created.append("priority lists v1 (approved at the first steering group) and v2 (submitted)")
    else:
        present += 1
    if priorities.coverage(work, actor, IT).ranks[0].reserved.is_zero():
        plan = planning.run_allocation(work, actor, IT, on=date(2024, 6, 10))
        proposal = steering.open_proposal(work, actor, coalition=IT, kind=ProposalKind.APPROVE_PLAN,
                                          title="Approve the first allocation: command posts first",
                                          payload={"plan": plan.id}, procedure=Procedure.WRITTEN)
        closed = date(2024, 6, 14)  # illustrative: the written procedure closed four days after the run
        voters = [m.party.code for m in registry.members_on(work, actor, IT, closed) if m.votes]
        for party in voters:
            steering.cast_vote(work, actor, proposal.id or 0, party, Vote.FOR)
        steering.close_proposal(work, actor, proposal.id or 0, on=closed)
        created.append(f"allocation plan {plan.id} (approved by written procedure)")
    else:
        present += 1
    return present


def _first_steering_group(work: UnitOfWork, actor: Actor) -> None:
    """2 Feb 2024: participants and observers decide the first priority procurements (content illustrative)."""
    day = date(2024, 2, 2)
    present = [m.party.code for m in registry.members_on(work, actor, IT, day) if m.party.code != "IS"]
    meeting = steering.create_meeting(work, actor, Meeting(
        IT, day, "First steering-group meeting of the IT Coalition", "virtual", virtual=True,
        agenda=("Next steps of the coalition", "Priority procurements: approve the priority list"),
        illustrative=True), present)
    proposal = steering.open_proposal(work, actor, coalition=IT, kind=ProposalKind.APPROVE_PRIORITY_LIST,
                                      title="Approve priority list version 1 (command-post equipment first)",
                                      payload={"version": 1}, procedure=Procedure.MEETING, meeting=meeting.id)
    voters = [m.party.code for m in registry.members_on(work, actor, IT, day) if m.votes and m.party.code in present]
    for party in voters:
        steering.cast_vote(work, actor, proposal.id or 0, party, Vote.FOR)
    steering.close_proposal(work, actor, proposal.id or 0)
    steering.set_minutes(work, actor, meeting.id or 0,
                         "Participants agreed the next steps and approved the first priority procurements: "
                         "command-post equipment for tactical units (illustrative minutes).")
