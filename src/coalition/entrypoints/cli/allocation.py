"""`coalition allocate`: the allocation engine alone, from a JSON file to a JSON file."""

import json
from pathlib import Path
from typing import Annotated

import typer

from coalition.domain.errors import InvalidInput
from coalition.entrypoints.cli.output import console
from coalition.entrypoints.cli.process import collector_paused
from coalition.services.allocation import allocate_document


def allocate(input: Annotated[Path, typer.Option("--input", help="Instance in the machine format (JSON).")],
             output: Annotated[Path, typer.Option("--output", help="Where to write the result (JSON).")]) -> None:
    """Run the allocation engine on IN.json and write OUT.json (amounts as decimal strings)."""
    try:
        document = json.loads(input.read_text(encoding="utf-8"))
    except OSError as error:
        raise InvalidInput(f"cannot read '{input}': {error.strerror}", field="--input") from None
    except json.JSONDecodeError as error:
        raise InvalidInput(f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
                           field="--input") from None
    with collector_paused():
        result = allocate_document(document)
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    funded = sum(1 for r in result["requirements"] if r["fully_funded"])
    console.print(f"{funded} of {len(result['requirements'])} requirements fully funded; "
                  f"{len(result['lines'])} lines written to {output}")
