"""Schemathesis over the whole OpenAPI document, on SQLite and on PostgreSQL, signed in as a platform administrator.

Whatever is sent, the server answers without a server error, and every answer matches the schema of its
operation (status, content type, body). The payloads come from the schema itself, so a route added later
is fuzzed with no change here. Every check runs but one: a request that fits the schema may still break a
business rule (a finding of 'lost' needs a note, a date range must be ordered), which is a 422 naming the
rule, not a defect.

The operations that revoke a token or end a session are left out of the signed-in run (they would take
away the credential the run goes on with) and fuzzed as the public instead. The demo world is built once
per database and worker; each operation gets a bounded number of examples, so both databases together add
about a minute to the suite on two cores.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from coalition.bootstrap import Platform
from coalition.config import Settings
from coalition.entrypoints.api.app import create_app
from tests.api.conftest import Served, serve_world
from tests.conftest import REQUIRE_POSTGRES, RUN_COUNTS, _postgres, _postgres_database
from tests.fakes import TickingClock

# The schema is read from an application built at import; each test points it at the world of its database.
APP = create_app(Platform(Settings(database_url="sqlite://", data_dir=Path("unused"),
                                   login_attempts_per_minute=1_000_000)))
SCHEMA = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)
# Revoking a token and ending a session would take away the run's own credential.
CREDENTIAL_ENDING = [("DELETE", "/api/v1/auth/tokens/{token_id}"), ("POST", "/api/v1/auth/logout")]
SIGNED_IN = SCHEMA
for _method, _path in CREDENTIAL_ENDING:
    SIGNED_IN = SIGNED_IN.exclude(method=_method, path=_path)
PUBLIC = SCHEMA.include(lambda ctx: (ctx.operation.method.upper(), ctx.operation.path) in CREDENTIAL_ENDING)
FUZZ = settings(max_examples=10, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def engine_world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The demo world with one user per role, on SQLite or on a schema of its own on PostgreSQL."""
    folder: Path = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    schema = None
    if request.param == "sqlite":
        url = f"sqlite:///{folder / 'coalition.db'}"
    else:
        base = _postgres_database()
        if base is None:
            if REQUIRE_POSTGRES:
                pytest.fail(f"PostgreSQL is required (COALITION_REQUIRE_POSTGRES=1) but {_postgres['reason']}")
            RUN_COUNTS["postgres"]["skipped"] = int(RUN_COUNTS["postgres"]["skipped"]) + 1
            RUN_COUNTS["postgres"]["reason"] = str(_postgres["reason"])
            pytest.skip("no PostgreSQL server answered; see the PostgreSQL line at the end")
        schema = f"f_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(base)
        with admin.begin() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        url = sa.engine.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
        RUN_COUNTS["postgres"]["ran"] = int(RUN_COUNTS["postgres"]["ran"]) + 1
    platform = Platform(Settings(database_url=url, data_dir=folder, operator="tester",
                                 login_attempts_per_minute=1_000_000), TickingClock())
    served = serve_world(platform)
    yield served
    served.client.close()
    platform.engine.dispose()
    if schema is not None:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture
def fuzzed_world(engine_world: Served) -> Served:
    APP.state.platform = engine_world.platform
    return engine_world


@SIGNED_IN.parametrize()
@FUZZ
def test_no_generated_request_breaks_the_server_or_the_schema(case: schemathesis.Case, fuzzed_world: Served):
    case.call_and_validate(headers=fuzzed_world.as_role("platform-admin"), excluded_checks=[positive_data_acceptance])


@PUBLIC.parametrize()
@FUZZ
def test_the_credential_ending_operations_hold_for_the_public(case: schemathesis.Case, fuzzed_world: Served):
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
