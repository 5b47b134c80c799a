"""The procurement page links a reader of the money to the coalition's OCDS release and record packages, in the
reader's language; the browser's session is enough to download them, and the public package names no restricted
donor. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from decimal import Decimal

from fastapi.testclient import TestClient

from coalition.bootstrap import Platform
from coalition.entrypoints.api.app import create_app
from tests.demo_copies import give_demo_world
from tests.ocds_checks import payers, schema_errors
from tests.web.test_pages import sign_in

PAGE = "/coalitions/it-coalition/procurement"
EXPORTS = "/api/v1/coalitions/it-coalition/exports/"


def test_the_procurement_page_links_to_the_open_contracting_data_in_the_readers_language(platform: Platform):
    platform.settings = platform.settings.model_copy(update={"login_attempts_per_minute": 10_000})
    give_demo_world(platform, users=True)
    with TestClient(create_app(platform)) as client:
        assert f"{EXPORTS}ocds.json" not in client.get(PAGE).text  # the public does not read the money
        token = sign_in(client, "ee-desk")
        page = client.get(PAGE).text
        assert f'href="{EXPORTS}ocds.json"' in page and f'href="{EXPORTS}ocds-records.json"' in page
        assert "Open contracting data (OCDS 1.1)" in page
        client.post("/language", data={"csrf_token": token, "language": "uk", "next": PAGE})
        assert "Відкриті дані про закупівлі (OCDS 1.1)" in client.get(PAGE).text
        served = client.get(f"{EXPORTS}ocds.json")
        assert served.status_code == 200, served.text
        package = json.loads(served.text, parse_float=Decimal)
        assert schema_errors(package, "release-package-schema.json") == []
        assert not any("NL" in named for named in payers(package).values())
