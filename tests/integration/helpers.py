"""Helpers for integration tests: a full dump of the database to prove nothing changed, the CLI in process,
the coalition of racing writers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from coalition.adapters.tables import metadata
from coalition.domain.coalition import Coalition, Fund
from coalition.services import registry

# What the job worker writes on its own as it delivers the outbox (a server's worker thread may do so at any
# moment): the deliveries and notifications an event fans out to, and the note that it was fanned out. The events
# themselves are compared: a refused change writes none.
# Operational state written beside the record: by the job worker as it delivers, and by sign-in attempts.
WORKER_TABLES = frozenset({"deliveries", "notifications", "job_workers", "sign_in_attempts"})
WORKER_COLUMNS = {"outbox": frozenset({"fanned_out_at"})}


def _utc(value: Any) -> Any:
    """A time as aware UTC, as both engines hold it (SQLite reads it back without its zone)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value


def dump(engine: sa.Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted, so two dumps compare equal exactly when nothing changed (but for what the
    job worker writes on its own as it delivers the outbox)."""
    with engine.connect() as connection:
        return {table.name: sorted((tuple(map(_utc, row)) for row in connection.execute(sa.select(
            *(c for c in table.columns if c.name not in WORKER_COLUMNS.get(table.name, frozenset()))))), key=repr)
                for table in metadata.sorted_tables if table.name not in WORKER_TABLES}


def run(platform: Any, capsys: Any, *argv: str) -> tuple[int, str, str]:
    """Run the command line in-process on ``platform``; return (exit code, stdout, stderr)."""
    from coalition.entrypoints.cli.app import main

    try:
        main(list(argv), platform)
        code = 0
    except SystemExit as leaving:
        code = int(leaving.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_refused(platform: Any, capsys: Any, argv: list[str], exit_code: int, message: str) -> None:
    """Bad input: the given exit code, one line on stderr containing ``message``, no traceback, nothing written."""
    before = dump(platform.engine)
    code, _, err = run(platform, capsys, *argv)
    assert code == exit_code, err
    assert message in err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    assert dump(platform.engine) == before


def allow_secretariat_approval(platform: Any, coalition: str) -> None:
    """Let the secretariat approve lists and plans directly, as the coalition itself would: by a decision."""
    change_rules(platform, coalition, "Let the secretariat approve lists and plans", secretariat_may_approve=True)


def change_rules(platform: Any, coalition: str, title: str, **changes: Any) -> None:
    """Change the coalition's decision rules as the coalition itself would: by a decision every voter approves."""
    import dataclasses

    from coalition.domain.steering import Procedure, ProposalKind, Vote
    from coalition.services import registry, steering

    actor = platform.operator()
    found = next(c for c in registry.list_coalitions(platform.uow(), actor) if c.code == coalition)
    rules = dataclasses.replace(found.rules, **changes)
    proposal = steering.open_proposal(platform.uow(), actor, coalition=coalition, kind=ProposalKind.CHANGE_RULES,
                                      title=title, payload={"rules": rules.to_data()}, procedure=Procedure.WRITTEN)
    today = platform.clock().date()
    for member in registry.members_on(platform.uow(), actor, coalition, today):
        if member.votes:
            steering.cast_vote(platform.uow(), actor, proposal.id or 0, member.party.code, Vote.FOR)
    decided = steering.close_proposal(platform.uow(), actor, proposal.id or 0)
    assert decided.outcome is not None and decided.outcome.value == "approved", decided.reason


def race_coalition(platform: Any) -> Any:
    """The coalition 'race' with its fund 'race-fund', for two writers racing on PostgreSQL; the operator acting.

    Skips the test on SQLite, which runs one writer at a time: writers cannot interleave there."""
    if platform.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writer at a time: the interleaving cannot happen")
    actor = platform.operator()
    registry.create_coalition(platform.uow(), actor, Coalition("race", "Race", "IT", "tests", "UA", date(2024, 1, 1),
                                                               "a test", "EUR"))
    registry.add_fund(platform.uow(), actor, Fund("race-fund", "race", "Race fund", "NSPA", "EUR"))
    return actor
