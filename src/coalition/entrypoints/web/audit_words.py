"""The audit log's actions and kinds of record in words, to translate: the log keeps each as a code
(``cast_vote``, ``procurement_case``); a page shows it in the reader's language. A test holds this list to every
action the services record."""

from __future__ import annotations

from coalition.entrypoints.web.i18n import N_

ACTIONS = {
    "add_capability_area": N_("capability area added"), "add_evidence": N_("evidence added"),
    "add_fund": N_("fund added"), "attach_document": N_("document attached"),
    "supersede_document": N_("document superseded"), "add_webhook": N_("webhook subscription added"),
    "disable_webhook": N_("webhook subscription disabled"), "enable_webhook": N_("webhook subscription enabled"),
    "resend_delivery": N_("delivery sent again"), "set_notifications": N_("notification settings changed"),
    "add_package": N_("package added"), "add_requirement": N_("requirement added"),
    "add_signatory": N_("signatory added"), "add_user": N_("user added"), "adopt_rows": N_("rows adopted"),
    "admit_member": N_("member admitted"), "advance_shipment": N_("shipment moved on"),
    "amend_contract": N_("contract amended"), "answer_offer": N_("offer answered"),
    "approve_plan": N_("plan approved"), "approve_priority_list": N_("priority list approved"),
    "approve_route": N_("route approved"), "award_grant": N_("grant awarded"), "award_lot": N_("lot awarded"),
    "bridge_to_procurement": N_("bridged to procurement"), "cancel_case": N_("case cancelled"),
    "cancel_tender": N_("tender cancelled"), "cast_vote": N_("vote cast"),
    "change_member_role": N_("member's role changed"), "change_password": N_("password changed"),
    "change_requirement_status": N_("requirement status changed"), "close_case": N_("case closed"),
    "confirm_receipt": N_("receipt signed for"), "create_coalition": N_("coalition created"),
    "create_meeting": N_("meeting created"), "create_programme": N_("programme created"),
    "create_tender": N_("tender created"), "create_token": N_("API token created"),
    "decide_gate": N_("gate decided"), "decide_proposal": N_("proposal decided"),
    "decide_shortlist": N_("shortlist decided"), "enable_user": N_("user enabled"),
    "disable_user": N_("user disabled"), "declare_conflict": N_("conflict of interest declared"),
    "deliver_package": N_("package delivered"), "end_sessions": N_("sessions ended"),
    "fund_package": N_("package funded"), "identify_party": N_("party identifier recorded"),
    "import_contributions": N_("contributions imported"), "import_fx_rates": N_("exchange rates imported"),
    "open_call": N_("call opened"), "open_case": N_("case opened"), "open_proposal": N_("proposal opened"),
    "pay_grant": N_("grant paid"), "propose_package": N_("package proposed"),
    "record_attendance": N_("attendance recorded"), "record_bid": N_("bid recorded"),
    "record_commitment": N_("commitment recorded"), "record_departure": N_("departure recorded"),
    "record_end_use_check": N_("end-use check recorded"), "record_in_kind": N_("in-kind contribution recorded"),
    "record_instrument": N_("instrument recorded"), "record_offer": N_("offer recorded"),
    "record_package_shares": N_("package shares recorded"), "record_payment": N_("payment recorded"),
    "record_pledge": N_("pledge recorded"), "record_receipt": N_("receipt recorded"),
    "register_party": N_("party registered"), "register_project": N_("project registered"),
    "rehash_password": N_("password hash renewed"), "release_grant": N_("grant tranche released"),
    "release_reservation": N_("reservation released"), "reverse_entry": N_("ledger entry reversed"),
    "reverse_payment": N_("payment reversed"), "revoke_token": N_("API token revoked"),
    "run_allocation": N_("allocation run"), "set_grants": N_("roles set"), "set_language": N_("language set"),
    "set_gate_rules": N_("gate rules set"), "set_minutes": N_("minutes set"), "set_password": N_("password set"),
    "ship": N_("shipment dispatched"), "sign_contract": N_("contract signed"),
    "submit_priority_list": N_("priority list submitted"), "submit_review": N_("review submitted"),
    "validate_package": N_("package validated"), "add_intake_article": N_("news article added to the intake"),
    "accept_intake_proposal": N_("intake proposal accepted"), "reject_intake_proposal": N_("intake proposal rejected"),
}

RECORDS = {
    "allocation_plan": N_("allocation plan"), "api_token": N_("API token"), "audit": N_("audit log"),
    "bid": N_("bid"), "capability_area": N_("capability area"), "coalition": N_("coalition"),
    "contract": N_("contract"), "contribution": N_("contribution"), "end_use_check": N_("end-use check"),
    "fund": N_("fund"), "fx_rates": N_("exchange rates"), "grant": N_("grant"), "import": N_("import"),
    "innovation_call": N_("innovation call"), "innovation_project": N_("innovation project"),
    "instrument": N_("instrument"), "ledger_entry": N_("ledger entry"), "meeting": N_("meeting"),
    "membership": N_("membership"), "offer": N_("offer"), "package": N_("package"), "party": N_("party"),
    "party_identifier": N_("party identifier"), "payment": N_("payment"), "priority_list": N_("priority list"),
    "procurement_case": N_("procurement case"), "programme": N_("programme"), "project_evidence": N_("evidence"),
    "proposal": N_("proposal"), "purl_package": N_("PURL package"), "requirement": N_("requirement"),
    "shipment": N_("shipment"), "signature": N_("signature"), "tender": N_("tender"),
    "unit_receipt": N_("unit receipt"), "user": N_("user"), "intake_article": N_("intake article"),
    "intake_proposal": N_("intake proposal"), "webhook_subscription": N_("webhook subscription"),
    "document": N_("document"),
    "delivery": N_("delivery"),
}


def action_words(action: str) -> str:
    """The action in words (still to translate), or its code with blanks for an action this list does not know."""
    return ACTIONS.get(action, action.replace("_", " "))


def record_words(kind: str) -> str:
    return RECORDS.get(kind, kind.replace("_", " "))
