"""The ocid prefix of OCDS exports: a setting whose default marks test data, refused unless it has the form the
Open Contracting Partnership assigns, naming the variable; the export refuses a bad prefix given on its own."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from coalition.config import Settings
from coalition.domain.errors import InvalidInput
from coalition.services.views.open_contracting import check_ocid_prefix


def test_the_default_prefix_marks_test_data_and_a_publishers_own_is_taken():
    assert Settings().ocid_prefix == "ocds-test00"
    assert Settings(ocid_prefix="ocds-213czf").ocid_prefix == "ocds-213czf"


@pytest.mark.parametrize("prefix", ["", "ocds-", "ocds-ABCDEF", "ocds-abc12", "ocds-abc1234", "xyz-abc123"])
def test_a_prefix_of_another_form_is_refused_naming_the_setting_and_the_field(prefix: str):
    with pytest.raises(ValidationError, match="COALITION_OCID_PREFIX"):
        Settings(ocid_prefix=prefix)
    with pytest.raises(InvalidInput) as refused:
        check_ocid_prefix(prefix)
    assert refused.value.field == "ocid_prefix"
