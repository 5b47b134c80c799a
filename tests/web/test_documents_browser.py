"""Attaching a document in a real browser: the procurement page links to the contract's papers, the form attaches
a file (its type read from its content), the list links to its download, and the page passes the WCAG checks in
both languages with the form and a document on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.conftest import Site, accessibility_problems, screenshot, sign_in
from tests.web.test_browser import clean

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"


def test_a_contracts_paper_attached_through_the_page(site: Site, open_page, tmp_path: Path) -> None:
    page = open_page()
    sign_in(page, site, "secretariat")
    page.goto(f"{site.url}/coalitions/it-coalition/procurement")
    page.locator("#contracts").locator("..").get_by_role("link", name="Documents").first.click()
    page.wait_for_url("**/documents?record_type=contract&record_id=*")
    source = tmp_path / "Акт прийому.txt"
    source.write_bytes(PDF)
    page.get_by_label("File").set_input_files(str(source))
    page.get_by_role("button", name="Attach").click()
    page.wait_for_selector("text=Акт прийому.txt")
    assert "application/pdf" in page.content()
    problems = {"en": accessibility_problems(page)}
    screenshot(page, "documents")
    page.get_by_label("Language").select_option("uk")
    page.locator("html[lang=uk]").wait_for(state="attached")
    assert "Додати документ" in page.content()
    problems["uk"] = accessibility_problems(page)
    page.get_by_label("Мова").select_option("en")
    page.locator("html[lang=en]").wait_for(state="attached")
    assert problems == {"en": [], "uk": []}
    clean(site)
