"""Repositories rebuild domain values from stored rows without checking their text again.

Text is checked when it comes in (coalition.domain.limits). A rule added later, such as a control
character refused or a limit that a path did not enforce before, must not make a record already kept
unreadable: every public method of a repository runs as under ``stored_values()``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from coalition.domain.limits import rebuilding, rebuilt

R = TypeVar("R", bound=type)


def _rebuilding(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def run(*args: Any, **kwargs: Any) -> Any:
        token = rebuilding()  # as stored_values(), without a generator's cost on every repository call
        try:
            return method(*args, **kwargs)
        finally:
            rebuilt(token)
    return run


def rebuilds_stored_values(repository: R) -> R:
    """Run each public method of ``repository`` under ``stored_values()`` (generators excepted: they would
    leave it on for their caller between items)."""
    for name, member in list(vars(repository).items()):
        if name.startswith("_") or not inspect.isfunction(member) or inspect.isgeneratorfunction(member):
            continue
        setattr(repository, name, _rebuilding(member))
    return repository
