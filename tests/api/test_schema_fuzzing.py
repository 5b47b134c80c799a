"""Schemathesis over the whole OpenAPI document: generated requests, signed in as a platform administrator.

Whatever is sent, the server answers without a server error, and every answer matches the
schema of its operation (status, content type, body). The payloads come from the schema itself,
so a route added later is fuzzed with no change here. Every check runs but one: a request that
fits the schema may still break a business rule (a finding of 'lost' needs a note, a date range
must be ordered), which is a 422 naming the rule, not a defect.
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

# The schema is read from an application built at import; the test points it at the demo world.
APP = create_app(Platform(Settings(database_url="sqlite://", data_dir=Path("unused"),
                                   login_attempts_per_minute=1_000_000)))
SCHEMA = schemathesis.openapi.from_asgi("/api/v1/openapi.json", APP)


@pytest.fixture(scope="module")
def fuzzed_world(world: Served) -> Served:
    APP.state.platform = world.platform
    return world


@SCHEMA.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
def test_no_generated_request_breaks_the_server_or_the_schema(case: schemathesis.Case, fuzzed_world: Served):
    case.call_and_validate(headers=fuzzed_world.as_role("platform-admin"), excluded_checks=[positive_data_acceptance])
