"""Parties carry ISO identities; coalitions carry their decision rules as data."""

from datetime import date
from fractions import Fraction

import pytest

from coalition.domain.coalition import Coalition, DecisionMethod, DecisionRules, MembershipRole
from coalition.domain.errors import InvalidInput, InvariantViolated
from coalition.domain.instrument import Instrument, InstrumentKind, Signature, add_years, sign
from coalition.domain.party import Party, PartyKind


def test_a_state_is_named_from_iso_3166_in_english_and_ukrainian():
    estonia = Party.state("ee")
    assert (estonia.code, estonia.kind, estonia.name, estonia.name_uk) == ("EE", PartyKind.STATE, "Estonia", "Естонія")
    assert Party.state("UA").name_uk == "Україна"
    assert Party.state("GB").name == "United Kingdom"


def test_an_unknown_country_code_is_refused_naming_the_field():
    with pytest.raises(InvalidInput) as caught:
        Party.state("XX")
    assert caught.value.field == "country"
    assert "ISO 3166-1 alpha-2" in caught.value.message


def test_a_state_code_must_be_its_country_code():
    with pytest.raises(InvalidInput, match="state's code"):
        Party("ESTONIA", PartyKind.STATE, "Estonia", country="EE")


def test_codes_are_checked():
    with pytest.raises(InvalidInput) as caught:
        Party("bad code!", PartyKind.AGENCY, "Agency")
    assert caught.value.field == "code"


def test_consensus_is_the_default_and_leads_and_members_vote():
    rules = DecisionRules()
    assert rules.method is DecisionMethod.CONSENSUS
    assert rules.may_vote(MembershipRole.LEAD)
    assert rules.may_vote(MembershipRole.MEMBER)
    assert not rules.may_vote(MembershipRole.OBSERVER)
    assert not rules.may_vote(MembershipRole.DOI_SIGNATORY)
    assert not rules.may_vote(MembershipRole.RECIPIENT)


def test_rules_may_let_the_recipient_vote():
    rules = DecisionRules(voting_roles=frozenset({MembershipRole.LEAD, MembershipRole.MEMBER,
                                                  MembershipRole.RECIPIENT}))
    assert rules.may_vote(MembershipRole.RECIPIENT)


def test_qualified_majority_needs_a_threshold_above_half():
    with pytest.raises(InvalidInput) as caught:
        DecisionRules(method=DecisionMethod.QUALIFIED_MAJORITY)
    assert caught.value.field == "rules.threshold"
    with pytest.raises(InvalidInput, match="more than 1/2"):
        DecisionRules(method=DecisionMethod.QUALIFIED_MAJORITY, threshold=Fraction(1, 2))
    rules = DecisionRules(method=DecisionMethod.QUALIFIED_MAJORITY, threshold=Fraction(2, 3),
                          weighted_by_contributions=True)
    assert DecisionRules.from_data(rules.to_data()) == rules


def test_weighting_applies_only_to_a_qualified_majority():
    with pytest.raises(InvalidInput) as caught:
        DecisionRules(weighted_by_contributions=True)
    assert caught.value.field == "rules.weighted_by_contributions"


def test_quorum_is_a_share_between_zero_and_one():
    with pytest.raises(InvalidInput, match="at most 1"):
        DecisionRules(quorum=Fraction(3, 2))
    with pytest.raises(InvalidInput) as caught:
        DecisionRules.from_data({"quorum": "half"})
    assert caught.value.field == "rules.quorum"


def test_unknown_decision_method_is_named():
    with pytest.raises(InvalidInput, match="'unanimity' is not one of"):
        DecisionRules.from_data({"method": "unanimity"})


def test_reporting_currency_is_iso_4217():
    with pytest.raises(InvalidInput) as caught:
        Coalition("c", "C", "IT", "UDCG", "UA", date(2023, 9, 19), "Ramstein", "EURO")
    assert caught.value.field == "reporting_currency"


def test_a_six_year_term_and_its_end():
    start = date(2024, 1, 18)
    agreement = Instrument("ca", "it", InstrumentKind.COOPERATION_AGREEMENT, "CA", start, add_years(start, 6))
    assert agreement.term_end == date(2030, 1, 18)
    assert agreement.in_force_on(date(2029, 12, 31))
    assert not agreement.in_force_on(date(2030, 1, 18))
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)


def test_a_term_cannot_end_before_it_starts():
    with pytest.raises(InvariantViolated) as caught:
        Instrument("ca", "it", InstrumentKind.MEMORANDUM, "M", date(2024, 1, 1), date(2023, 1, 1))
    assert caught.value.field == "term_end"


def test_a_party_signs_once_and_not_after_the_term():
    agreement = Instrument("ca", "it", InstrumentKind.COOPERATION_AGREEMENT, "CA", date(2024, 1, 1), date(2030, 1, 1))
    first = sign(agreement, "EE", date(2024, 1, 1), [])
    assert first == Signature("ca", "EE", date(2024, 1, 1))
    with pytest.raises(Exception, match="already signed"):
        sign(agreement, "EE", date(2024, 2, 1), [first])
    with pytest.raises(InvariantViolated, match="expired"):
        sign(agreement, "NL", date(2030, 1, 1), [first])
