"""Every action and kind of record the services write into the audit log has words on the pages, in English and
Ukrainian: read from the services' own source, so a new action without words fails here."""

from __future__ import annotations

import re
from pathlib import Path

import coalition.services as services
from coalition.entrypoints.web.audit_words import ACTIONS, RECORDS
from coalition.entrypoints.web.i18n import translations
from coalition.services.packages import ACTIONS as PACKAGE_ACTIONS

SOURCE = "\n".join(p.read_text() for p in Path(services.__file__).parent.rglob("*.py"))


def test_every_action_and_kind_of_record_written_has_words_in_both_languages():
    written = set(re.findall(r'AuditEvent\(\s*"([a-z_]+)"', SOURCE))
    written |= set(re.findall(r'AuditEvent\(\s*"[a-z_]+" if [^"]+ else "([a-z_]+)"', SOURCE))  # the other way
    written |= set(re.findall(r'_record_membership_change\(uow, actor, "([a-z_]+)"', SOURCE))
    written |= {f"record_{kind}" for kind in ("pledge", "commitment", "receipt", "in_kind")}
    written |= set(PACKAGE_ACTIONS.values())
    kinds = set(re.findall(r'AuditEvent\(\s*[^,]+,\s*"([a-z_]+)"', SOURCE)) | {"coalition", "programme"}
    assert written - set(ACTIONS) == set()
    assert kinds - set(RECORDS) == set()
    ukrainian = translations("uk")
    for words in (*ACTIONS.values(), *RECORDS.values()):
        assert ukrainian.gettext(words) != words, words
