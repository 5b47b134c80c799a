"""Checks of OCDS documents shared by the integration and API tests: validation against the vendored official
schemas (references between them resolved from the vendored files, never fetched) and the payers each names."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from coalition.adapters import ocds


def schema_errors(document: dict[str, Any], name: str) -> list[str]:
    """Every way ``document`` breaks the vendored schema ``name`` (``release-package-schema.json``, ...)."""
    schemas = [json.loads(path.read_text(encoding="utf-8")) for path in ocds.SCHEMAS.glob("*.json")]
    registry: Registry[Any] = Registry().with_resources((s["id"], Resource(s, DRAFT4)) for s in schemas)
    validator = Draft4Validator(ocds.schema(name), registry=registry)
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(document)]


def payers(package: dict[str, Any]) -> dict[str, set[str]]:
    """Per ocid, the parties that any of its releases names as a payer."""
    found: dict[str, set[str]] = defaultdict(set)
    for release in package["releases"]:
        for party in release["parties"]:
            if "payer" in party["roles"]:
                found[release["ocid"]].add(party["id"])
    return found
