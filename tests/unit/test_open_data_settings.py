"""The licence of the open-data files: CC BY 4.0 unless configured, an SPDX identifier and an http(s) address,
anything else refused naming the variable."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from coalition.config import Settings


def test_the_default_licence_is_cc_by_4_and_another_is_taken():
    assert (Settings().open_data_licence, Settings().open_data_licence_url) == (
        "CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/")
    chosen = Settings(open_data_licence="CC0-1.0",
                      open_data_licence_url="https://creativecommons.org/publicdomain/zero/1.0/")
    assert chosen.open_data_licence == "CC0-1.0"


@pytest.mark.parametrize(("field", "value", "variable"), [
    ("open_data_licence", "", "COALITION_OPEN_DATA_LICENCE"),
    ("open_data_licence", "CC BY 4.0", "COALITION_OPEN_DATA_LICENCE"),
    ("open_data_licence", "<script>", "COALITION_OPEN_DATA_LICENCE"),
    ("open_data_licence_url", "javascript:alert(1)", "COALITION_OPEN_DATA_LICENCE_URL"),
    ("open_data_licence_url", "creativecommons.org", "COALITION_OPEN_DATA_LICENCE_URL"),
])
def test_a_licence_of_another_form_is_refused_naming_the_setting(field: str, value: str, variable: str):
    with pytest.raises(ValidationError, match=variable):
        Settings(**{field: value})
