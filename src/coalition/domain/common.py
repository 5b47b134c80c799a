"""Small shared rules: codes that name records, and dates as users type them."""

from __future__ import annotations

import re
from datetime import date

from coalition.domain.errors import InvalidInput

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def check_code(value: str, field: str) -> str:
    """A code names a record in URLs and commands: letters, digits, '.', '_' or '-', at most 64."""
    if not _CODE.fullmatch(value or ""):
        raise InvalidInput(
            f"'{value}' is not a valid code (letters, digits, '.', '_' or '-', starting with a letter or digit, "
            "at most 64 characters)",
            field=field,
        )
    return value


def check_text(value: str, field: str, *, max_length: int = 500) -> str:
    """Free text that must not be blank."""
    cleaned = (value or "").strip()
    if not cleaned:
        raise InvalidInput("must not be empty", field=field)
    if len(cleaned) > max_length:
        raise InvalidInput(f"must be at most {max_length} characters", field=field)
    return cleaned


def parse_date(text: str, field: str) -> date:
    """An ISO 8601 calendar date (YYYY-MM-DD)."""
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        raise InvalidInput(f"'{text}' is not a date in the form YYYY-MM-DD", field=field) from None
