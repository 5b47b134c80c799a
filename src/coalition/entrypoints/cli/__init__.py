"""The `coalition` command line (Typer with Rich tables; --json on every read command)."""
