"""Benchmark: the allocation engine's `partial` policy against one HiGHS linear programme on the same data.

Instances with P contributions and R requirements, P and R in {1,000; 10,000; 100,000} (all combinations), 20
categories, every contribution earmarked to 1 to 3 of them, total demand 1.5 x total supply, fixed seeds
(tests/allocation_reference.py: random_instance). For each it measures:
  engine  allocate(pots, needs, Policy.PARTIAL), lines included: median of 5 runs, as a server runs it (the
          cyclic garbage collector on), and beside it median of 5 runs with the collector paused, as the
          command line runs it (`coalition allocate`, `allocation run`), the two interleaved;
  HiGHS   the pooled LP of tests/allocation_reference.py (build + solve), with HiGHS's default settings (the
          anchor) and tuned for this LP (interior point, crossover, no presolve): median of 3 runs, 1 for the largest;
and asserts all three fund every requirement with exactly the same amount. ratio = HiGHS ms / engine ms (how many
times faster the engine is than HiGHS as it comes); tuned_ratio the same against the tuned HiGHS; gc = engine ms /
paused ms (what the collector costs the engine).
Prints the machine, a table and, last, one JSON line for the largest instance (P = R = 100,000 by default).
Without the engine (not landed yet) it times HiGHS alone and says so.

Run: .venv/bin/python -m benchmarks.bench_allocation   (sizes: BENCH_SIZES=1000,10000; needs highspy>=1.7)
"""

from __future__ import annotations

import gc
import json
import os
import platform as host
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from tests.allocation_reference import Need, Pot, random_instance, reference_partial

CATEGORIES = 20
DEFAULT_SIZES = (1_000, 10_000, 100_000)


def engine() -> Callable[[Sequence[Pot], Sequence[Need]], list[int]] | None:
    """The engine's partial allocation as funded amounts, or None when it has not landed yet."""
    try:
        from coalition.domain.allocation import Policy, allocate
    except ImportError as error:
        print(f"NOTE: the allocation engine is not available ({error}); timing HiGHS alone.", file=sys.stderr)
        print("      Run this again once src/coalition/domain/allocation.py provides allocate().", file=sys.stderr)
        return None

    def run(pots: Sequence[Pot], needs: Sequence[Need]) -> list[int]:
        return [f.funded for f in allocate(pots, needs, Policy.PARTIAL).requirements]

    return run


def timed(function: Callable[[], list[int]], runs: int) -> tuple[float, list[int]]:
    """Median wall time in ms over `runs`, and the last result."""
    times, result = [], []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def timed_with_and_without_collector(function: Callable[[], list[int]], runs: int) -> tuple[float, float, list[int]]:
    """Median wall time in ms over `runs` with the cyclic collector on and over `runs` with it paused, the runs
    interleaved (on a shared machine the load changes from one run to the next), and the last result."""
    times: dict[bool, list[float]] = {False: [], True: []}
    result: list[int] = []
    for run in range(runs):
        for paused in (False, True) if run % 2 == 0 else (True, False):
            gc.collect()
            if paused:
                gc.disable()
            try:
                start = time.perf_counter()
                result = function()
                times[paused].append((time.perf_counter() - start) * 1000)
            finally:
                gc.enable()
    return statistics.median(times[False]), statistics.median(times[True]), result


def sizes() -> list[int]:
    raw = os.environ.get("BENCH_SIZES", "")
    return sorted({int(s.replace("_", "")) for s in raw.split(",") if s.strip()}) or list(DEFAULT_SIZES)


def main() -> None:
    import highspy

    allocate_partial = engine()
    chosen = sizes()
    largest = max(chosen)
    print(f"Machine: {host.machine()}, {os.cpu_count()} cores, Python {host.python_version()}, "
          f"highspy {getattr(highspy.Highs(), 'version', lambda: '?')()}", flush=True)
    results: list[dict[str, Any]] = []
    for p in chosen:
        for r in chosen:
            pots, needs = random_instance(random.Random(1_000_003 * p + r), p, r, CATEGORIES, max_earmark=3,
                                          demand_ratio=1.5, none_share=0.0)
            highs_runs = 1 if p == r == largest else 3
            highs_ms, expected = timed(partial(reference_partial, pots, needs, defaults=True), highs_runs)
            tuned_ms, tuned = timed(partial(reference_partial, pots, needs), highs_runs)
            row: dict[str, Any] = {"name": "allocation", "p": p, "r": r, "engine_ms": None,
                                   "engine_paused_ms": None, "gc_ratio": None,
                                   "highs_ms": round(highs_ms, 1), "highs_tuned_ms": round(tuned_ms, 1),
                                   "ratio": None, "tuned_ratio": None, "identical": None}
            if tuned != expected:
                print(f"MISMATCH P={p} R={r}: HiGHS default and tuned disagree", file=sys.stderr)
            if allocate_partial is not None:
                engine_ms, paused_ms, funded = timed_with_and_without_collector(
                    partial(allocate_partial, pots, needs), 5)
                row.update(engine_ms=round(engine_ms, 1), engine_paused_ms=round(paused_ms, 1),
                           gc_ratio=round(engine_ms / paused_ms, 2), ratio=round(highs_ms / engine_ms, 1),
                           tuned_ratio=round(tuned_ms / engine_ms, 2),
                           identical=funded == expected == tuned)
                if funded != expected:
                    wrong = [k for k, (a, b) in enumerate(zip(funded, expected, strict=True)) if a != b]
                    print(f"MISMATCH P={p} R={r}: {len(wrong)} requirements differ, first {needs[wrong[0]].id}: "
                          f"engine {funded[wrong[0]]}, HiGHS {expected[wrong[0]]}", file=sys.stderr)
            row["funded_share"] = round(sum(expected) / max(1, sum(n.amount for n in needs)), 3)
            results.append(row)
            print(f"  done P={p} R={r}", file=sys.stderr, flush=True)

    def show(value: object) -> str:
        return "-" if value is None else str(value)

    print(f"{'P':>8} {'R':>8} {'engine ms':>10} {'paused ms':>10} {'gc':>5} {'HiGHS ms':>10} {'ratio':>7} "
          f"{'tuned ms':>9} {'t.ratio':>8} {'identical':>9} {'funded':>7}")
    for row in results:
        print(f"{row['p']:>8} {row['r']:>8} {show(row['engine_ms']):>10} {show(row['engine_paused_ms']):>10} "
              f"{show(row['gc_ratio']):>5} {row['highs_ms']:>10} "
              f"{show(row['ratio']):>7} {row['highs_tuned_ms']:>9} {show(row['tuned_ratio']):>8} "
              f"{show(row['identical']):>9} {row['funded_share']:>7}")
    print("engine ms: the collector on (a server); paused ms: the collector paused (the command line); gc = engine "
          "ms / paused ms;\nratio = HiGHS (default settings) ms / engine ms; t.ratio = HiGHS tuned ms / engine ms; "
          "funded = share of total demand funded")
    if allocate_partial is None:
        print("engine not available: HiGHS side only", flush=True)
    last = next(row for row in results if row["p"] == row["r"] == largest)
    print(json.dumps({k: last[k] for k in ("name", "p", "r", "engine_ms", "engine_paused_ms", "gc_ratio", "highs_ms",
                                            "ratio", "identical", "highs_tuned_ms", "tuned_ratio")}), flush=True)
    if any(row["identical"] is False for row in results):
        sys.exit("the engine and HiGHS funded some requirement differently (see MISMATCH above)")


if __name__ == "__main__":
    main()
