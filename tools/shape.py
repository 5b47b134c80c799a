"""The shape gate: no function longer than 60 lines or of cyclomatic complexity above 15 (radon), outside the
allocation engine (coalition.domain.allocation, whose solver loops are measured in ADR 0009) and the migrations
(table declarations). Prints every function over a limit and exits 1 if there is one."""

from __future__ import annotations

import sys
from pathlib import Path

from radon.complexity import cc_visit
from radon.visitors import Class, Function

MAX_LINES = 60
MAX_COMPLEXITY = 15
ROOT = Path(__file__).resolve().parent.parent / "src" / "coalition"
EXEMPT = ("domain/allocation.py", "adapters/migrations/")


def functions(blocks: list[Function | Class]) -> list[Function]:
    found: list[Function] = []
    for block in blocks:
        if isinstance(block, Class):
            found += functions(block.methods)
        else:
            found.append(block)
            found += functions(block.closures)
    return found


def main() -> int:
    over: dict[tuple[str, int], str] = {}
    for path in sorted(ROOT.rglob("*.py")):
        where = path.relative_to(ROOT).as_posix()
        if where.startswith(EXEMPT):
            continue
        for function in functions(cc_visit(path.read_text(encoding="utf-8"))):
            lines = function.endline - function.lineno + 1
            if lines > MAX_LINES or function.complexity > MAX_COMPLEXITY:
                over[(where, function.lineno)] = (f"{where}:{function.lineno} {function.fullname}: {lines} lines, "
                                                  f"complexity {function.complexity}")
    for line in over.values():
        print(line)
    print(f"{len(over)} function(s) over {MAX_LINES} lines or complexity {MAX_COMPLEXITY}" if over else
          f"Every function within {MAX_LINES} lines and complexity {MAX_COMPLEXITY}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
