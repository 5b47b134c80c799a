"""The migrations and the table definitions describe the same schema, on both databases."""

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from coalition.adapters.database import alembic_config, migrate, schema_is_current
from coalition.adapters.tables import metadata


def test_migrations_and_models_agree(engine: sa.Engine):
    assert not schema_is_current(engine)
    migrate(engine)
    assert schema_is_current(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)
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
