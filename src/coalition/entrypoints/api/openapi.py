"""Touches to the generated OpenAPI document: decimal strings get their pattern; integer bounds stay integers.

Services return Money (a Decimal amount and a currency); JSON carries the amount as a string,
and the schema says which strings: an optional minus, digits, and an optional fraction.

FastAPI's model of the document holds ``minimum`` and ``maximum`` as floats, and a float cannot hold the
largest id, 2**63 - 1 (it rounds up to 2**63, one more than the columns hold): integer bounds are written back
as the integers they are.
"""

from __future__ import annotations

from typing import Any

from coalition.domain.limits import MAX_ID

DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"
CURRENCY = r"^[A-Z]{3}$"
# Component -> property -> pattern, for the decimal fields of the read models.
PATTERNS: dict[str, dict[str, str]] = {
    "Money": {"amount": DECIMAL, "currency": CURRENCY},
    "ReportingValue": {"rate": DECIMAL},
    "Payment": {"rate": DECIMAL},
}


def decimal_patterns(schema: dict[str, Any]) -> dict[str, Any]:
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        base = name.split("-")[0]  # FastAPI names a model's output schema "<Name>-Output" where they differ
        for field, pattern in PATTERNS.get(base, {}).items():
            prop = component.get("properties", {}).get(field)
            if prop is not None and prop.get("type") == "string":
                prop["pattern"] = pattern
    return schema


def integer_bounds(node: Any) -> Any:
    """Every integer schema's bounds as integers (the largest id exactly)."""
    if isinstance(node, dict):
        if node.get("type") == "integer":
            for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                value = node.get(key)
                if isinstance(value, float) and value.is_integer():
                    node[key] = MAX_ID if value == float(MAX_ID) else int(value)
        for child in node.values():
            integer_bounds(child)
    elif isinstance(node, list):
        for child in node:
            integer_bounds(child)
    return node
