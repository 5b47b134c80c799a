"""The web pages in a real browser: what each role sees, and the secretariat's, a member's and a
unit's work done through the pages, in English and Ukrainian; no console error, no outside request."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from coalition.demo.users import DEMO_PASSWORD
from coalition.domain.intake import CoalitionMention, Event, EventKind, Language, PartialDate, PartyMention, Reading
from coalition.domain.steering import Vote
from coalition.services import intake_queue, steering
from tests.web.conftest import Site, accessibility_problems, screenshot, sign_in

pytestmark = pytest.mark.browser

IT = "/coalitions/it-coalition"
WITHIN_WIDTH = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def clean(site: Site, *refused: str) -> None:
    """No console error (but the browser's note of a page the test expected to be refused) and no request
    that left the server."""
    errors = [e for e in site.console_errors
              if not any(e.startswith(f"{site.url}{path}: Failed to load resource: the server responded with a "
                                      "status of 4") for path in refused)]
    assert errors == [], errors
    assert site.outside_requests == [], site.outside_requests
    site.console_errors.clear()


def nav(page) -> str:
    return page.locator("nav.pages").inner_text()


def test_the_public_sees_public_records_and_nothing_more(site: Site, open_page) -> None:
    page = open_page()
    page.goto(f"{site.url}{IT}")
    assert page.get_by_role("heading", name="IT Coalition", level=1).is_visible()
    assert "public totals below are summed from public records" in page.get_by_role(
        "region", name="Money by stage").inner_text()
    public = page.get_by_role("region", name="Public totals per donor and per year")
    assert "From public records" in public.inner_text() and "Estonia" in public.inner_text()
    assert "Netherlands" not in page.locator("#public-by-donor").inner_text()  # its pledge is restricted
    assert accessibility_problems(page) == []
    assert "Allocation plans" not in nav(page) and "Audit log" not in nav(page)
    screenshot(page, "en-overview-public")

    page.goto(f"{site.url}{IT}/ledger")
    assert page.get_by_role("heading", name="Funding report").count() == 0
    assert page.get_by_role("heading", name="Record a receipt").count() == 0
    contributions = page.get_by_role("region", name="Contributions").inner_text()
    assert "restricted" in contributions  # the Netherlands' restricted pledge: counted, not shown

    response = page.goto(f"{site.url}/audit")
    assert response.status == 401
    assert page.get_by_role("heading", name="Sign in first").is_visible()
    response = page.goto(f"{site.url}/donors/EE")
    assert response.status == 401
    clean(site, "/audit", "/donors/EE")


def test_a_member_sees_the_coalitions_money_but_not_what_is_restricted_to_others(site: Site, open_page) -> None:
    page = open_page()
    sign_in(page, site, "lv-desk")
    page.goto(f"{site.url}{IT}")
    stages = page.get_by_role("region", name="Money by stage")
    assert "pledged" in stages.inner_text() and "delivered" in stages.inner_text()
    assert page.locator(".chart svg").count() == 2  # both views were drawn: reached, and where it is now
    assert "Allocation plans" in nav(page) and "Audit log" not in nav(page)

    page.goto(f"{site.url}{IT}/ledger")
    assert page.get_by_role("heading", name="Funding report").is_visible()
    assert page.get_by_role("heading", name="Record a receipt").count() == 0
    assert page.locator("tr.masked").count() >= 1  # restricted to the Netherlands
    screenshot(page, "en-ledger-member")
    response = page.goto(f"{site.url}/audit")
    assert response.status == 403
    clean(site, "/audit")


def test_a_receipt_recorded_then_a_plan_approved_by_the_steering_groups_vote(site: Site, open_page) -> None:
    secretariat = open_page()
    sign_in(secretariat, site, "secretariat")
    secretariat.goto(f"{site.url}{IT}/ledger")
    assert secretariat.locator("tr.masked").count() == 0  # the secretariat handles every record
    form = secretariat.get_by_role("region", name="Record a receipt")
    form.get_by_label("Donor").select_option("LV")
    fulfils = form.get_by_label("Fulfils")
    pledge = fulfils.locator("optgroup[label='Latvia'] option").first  # its open promises, named, by donor
    expect(pledge).to_contain_text("pledge ")
    fulfils.select_option(pledge.get_attribute("value"))
    form.get_by_label("Amount").fill("250,000.00")
    form.get_by_label("Currency").select_option("EUR")
    form.get_by_label("Earmark").select_option(label="Cybersecurity")
    form.get_by_label("Value date").fill("2026-11-20")
    form.get_by_label("External reference").fill("LV-WEB-2026-01")
    form.get_by_role("button", name="Record the receipt").click()
    status = secretariat.get_by_role("status").first.inner_text()
    assert re.search(r"Receipt \d+ recorded: €250,000.00 from Latvia on Nov 20, 2026, earmark: areas: cybersecurity\. "
                     rf"It fulfils promise {pledge.get_attribute('value')}\.", status), status

    # A wrong amount is refused with the field and the rule, and nothing is written.
    form = secretariat.get_by_role("region", name="Record a receipt")
    form.get_by_label("Donor").select_option("EE")
    form.get_by_label("Amount").fill("12.345")
    form.get_by_label("External reference").fill("EE-WEB-2026-02")
    form.get_by_role("button", name="Record the receipt").click()
    assert "amount" in secretariat.get_by_role("alert").inner_text()

    secretariat.goto(f"{site.url}{IT}/plans")
    secretariat.get_by_label("Policy").select_option("partial")
    secretariat.get_by_role("button", name="Run the allocation").click()
    secretariat.wait_for_url(re.compile(r".*/plans/\d+$"))
    plan_url = secretariat.url
    assert "proposed" in secretariat.get_by_role("heading", level=1).inner_text()
    secretariat.get_by_role("button", name="Send to the steering group").click()
    secretariat.get_by_role("link", name=re.compile(r"proposal \d+")).click()
    proposal_url = secretariat.url
    proposal_id = int(proposal_url.rsplit("/", 1)[1])
    screenshot(secretariat, "en-proposal-secretariat")

    member = open_page()
    sign_in(member, site, "lv-desk")
    member.goto(proposal_url)
    expect(member.get_by_role("heading", name="What the members are asked to approve")).to_be_visible()
    expect(member.get_by_role("region", name="The count so far")).to_contain_text("0 for, 0 against")
    member.get_by_role("radio", name="for").check()
    member.get_by_role("button", name="Cast the vote").click()
    assert "LV votes for" in member.get_by_role("status").first.inner_text()
    assert member.get_by_role("button", name="Close and count the votes").count() == 0  # members vote, not close

    for party in ("EE", "LU", "BE", "DK"):  # the other members answer the written procedure
        steering.cast_vote(site.platform.uow(), site.platform.operator(), proposal_id, party, Vote.FOR)

    secretariat.goto(proposal_url)
    secretariat.get_by_role("button", name="Close and count the votes").click()
    confirm = secretariat.get_by_role("alertdialog")
    expect(confirm).to_contain_text("closing now ends the procedure early")  # a written procedure of 14 days
    expect(confirm).to_contain_text("5 for, 0 against, 0 abstaining")
    expect(confirm).to_contain_text("Closing now decides: approved")
    assert "decided" not in secretariat.get_by_role("status").all_inner_texts()  # nothing closed before confirming
    confirm.get_by_role("button", name="Close now: approved").click()
    assert "approved" in secretariat.get_by_role("status").first.inner_text()
    expect(secretariat.get_by_text("decided: approved", exact=True)).to_have_class("state state-approved")
    secretariat.goto(plan_url)
    assert "approved" in secretariat.get_by_role("heading", level=1).inner_text()
    screenshot(secretariat, "en-plan-approved")
    secretariat.goto(f"{site.url}{IT}/steering")
    assert f"allocation plan {plan_url.rsplit('/', 1)[1]} approved" in \
        secretariat.get_by_role("region", name="Decisions and their effects").inner_text()
    clean(site)


def test_the_main_pages_and_the_audit_chain(site: Site, open_page) -> None:
    page = open_page()
    sign_in(page, site, "secretariat")
    for name, path in (("overview", IT), ("priorities", f"{IT}/priorities?compare=1"), ("plans", f"{IT}/plans"),
                       ("donor-statement", "/donors/EE"), ("steering", f"{IT}/steering"),
                       ("procurement", f"{IT}/procurement"), ("ledger", f"{IT}/ledger")):
        response = page.goto(f"{site.url}{path}")
        assert response.status == 200, path
        assert page.evaluate(WITHIN_WIDTH), f"{path} scrolls sideways on a laptop"
        screenshot(page, f"en-{name}")
    page.goto(f"{site.url}/donors/EE")
    assert page.locator("#chart-sankey").count() == 1 and page.locator(".chart svg").count() == 1

    auditor = open_page()
    sign_in(auditor, site, "auditor")
    auditor.goto(f"{site.url}/audit")
    auditor.get_by_role("button", name="Verify").click()
    expect(auditor.locator("#verification")).to_contain_text("The chain is intact", timeout=10_000)
    screenshot(auditor, "en-audit")

    tablet = open_page(820, 1180)
    sign_in(tablet, site, "ee-desk")
    for name, path in (("priorities", f"{IT}/priorities"), ("ledger", f"{IT}/ledger"), ("overview", IT)):
        tablet.goto(f"{site.url}{path}")
        assert tablet.evaluate(WITHIN_WIDTH), f"{path} scrolls sideways on a tablet"  # wide tables scroll alone
        screenshot(tablet, f"en-{name}-tablet")
    clean(site)


def test_ukrainian_is_chosen_once_and_remembered(site: Site, open_page) -> None:
    page = open_page()
    sign_in(page, site, "ee-desk")
    page.goto(f"{site.url}{IT}")
    page.get_by_label("Language").select_option("uk")
    page.wait_for_function("document.documentElement.lang === 'uk'")
    assert "Overview" not in nav(page) and "Ledger" not in nav(page)
    stages = page.locator("#money").locator("xpath=..").inner_text()
    assert re.search(r"\d[\u00a0\u202f ]\d{3}[\u00a0\u202f ]\d{3},\d{2}[\u00a0\u202f ]?(EUR|€)", stages), stages
    assert "Естонія" in page.content()  # country names from pycountry's translations
    for name, path in (("overview", IT), ("priorities", f"{IT}/priorities"), ("ledger", f"{IT}/ledger"),
                       ("steering", f"{IT}/steering"), ("plans", f"{IT}/plans"), ("donor-statement", "/donors/EE"),
                       ("procurement", f"{IT}/procurement"), ("innovation-board", f"{IT}/innovation"),
                       ("innovation-project", "/innovation/projects/ITC-SOC-ANALYTICS"),
                       ("programme", "/programmes/kz-defense-tech-park")):
        page.goto(f"{site.url}{path}")
        assert page.evaluate("document.documentElement.lang") == "uk"
        screenshot(page, f"uk-{name}")

    again = open_page()  # another browser: the choice was kept for the user
    sign_in(again, site, "ee-desk")
    again.goto(f"{site.url}{IT}")
    assert again.evaluate("document.documentElement.lang") == "uk"
    clean(site)


def intake_proposal(site: Site) -> int:
    """A proposal of the news intake, from an article read into one fact (a reading as the reader makes it)."""
    text = "Kyiv, 20 March 2025. Estonia joined the Drone Coalition on 1 March 2025, the ministry said."
    sentence = text[text.index("Estonia"):]
    reading = Reading(Language.EN, None, text, (Event(
        EventKind.MEMBER_JOINED, sentence, (text.index(sentence), len(text)), 0.9,
        CoalitionMention("drone-coalition", "Drone Coalition"), (PartyMention("EE", "Estonia", "member"),),
        PartialDate(2025, 3, 1)),))
    intake_queue.add_reading(site.platform.uow(), site.platform.operator(), reading=reading,
                             source="https://example.org/news")
    return intake_queue.list_proposals(site.platform.uow(), site.platform.operator())[0].proposal.id or 0


def test_the_pages_pass_the_wcag_checks_in_both_languages(site: Site, open_page) -> None:
    proposal = intake_proposal(site)
    page = open_page()
    sign_in(page, site, "auditor")
    problems = {}
    for language in ("en", "uk"):
        if language == "uk":
            page.get_by_label("Language").select_option("uk")
            page.wait_for_function("document.documentElement.lang === 'uk'")
        for path in ("/", IT, f"{IT}/priorities?compare=1", f"{IT}/plans", "/donors/EE", f"{IT}/steering",
                     f"{IT}/procurement", f"{IT}/ledger", "/plans/1", "/proposals/1", "/login", f"{IT}/innovation",
                     "/innovation/calls/it-innovation-challenge-2025", "/innovation/projects/ITC-SOC-ANALYTICS",
                     "/programmes", "/programmes/kz-defense-tech-park", "/innovation/calls/kz-hub-hackathon-2025",
                     "/innovation/projects/KZ-VIDEO-PERIMETER", "/account", "/open-data", "/intake",
                     f"/intake/proposals/{proposal}", "/documents?record_type=contract&record_id=NSPA-IT-C001",
                     "/notifications", "/search?q=drones", "/cases/IT-CP-KITS"):
            page.goto(f"{site.url}{path}")
            found = accessibility_problems(page)
            if found:
                problems[f"{language} {path}"] = found
    page.get_by_label("Мова").select_option("en")  # the choice is remembered: leave the auditor in English
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert problems == {}
    clean(site)


def test_signing_out_ends_the_session_and_a_copy_of_its_cookie_is_sent_to_sign_in(site: Site, open_page) -> None:
    page = open_page()
    sign_in(page, site, "secretariat")
    page.get_by_role("link", name="secretariat", exact=True).click()
    expect(page.get_by_role("heading", name="Your account", level=1)).to_be_visible()
    assert page.get_by_role("heading", name="Change your password").is_visible()
    screenshot(page, "en-account")
    copied = page.context.cookies()
    assert any(c["name"] == "coalition_session" and c["httpOnly"] for c in copied)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{site.url}/")
    assert page.get_by_role("banner").get_by_role("link", name="Sign in").is_visible()

    thief = open_page()
    thief.context.add_cookies(copied)  # type: ignore[attr-defined]
    thief.goto(f"{site.url}{IT}/plans")
    assert thief.url == f"{site.url}/login?next=%2Fcoalitions%2Fit-coalition%2Fplans"
    expect(thief.get_by_role("alert")).to_contain_text("Your session has ended. Sign in again.")
    assert not any(c["name"] == "coalition_session" for c in thief.context.cookies())  # type: ignore[attr-defined]
    thief.get_by_label("User name").fill("secretariat")
    thief.get_by_label("Password").fill(DEMO_PASSWORD)
    thief.get_by_role("button", name="Sign in").click()  # whoever knows the password may, of course
    thief.wait_for_url(f"{site.url}{IT}/plans")
    clean(site)


def test_the_keyboard_alone_signs_in_and_reaches_the_content(site: Site, open_page) -> None:
    page = open_page()
    page.goto(f"{site.url}/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    page.get_by_label("User name").focus()
    page.keyboard.type("auditor")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.url}/")
    assert "auditor" in page.get_by_role("banner").inner_text()
    clean(site)


def test_a_bulk_import_shows_its_progress_then_every_error_or_what_it_imported(site: Site, open_page,
                                                                               tmp_path) -> None:
    header = "kind,external_ref,coalition,fund,donor,amount,currency,value_date\n"
    bad = tmp_path / "receipts-with-errors.csv"
    bad.write_text(header + "receipt,WEB-IMP-1,it-coalition,it-coalition-fund,EE,100.00,EUR,2026-11-02\n"
                            "receipt,WEB-IMP-2,it-coalition,it-coalition-fund,XX,1.001,EUR,2026-11-02\n")
    good = tmp_path / "receipts.csv"
    good.write_text(header + "".join(f"receipt,WEB-IMP-{n},it-coalition,it-coalition-fund,LV,{n}.00,EUR,2026-11-02\n"
                                     for n in range(10, 40)))
    page = open_page()
    sign_in(page, site, "secretariat")
    page.goto(f"{site.url}{IT}/ledger")
    importer = page.get_by_role("region", name="Bulk import")
    importer.get_by_label("File").set_input_files(str(bad))
    importer.get_by_role("button", name="Import").click()
    result = page.locator("#import-result")
    expect(result.get_by_role("alert")).to_contain_text("invalid cells: nothing was imported", timeout=15_000)
    rows = result.get_by_role("table", name="Every error, row by row").inner_text()
    assert "donor" in rows and "amount" in rows and "XX" in rows and "1.001" in rows
    groups = result.get_by_role("table", name="Errors by column and rule").inner_text()
    assert "donor" in groups and "amount" in groups
    expect(result.get_by_role("link", name="Download every error (CSV)")).to_be_visible()
    screenshot(page, "en-import-errors")
    clean(site, f"{IT}/ledger")  # the refused import is answered 422, as the API answers it

    importer.get_by_label("File").set_input_files(str(good))
    importer.get_by_role("button", name="Import").click()
    expect(result.get_by_role("status")).to_contain_text("Imported 30 rows", timeout=15_000)
    assert result.locator("progress").get_attribute("value") == "100"
    clean(site)


def test_the_innovation_pipeline_from_the_board_to_a_review_and_a_refused_conflicted_reviewer(site: Site,
                                                                                            open_page) -> None:
    public = open_page()
    public.goto(f"{site.url}{IT}/innovation")
    adopted = public.get_by_role("region", name="adopted")
    assert "Security analytics for the operations centre" in adopted.inner_text()
    screenshot(public, "en-innovation-board")
    public.get_by_role("link", name="Security analytics for the operations centre").click()
    assert "pilot deployment" in public.get_by_role("region", name="Stage gates").inner_text()
    assert public.get_by_role("region", name="From adoption to the units").count() == 0  # money: members only
    assert public.get_by_role("region", name="Your review").count() == 0  # the public does not review

    member = open_page()
    sign_in(member, site, "lv-desk")
    member.goto(f"{site.url}/innovation/projects/ITC-SOC-ANALYTICS")
    trail = member.get_by_role("region", name="From adoption to the units").inner_text()
    assert "UA-MOD-SOC-0001" in trail and "UA-TEAM-SIGNALSENSE" in trail
    assert "ITC-GRANT-1" in member.get_by_role("region", name="Grants").inner_text()
    screenshot(member, "en-innovation-project")

    conflicted = open_page()
    sign_in(conflicted, site, "expert-2")  # declared a conflict with the satellite project in the demo
    conflicted.goto(f"{site.url}/innovation/projects/ITC-SAT-LINK")
    form = conflicted.get_by_role("region", name="Your review")
    expect(form).to_contain_text("A conflict of interest (")  # its own declaration, and so no review form
    expect(form.get_by_role("button", name="Submit the review")).to_have_count(0)
    expect(form.get_by_label("I have a conflict of interest with this project")).to_be_checked()

    expert = open_page()
    expert.set_viewport_size({"width": 390, "height": 844})  # on a phone
    sign_in(expert, site, "expert-3")  # has not reviewed the mesh relay
    expert.goto(f"{site.url}/innovation/projects/ITC-MESH-RELAY")
    form = expert.get_by_role("region", name="Your review")
    expect(form).to_contain_text("None yet: declare whether you have a conflict of interest")
    for text in ("I have no conflict of interest with this project", "I have a conflict of interest with this project"):
        label = form.get_by_text(text)
        box = label.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, text  # not cut off
        assert label.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), text
    form.get_by_label("I have no conflict of interest with this project").check()
    form.get_by_role("button", name="Declare").click()
    assert "no conflict of interest with ITC-MESH-RELAY" in expert.get_by_role("status").first.inner_text()
    form = expert.get_by_role("region", name="Your review")
    expect(form.get_by_label("I have no conflict of interest with this project")).to_be_checked()
    assert accessibility_problems(expert) == []
    screenshot(expert, "en-phone-expert-declaration")
    form = expert.get_by_role("region", name="Your review")
    for criterion, score in (("Operational impact", "8"), ("Technical feasibility", "7"),
                             ("Team and delivery capacity", "6")):
        form.get_by_label(criterion).fill(score)
    form.get_by_role("button", name="Submit the review").click()
    assert "Your review of ITC-MESH-RELAY is recorded" in expert.get_by_role("status").first.inner_text()
    expert.goto(f"{site.url}/innovation/calls/it-innovation-challenge-2025")
    scores = expert.get_by_role("region", name="Scores").inner_text()
    assert "ITC-MESH-RELAY" in scores and "ITC-SOC-ANALYTICS" in scores
    screenshot(expert, "en-innovation-call-scores")

    first = open_page()
    sign_in(first, site, "expert-1")  # reviewed the mesh relay before the call's shortlist
    first.goto(f"{site.url}/innovation/projects/ITC-MESH-RELAY")
    expect(first.get_by_text("fixed by the shortlist decided on")).to_be_visible()
    expect(first.get_by_role("button", name="Declare")).to_have_count(0)  # a late conflict cannot move the ranking
    clean(site)


def _figures(page, table: str) -> list[tuple[str, float]]:
    """The rows of one table of the page: its name and its amount (for comparing, not for money sums)."""
    rows = page.locator(f"#{table} tbody tr")
    found = []
    for i in range(rows.count()):
        name = rows.nth(i).locator("th").inner_text()
        digits = re.sub(r"[^\d,.]", "", rows.nth(i).locator("td").inner_text())
        found.append((name, float(digits.replace(",", "") if "." in digits else digits.replace(",", "."))))
    return found


def test_money_by_stage_reads_as_a_funnel_beside_where_the_money_is_now_and_the_sankey_names_in_ukrainian(
        site: Site, open_page) -> None:
    page = open_page()
    sign_in(page, site, "lv-desk")
    page.goto(f"{site.url}{IT}")
    reached = _figures(page, "table-reached")
    assert [name for name, _ in reached][:5] == ["received", "reserved", "contracted", "disbursed", "delivered"]
    flow = [value for _, value in reached]
    assert flow[0] > 0 and flow[0] >= flow[1] >= flow[2] >= flow[3], reached
    assert 0 < flow[4] <= flow[2], reached  # the units signed for part of what was contracted
    assert page.get_by_role("heading", name="Money that reached each stage").is_visible()
    assert page.get_by_role("heading", name="Where the money is now").is_visible()
    assert [name for name, _ in _figures(page, "table-now")][:3] == ["pledged", "committed", "available"]
    expect(page.locator(".chart-box .chart svg")).to_have_count(2)  # both views drawn
    assert accessibility_problems(page) == []

    page.get_by_label("Language").select_option("uk")
    page.wait_for_function("document.documentElement.lang === 'uk'")
    page.goto(f"{site.url}/donors/EE")
    nodes = [n["name"] for n in json.loads(page.locator("#chart-sankey").inner_text())["series"][0]["data"]]
    assert nodes[0] == "Естонія" and any(n.startswith("контракт із ") for n in nodes), nodes
    assert not any(n.startswith(("requirement", "contract", "unit")) for n in nodes), nodes  # names, not codes
    expect(page.locator(".chart-box .chart svg")).to_have_count(1)
    assert accessibility_problems(page) == []
    page.get_by_label("Мова", exact=True).select_option("en")  # leave the user in English
    page.wait_for_function("document.documentElement.lang === 'en'")
    clean(site)


def test_the_search_box_finds_a_contract_and_leads_to_it_on_a_phone_too(site: Site, open_page) -> None:
    page = open_page()
    sign_in(page, site, "secretariat")
    page.get_by_label("Search the record").fill("NSPA-IT-C001")
    page.get_by_label("Search the record").press("Enter")
    expect(page.get_by_role("heading", name="Search", level=1)).to_be_visible()
    assert page.url.endswith("/search?q=NSPA-IT-C001"), "the search has its own address"
    hits = page.get_by_role("region", name=re.compile("record"))
    expect(hits).to_contain_text("contract")
    hits.get_by_role("link").first.click()
    expect(page.locator("#contract-NSPA-IT-C001")).to_be_visible()
    assert page.url.endswith("/cases/IT-CP-KITS#contract-NSPA-IT-C001"), "the contract on its case's page"
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site.url}/search?q=%D0%9B%D0%B0%D1%82%D0%B2%D1%96%D1%97")  # Латвії
    expect(page.get_by_role("region", name=re.compile("record"))).to_contain_text("Latvia")
    assert page.evaluate(WITHIN_WIDTH), "the results fit the phone's width"
    screenshot(page, "en-search-phone")
    page.goto(f"{site.url}{IT}/ledger")
    header = page.locator("header.top")
    assert header.bounding_box()["height"] <= 0.15 * 844, "the header folds into a menu on a phone"
    amount = page.get_by_role("region", name="Contributions").locator("tbody td.num").first
    box = amount.bounding_box()
    screenshot(page, "en-ledger-phone")
    assert box is not None and box["x"] + box["width"] <= 390, "the amounts are in view on a phone"
    assert page.evaluate(WITHIN_WIDTH), "the ledger fits the phone's width"
    expect(page.get_by_role("link", name="Procurement and deliveries")).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name="Procurement and deliveries").click()
    expect(page.get_by_role("heading", name="Procurement and deliveries", level=1)).to_be_visible()
    screenshot(page, "en-procurement-phone")
    page.set_viewport_size({"width": 1366, "height": 768})
    expect(page.get_by_role("link", name="Ledger", exact=True)).to_be_visible()  # wider, the menu is open
    clean(site)


def test_at_1366_px_in_ukrainian_every_table_of_the_money_fits(site: Site, open_page) -> None:
    page = open_page()
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(page, site, "auditor")
    page.get_by_label("Language").select_option("uk")
    page.wait_for_function("document.documentElement.lang === 'uk'")
    scrolled = "() => [...document.querySelectorAll('.table-box')].filter(b => b.scrollWidth > b.clientWidth + 1)" \
               ".map(b => b.querySelector('thead').innerText.slice(0, 40))"
    for path in (f"{IT}/ledger", f"{IT}/procurement", IT, "/donors/EE", "/cases/IT-CP-KITS"):
        page.goto(f"{site.url}{path}")
        assert page.evaluate(scrolled) == [], f"{path}: a table scrolls sideways at 1366 px"
    screenshot(page, "uk-case-1366")
    page.goto(f"{site.url}{IT}/ledger")
    screenshot(page, "uk-ledger-1366")
    page.get_by_label("Мова").select_option("en")  # the choice is remembered: leave the auditor in English
    page.wait_for_function("document.documentElement.lang === 'en'")
    clean(site)
