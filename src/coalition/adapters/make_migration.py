"""Draft a new Alembic migration by comparing the tables with a scratch database at head.

Usage: python -m coalition.adapters.make_migration "what changed" (or `make migration m=...`).
Review the drafted file before committing it.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from coalition.adapters.database import alembic_config, create_engine, migrate


def main(message: str) -> None:
    if not message.strip():
        sys.exit("message: describe the change, e.g. make migration m=\"add pledges\"")
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_engine(f"sqlite:///{Path(scratch) / 'draft.db'}")
        migrate(engine)
        with engine.begin() as connection:
            command.revision(alembic_config(connection), message=message, autogenerate=True)
        engine.dispose()


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]))
