"""Touches to the generated OpenAPI document: decimal strings get their pattern.

Services return Money (a Decimal amount and a currency); JSON carries the amount as a string,
and the schema says which strings: an optional minus, digits, and an optional fraction.
"""

from __future__ import annotations

from typing import Any

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
