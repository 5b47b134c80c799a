"""Open data over HTTP, on both databases: the public's IATI file is valid against the IATI 2.03 schema and, like
its flows table, holds public records only; the secretariat's holds the coalition's other records too; a party's
identifiers are listed and recorded, bad ones refused naming the field and the rule."""

from __future__ import annotations

import csv
import io

from coalition.adapters.open_data import iati_problems
from tests.api.conftest import Served

V = "/api/v1"
IT = "it-coalition"


def test_the_public_iati_file_is_valid_and_holds_public_records_only(world_on_each_database: Served) -> None:
    client = world_on_each_database.client
    public = client.get(f"{V}/coalitions/{IT}/exports/iati.xml")
    assert public.status_code == 200 and public.headers["content-type"].startswith("application/xml")
    assert iati_problems(public.content) == []
    secretariat = client.get(f"{V}/coalitions/{IT}/exports/iati.xml",
                             headers=world_on_each_database.as_role("secretariat"))
    assert iati_problems(secretariat.content) == []
    public_flows = list(csv.DictReader(io.StringIO(client.get(f"{V}/coalitions/{IT}/exports/flows").text)))
    assert public_flows and {r["confidentiality"] for r in public_flows} == {"public"}
    custodian_flows = list(csv.DictReader(io.StringIO(client.get(
        f"{V}/coalitions/{IT}/exports/flows", headers=world_on_each_database.as_role("secretariat")).text)))
    hidden = [r for r in custodian_flows if r["confidentiality"] != "public"]
    assert hidden and len(custodian_flows) == len(public_flows) + len(hidden)
    for row in hidden:
        if row["source_reference"]:
            assert row["source_reference"] not in public.text
    assert client.get(f"{V}/coalitions/{IT}/exports/flows", params={"format": "pdf"}).status_code == 422
    assert client.get(f"{V}/coalitions/no-such/exports/iati.xml").status_code == 404


def test_a_partys_identifiers_are_listed_and_recorded(world_on_each_database: Served) -> None:
    client, admin = world_on_each_database.client, world_on_each_database.as_role("platform-admin")
    listed = client.get(f"{V}/parties/EE/identifiers").json()
    assert {"party": "EE", "scheme": "iati", "value": "XM-DAC-82"} in listed
    refused = client.post(f"{V}/parties/NATO/identifiers", headers=admin, json={"scheme": "lei", "id": "NOT-A-LEI"})
    assert refused.status_code == 422 and refused.json()["field"] == "id"
    taken = client.post(f"{V}/parties/NATO/identifiers", headers=admin, json={"scheme": "iati", "id": "XM-DAC-82"})
    assert taken.status_code == 409 and "EE" in taken.json()["message"]
