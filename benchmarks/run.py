"""iwm benchmarks: run with `make bench` (or `python benchmarks/run.py [--quick]`).

* Formation throughput in child-weeks per second on one core (workers=1), at n = 10^5 and
  10^6 children, each formed from birth to 18 (936 weekly episodes).
* Adult life throughput in agent-days per second on one core: the daily dyad for every
  person (single or in a couple) plus the weekly partner market and model revision, at
  n = 10^5 and 10^6 adults formed under low-risk caregiving (forming them is not timed).
* iwm against a Mesa reference of the same adult dyad rules (``benchmarks/mesa_dyad.py``,
  one agent object per person): 10^4 people in fixed couples, both timed in this run; the
  ratio is Mesa's seconds over iwm's (target: at least 100).
* Sweep scaling: the same 8-task sweep with 1 and with 2 local worker processes.

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


def mesa_ratio(n: int) -> dict[str, float] | None:
    try:
        from mesa_dyad import compare
    except ImportError:  # mesa is in the `bench` extra
        return None
    result = compare(n=n)
    return {k: v for k, v in result.items() if not k.endswith("_summary")}


SWEEP = {
    "name": "bench-sweep",
    "scenario": {
        "seed": 3,
        "population": {"n": 20_000},
        "adult": {"years": 2},
        "recorders": {"people": False, "trajectories": None},
    },
    "design": {"method": "grid"},
    "parameters": {
        "adult.params.protest": {"values": [0.0, 0.5, 1.0, 1.5]},
        "adult.params.cooling": {"values": [0.1, 0.3]},
    },
}


def sweep_scaling() -> dict[str, float]:
    import tempfile

    seconds = {}
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            start = time.perf_counter()
            iwm.run_sweep(SWEEP, f"{tmp}/w{workers}", workers=workers)
            seconds[workers] = time.perf_counter() - start
    return {
        "tasks": 8,
        "seconds_1_worker": seconds[1],
        "seconds_2_workers": seconds[2],
        "speedup": seconds[1] / seconds[2],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only n = 10^5")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sizes = [10**5] if args.quick else [10**5, 10**6]
    form = [formation(n, args.repeats if n <= 10**5 else 1) for n in sizes]
    life = [adult(n, 1.0, args.repeats if n <= 10**5 else 1) for n in sizes]
    mesa = mesa_ratio(10**4)
    scaling = sweep_scaling()
    info = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "processor": platform.processor() or "unknown",
        "formation": form,
        "adult_life": life,
        "mesa": mesa,
        "sweep_scaling": scaling,
        "cpus": os.cpu_count(),
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

    if mesa is None:
        print("iwm / Mesa: skipped (pip install 'iwm[bench]', or `make bench`, installs Mesa)")
    else:
        print(f"adult dyad against the Mesa reference ({mesa['n']:,} people in fixed couples, {mesa['days']} days):")
        print(
            f"  iwm : {mesa['iwm_seconds']:7.3f} s  ->  {mesa['iwm_agent_days_per_second'] / 1e6:6.2f} M agent-days/s"
        )
        print(
            f"  Mesa: {mesa['mesa_seconds']:7.3f} s  ->  {mesa['mesa_agent_days_per_second'] / 1e6:6.3f} M agent-days/s"
        )
        print(f"  iwm is {mesa['ratio']:.0f}x faster ({'meets' if mesa['ratio'] >= 100 else 'below'} the 100x target)")
    print(f"sweep scaling ({scaling['tasks']} tasks, {info['cpus']} CPUs):")
    print(
        f"  1 worker {scaling['seconds_1_worker']:6.2f} s, 2 workers {scaling['seconds_2_workers']:6.2f} s"
        f"  ->  speedup {scaling['speedup']:.2f}x"
    )


if __name__ == "__main__":
    main()
