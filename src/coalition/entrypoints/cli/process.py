"""Settings of the whole process that a command may take while it runs alone in it."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while this command allocates.

    A large run (an allocation, a bulk import) creates hundreds of thousands of small objects and no reference
    cycles; the collector would only rescan them again and again (at 100,000 by 100,000 the allocation engine
    takes about twice as long with it, ADR 0009; an import of 100,000 rows about an eighth longer). The setting
    is the whole process's: a command runs alone in its process, so it is paused here, and never in the domain,
    which a threaded server also runs.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
