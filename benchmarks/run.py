"""iwm benchmarks: run with `make bench` (or `python benchmarks/run.py [--quick]`).

* Formation throughput in child-weeks per second on one core (workers=1), at n = 10^5 and
  10^6 children, each formed from birth to 18 (936 weekly episodes).
* Adult life throughput in agent-days per second on one core: the daily dyad for every
  person (single or in a couple) plus the weekly partner market and model revision, at
  n = 10^5 and 10^6 adults formed under low-risk caregiving (forming them is not timed).

Each size is timed `--repeats` times (once at 10^6) and the best run is reported, the usual
way to damp noise from other load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np

import iwm

FORMATION_TARGET = 20e6
ADULT_TARGET = 20e6


def best_of(repeats: int, run) -> float:
    times = []
    for r in range(repeats):
        start = time.perf_counter()
        run(r)
        times.append(time.perf_counter() - start)
    return min(times)


def formation(n: int, repeats: int) -> dict[str, float]:
    weeks = iwm.FormationParams().episodes
    best = best_of(repeats, lambda r: iwm.develop("low-risk", n=n, seed=r, workers=1))
    return {"n": n, "seconds_best": best, "child_weeks_per_second": n * weeks / best}


def adult(n: int, years: float, repeats: int) -> dict[str, float]:
    people = iwm.develop("low-risk", n=n, seed=1, workers=os.cpu_count() or 1).population
    days = round(years * 52) * 7
    best = best_of(repeats, lambda r: iwm.live(people, years=years, seed=r, workers=1))
    return {"n": n, "years": years, "seconds_best": best, "agent_days_per_second": n * days / best}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only n = 10^5")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sizes = [10**5] if args.quick else [10**5, 10**6]
    form = [formation(n, args.repeats if n <= 10**5 else 1) for n in sizes]
    life = [adult(n, 1.0, args.repeats if n <= 10**5 else 1) for n in sizes]
    info = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "processor": platform.processor() or "unknown",
        "formation": form,
        "adult_life": life,
        "target_child_weeks_per_second": FORMATION_TARGET,
        "target_agent_days_per_second": ADULT_TARGET,
    }
    if args.json:
        print(json.dumps(info, indent=2))
        return
    print(f"iwm {iwm.__version__} benchmarks (one core; Python {info['python']}, NumPy {info['numpy']})")
    print("formation, birth to 18:")
    for row in form:
        rate = row["child_weeks_per_second"]
        print(
            f"  n = {row['n']:>9,}: {row['seconds_best']:7.2f} s  ->  {rate / 1e6:5.1f} M child-weeks/s"
            f"  ({'meets' if rate >= FORMATION_TARGET else 'below'} the 20 M target)"
        )
    print("adult life (daily dyad, weekly market and revision):")
    for row in life:
        rate = row["agent_days_per_second"]
        print(
            f"  n = {row['n']:>9,}, {row['years']:g} y: {row['seconds_best']:7.2f} s"
            f"  ->  {rate / 1e6:5.1f} M agent-days/s"
            f"  ({'meets' if rate >= ADULT_TARGET else 'below'} the 20 M target)"
        )


if __name__ == "__main__":
    main()
