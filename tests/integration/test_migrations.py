"""The migrations and the table definitions describe the same schema, on both databases."""

from datetime import date

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from coalition.adapters.database import alembic_config, migrate, schema_is_current
from coalition.adapters.tables import compared, meetings, metadata
from coalition.bootstrap import Platform
from coalition.demo.world import build_demo_world
from coalition.domain.limits import MAX_ID
from tests.integration.helpers import dump


def test_migrations_and_models_agree(engine: sa.Engine):
    assert not schema_is_current(engine)
    migrate(engine)
    assert schema_is_current(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": compared})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_migrations_downgrade_to_nothing_and_back(engine: sa.Engine):
    migrate(engine)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate(engine)
    assert {"parties", "coalitions", "membership_changes", "audit_records"} <= set(sa.inspect(engine).get_table_names())


def test_migrating_twice_changes_nothing(engine: sa.Engine):
    migrate(engine)
    migrate(engine)
    with engine.connect() as connection:
        assert connection.execute(sa.text("select seq, hash from audit_head")).all() == [(0, "0" * 64)]


def test_an_autoincrement_id_goes_on_beyond_32_bits(engine: sa.Engine):
    """A key numbered by the database (a sequence on PostgreSQL, the rowid on SQLite) passes 2**31 - 1 and
    reaches the largest id."""
    migrate(engine)
    row = {"coalition": "it", "title": "Steering group", "place": "Tallinn", "virtual": False, "agenda": [],
           "minutes": "", "illustrative": False}
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO parties (code, kind, name, illustrative) VALUES ('UA', 'state', "
                                   "'Ukraine', false)")
        connection.exec_driver_sql("INSERT INTO coalitions (code, name, capability_area, framework, recipient, "
                                   "founded_on, founded_at, reporting_currency, rules, illustrative) VALUES ('it', "
                                   "'IT', 'IT', 'UDCG', 'UA', '2024-01-01', 'Ramstein', 'EUR', '{}', false)")
        connection.execute(meetings.insert(), {**row, "id": 2**31 - 1, "held_on": date(2024, 1, 1)})
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("SELECT setval(pg_get_serial_sequence('meetings', 'id'), 2147483647)")
        following = connection.execute(meetings.insert().returning(meetings.c.id),
                                       {**row, "held_on": date(2024, 1, 2)}).scalar()
        assert following == 2**31
        connection.execute(meetings.insert(), {**row, "id": MAX_ID, "held_on": date(2024, 1, 3)})
        ids = connection.execute(sa.select(meetings.c.id).order_by(meetings.c.id)).scalars().all()
    assert ids == [2**31 - 1, 2**31, MAX_ID]


def test_migration_0018_keeps_a_populated_database(platform: Platform):
    """From 0017 (before the ids and notes grew) to the newest schema and back, the demo world is unchanged."""
    build_demo_world(platform.uow(), platform.operator())
    before = dump(platform.engine)
    with platform.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0017")
    with platform.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    assert schema_is_current(platform.engine)
    after = dump(platform.engine)
    # tables of later migrations: a downgrade below them drops them with their rows
    later = {"plan_decisions", "purl_packages", "purl_shares", "purl_acts", "offers", "offer_answers", "programmes",
             "programme_calls", "gate_rules", "gate_times", "party_identifiers", "outbox",
             "notification_settings", "webhook_subscriptions"}
    # below 0022 a call has a coalition: the records under a programme's call go; every coalition's stay as they were
    under_programmes = {"innovation_calls", "innovation_projects", "project_evidence", "project_reviews",
                        "conflict_declarations", "shortlists", "gate_decisions"}
    rebuilt = {"search_entries"}  # written again from the record by its migration, numbered in another order
    kept = later | under_programmes | rebuilt
    assert {k: v for k, v in after.items() if k not in kept} == {k: v for k, v in before.items() if k not in kept}
    assert all(after[table] == [] for table in later)
    assert sorted(row[1:] for row in after["search_entries"]) == sorted(row[1:] for row in before["search_entries"])
    for table in under_programmes:
        assert len(after[table]) < len(before[table]) and all(row in before[table] for row in after[table])
    assert [row[:2] for row in after["innovation_calls"]] == [("it-innovation-challenge-2025", "it-coalition")]
    assert [row[:2] for row in before["innovation_calls"]] == [("it-innovation-challenge-2025", "it-coalition"),
                                                               ("kz-hub-hackathon-2025", None)]
    with platform.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": compared})
        differences = compare_metadata(context, metadata)
    assert differences == []
