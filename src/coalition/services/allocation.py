"""Allocation as a use case: the engine on its own, reading and writing the machine format.

Input (amounts are decimal strings, requirements highest priority first; a null or absent earmark
means any category):
  {"currency": "EUR", "policy": "partial",
   "contributions": [{"id": "c1", "amount": "100.00", "earmark": ["cybersecurity"]}],
   "requirements": [{"id": "r1", "category": "cybersecurity", "amount": "100.00"}]}
Output:
  {"requirements": [{"id": "r1", "funded": "100.00", "missing": "0.00", "fully_funded": true}],
   "lines": [{"contribution": "c1", "requirement": "r1", "amount": "100.00"}],
   "unallocated": [{"contribution": "c2", "amount": "50.00"}],
   "signal": {"fully_funded": ["r1"], "next_requirement": null, "next_missing": "0.00"}}
"""

from __future__ import annotations

from typing import Any

from coalition.domain.allocation import AllocationResult, Need, Policy, Pot, allocate
from coalition.domain.errors import CoalitionError, InvalidInput
from coalition.domain.limits import LABEL, check_text
from coalition.domain.money import Money, check_currency


def _amount(value: Any, currency: str, path: str) -> int:
    if not isinstance(value, str):
        raise InvalidInput(f"must be a decimal string such as \"100.00\", not {type(value).__name__}", field=path)
    try:
        money = Money.parse(value, currency, field=path)
    except CoalitionError as error:
        raise InvalidInput(error.message, field=path) from None
    if money.amount < 0:
        raise InvalidInput("must not be negative", field=path)
    return money.to_minor_units()


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("must be a non-empty string", field=path)
    check_text(value, path, LABEL)
    return value


def _list(document: dict[str, Any], key: str) -> list[Any]:
    value = document.get(key)
    if not isinstance(value, list):
        raise InvalidInput("must be a list", field=key)
    return value


def read_instance(document: Any) -> tuple[str, Policy, list[Pot], list[Need]]:
    """Check a machine-format instance, naming the path of the first bad field."""
    if not isinstance(document, dict):
        raise InvalidInput("the input must be a JSON object", field="$")
    currency = check_currency(_text(document.get("currency"), "currency"), "currency")
    policy_text = document.get("policy", "partial")
    try:
        policy = Policy(policy_text)
    except ValueError:
        raise InvalidInput(f"'{policy_text}' is not one of partial, strict, skip", field="policy") from None
    pots = []
    for i, item in enumerate(_list(document, "contributions")):
        path = f"contributions[{i}]"
        if not isinstance(item, dict):
            raise InvalidInput("must be an object", field=path)
        earmark = item.get("earmark")
        if earmark is not None:
            if not isinstance(earmark, list) or not earmark:
                raise InvalidInput("must be a non-empty list of categories, or null for any", field=f"{path}.earmark")
            earmark = frozenset(_text(c, f"{path}.earmark[{j}]") for j, c in enumerate(earmark))
        pots.append(Pot(_text(item.get("id"), f"{path}.id"), _amount(item.get("amount"), currency, f"{path}.amount"),
                        earmark))
    needs = []
    for i, item in enumerate(_list(document, "requirements")):
        path = f"requirements[{i}]"
        if not isinstance(item, dict):
            raise InvalidInput("must be an object", field=path)
        needs.append(Need(_text(item.get("id"), f"{path}.id"), _text(item.get("category"), f"{path}.category"),
                          _amount(item.get("amount"), currency, f"{path}.amount")))
    return currency, policy, pots, needs


def write_result(result: AllocationResult, currency: str) -> dict[str, Any]:
    def text(units: int) -> str:
        return str(Money.from_minor_units(units, currency).amount)

    return {
        "requirements": [{"id": f.requirement, "funded": text(f.funded), "missing": text(f.missing),
                          "fully_funded": f.fully_funded} for f in result.requirements],
        "lines": [{"contribution": line.contribution, "requirement": line.requirement, "amount": text(line.amount)}
                  for line in result.lines],
        "unallocated": [{"contribution": pot, "amount": text(amount)} for pot, amount in result.unallocated],
        "signal": {"fully_funded": result.fully_funded, "next_requirement": result.next_requirement,
                   "next_missing": text(result.next_missing)},
    }


def allocate_document(document: Any) -> dict[str, Any]:
    """Run the engine alone on a machine-format instance."""
    currency, policy, pots, needs = read_instance(document)
    return write_result(allocate(pots, needs, policy), currency)
