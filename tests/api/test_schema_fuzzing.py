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

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from coalition.bootstrap import Platform
from coalition.config import Settings
from coalition.entrypoints.api.app import create_app
from tests.api.conftest import Served

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


@pytest.fixture
def fuzzed_world(world_on_each_database: Served) -> Served:
    APP.state.platform = world_on_each_database.platform
    return world_on_each_database


@SIGNED_IN.parametrize()
@FUZZ
def test_no_generated_request_breaks_the_server_or_the_schema(case: schemathesis.Case, fuzzed_world: Served):
    case.call_and_validate(headers=fuzzed_world.as_role("platform-admin"), excluded_checks=[positive_data_acceptance])


@PUBLIC.parametrize()
@FUZZ
def test_the_credential_ending_operations_hold_for_the_public(case: schemathesis.Case, fuzzed_world: Served):
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
