"""iwm benchmarks: run with `make bench` (or `python benchmarks/run.py [--quick]`).

Formation throughput in child-weeks per second on one core (workers=1), at n = 10^5 and
10^6 children, each formed from birth to 18 (936 weekly episodes). Each size is timed
`--repeats` times and the best run is reported, the usual way to damp noise from other load.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import numpy as np

import iwm


def formation(n: int, repeats: int) -> dict[str, float]:
    weeks = iwm.FormationParams().episodes
    times = []
    for r in range(repeats):
        start = time.perf_counter()
        iwm.develop("low-risk", n=n, seed=r, workers=1)
        times.append(time.perf_counter() - start)
    best = min(times)
    return {"n": n, "seconds_best": best, "child_weeks_per_second": n * weeks / best}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only n = 10^5")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sizes = [10**5] if args.quick else [10**5, 10**6]
    rows = [formation(n, args.repeats if n <= 10**5 else 1) for n in sizes]
    info = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "processor": platform.processor() or "unknown",
        "formation": rows,
        "target_child_weeks_per_second": 20e6,
    }
    if args.json:
        print(json.dumps(info, indent=2))
        return
    print(f"iwm {iwm.__version__} formation benchmark (one core; Python {info['python']}, NumPy {info['numpy']})")
    for row in rows:
        rate = row["child_weeks_per_second"]
        print(
            f"  n = {row['n']:>9,}: {row['seconds_best']:7.2f} s  ->  {rate / 1e6:5.1f} M child-weeks/s"
            f"  ({'meets' if rate >= 20e6 else 'below'} the 20 M target)"
        )


if __name__ == "__main__":
    main()
