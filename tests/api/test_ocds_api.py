"""The OCDS export over HTTP: the release and record packages of a coalition, named by their own addresses,
valid against the vendored OCDS 1.1 schemas; a restricted donor named only where the caller asks for its own
view and may see it."""

from __future__ import annotations

import json
from decimal import Decimal

from tests.api.conftest import Served
from tests.ocds_checks import payers, schema_errors

V = "/api/v1"
IT = "it-coalition"
RESTRICTED_DONOR = "NL"  # its money funds IT-SOC-DIRECT, restricted to NL until 2027


def test_the_release_and_record_packages_are_served_valid_and_name_no_restricted_donor(world: Served) -> None:
    secretariat = world.as_role("secretariat")
    served = world.client.get(f"{V}/coalitions/{IT}/exports/ocds.json", headers=secretariat)
    assert served.status_code == 200, served.text
    releases = json.loads(served.text, parse_float=Decimal)
    assert releases["uri"].endswith(f"/coalitions/{IT}/exports/ocds.json")
    assert schema_errors(releases, "release-package-schema.json") == []
    assert all(r["ocid"].startswith("ocds-test00-") for r in releases["releases"])
    assert not any(RESTRICTED_DONOR in payers for payers in payers(releases).values())
    records = world.client.get(f"{V}/coalitions/{IT}/exports/ocds-records.json", headers=secretariat)
    assert records.status_code == 200, records.text
    package = json.loads(records.text, parse_float=Decimal)
    assert schema_errors(package, "record-package-schema.json") == []
    assert package["packages"] == [releases["uri"]]
    internal = world.client.get(f"{V}/coalitions/{IT}/exports/ocds.json", params={"internal": "true"},
                                headers=secretariat)
    assert any(RESTRICTED_DONOR in payers for payers in payers(json.loads(internal.text)).values())
    assert world.client.get(f"{V}/coalitions/{IT}/exports/ocds.json").status_code == 401
