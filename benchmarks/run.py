"""iwm benchmarks: run with `make bench` (or `python benchmarks/run.py [--quick] [--json]`).

Everything is measured in one run, on this machine, and every ratio is taken between two timings
of that run (the VM's speed moves between sessions):

* **fused vs NumPy**: formation (child-weeks per second, birth to 18) and the adult year
  (agent-days per second: the daily dyad for every person plus the weekly market and model
  revision) on one core (``workers=1``), each timed with ``backend="numpy"`` (the reference
  implementation) and ``backend="numba"`` (the fused kernels) on the same people and seed;
* **Mesa**: the same adult dyad rules written as one Mesa agent per person
  (``benchmarks/mesa_dyad.py``), 10^4 people in fixed couples, against iwm's default backend;
* **a million lives** (not with ``--quick``): 10^6 people formed and then living 30 adult years
  on all cores, wall time and the peak memory of the whole process tree (sampled from /proc);
* **scaling**: five adult years of 10^5 people with 1 and with 2 worker processes, and an
  8-task sweep;
* **fitting**: simulations per hour of the fitting study's simulator (the default priors at
  the ``small`` budget's sample size, 2,000 respondents) on all cores.

``--json`` prints one JSON object with, among the rest, ``fused_vs_numpy: {"formation": r,
"adult": r}`` and ``mesa: {"ratio": r, ...}``, and the times behind them, plus the machine and
the commit. Each size is timed ``--repeats`` times and the best run is reported.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

import iwm

HERE = Path(__file__).resolve().parent
BACKENDS = ("numpy", "numba")
GOALS = {"formation": 5.0, "adult": 3.0, "mesa": 1000.0, "million_seconds": 240.0, "million_gib": 4.0}


def best_of(repeats: int, run) -> float:
    times = []
    for r in range(repeats):
        start = time.perf_counter()
        run(r)
        times.append(time.perf_counter() - start)
    return min(times)


def formation(n: int, repeats: int, backend: str) -> dict[str, Any]:
    weeks = iwm.FormationParams().episodes
    iwm.develop("low-risk", n=64, seed=0, backend=backend)  # compile outside the timing
    best = best_of(repeats, lambda r: iwm.develop("low-risk", n=n, seed=r, workers=1, backend=backend))
    return {"n": n, "backend": backend, "seconds_best": best, "child_weeks_per_second": n * weeks / best}


def adult(people: iwm.Population, years: float, repeats: int, backend: str) -> dict[str, Any]:
    days = round(years * 52) * 7
    iwm.live(people.take(slice(0, 64)), years=1 / 52, seed=0, backend=backend)  # compile
    best = best_of(repeats, lambda r: iwm.live(people, years=years, seed=r, workers=1, backend=backend))
    return {
        "n": people.n,
        "years": years,
        "backend": backend,
        "seconds_best": best,
        "agent_days_per_second": people.n * days / best,
    }


def mesa_ratio(n: int) -> dict[str, Any] | None:
    sys.path.insert(0, str(HERE))
    start_method = multiprocessing.get_start_method(allow_none=True)
    try:
        from mesa_dyad import compare
    except ImportError:  # mesa is in the `bench` extra
        return None
    finally:
        # importing Mesa 3 sets the whole process's start method to "spawn" (mesa.batchrunner),
        # which would make every later worker start a fresh interpreter and load iwm again:
        # the scaling runs below would time that instead of iwm
        multiprocessing.set_start_method(start_method, force=True)
    result = compare(n=n)
    return {k: v for k, v in result.items() if not k.endswith("_summary")}


class PeakMemory:
    """Peak resident memory of this process and all its descendants, sampled from /proc
    (Linux) every ``interval`` seconds in a background thread."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @staticmethod
    def _tree_rss(root: int) -> int:
        parents: dict[int, int] = {}
        rss: dict[int, int] = {}
        page = os.sysconf("SC_PAGE_SIZE")
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
                fields = stat[stat.rindex(")") + 2 :].split()
                parents[int(entry.name)] = int(fields[1])
                rss[int(entry.name)] = int(fields[21]) * page
            except (OSError, ValueError, IndexError):
                continue
        total, todo = 0, [root]
        while todo:
            pid = todo.pop()
            total += rss.get(pid, 0)
            todo.extend(child for child, parent in parents.items() if parent == pid)
        return total

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._tree_rss(os.getpid()))
            self._stop.wait(self.interval)


def million(n: int, years: float, workers: int) -> dict[str, Any]:
    """Form ``n`` people and let them live ``years`` adult years on ``workers`` processes;
    wall time of each part and the peak memory of the process tree."""
    with PeakMemory() as memory:
        start = time.perf_counter()
        formed = iwm.develop("low-risk", n=n, seed=11, workers=workers).population
        formed_s = time.perf_counter() - start
        start = time.perf_counter()
        record = iwm.live(formed, years=years, seed=11, workers=workers)
        live_s = time.perf_counter() - start
    days = round(years * 52) * 7
    return {
        "n": n,
        "years": years,
        "workers": workers,
        "formation_seconds": formed_s,
        "adult_seconds": live_s,
        "seconds": formed_s + live_s,
        "adult_agent_days_per_second": n * days / live_s,
        "partnered_at_end": float((record.partner >= 0).mean()),
        "peak_memory_gib": memory.peak / 2**30,
    }


def adult_scaling(people: iwm.Population, years: float) -> dict[str, Any]:
    """Adult life with 1 and with 2 worker processes (4 tasks); the 2-worker time includes
    starting the pool (each worker imports iwm and loads the compiled kernels, about a
    second), so the run is long enough for that to matter little."""
    seconds = {}
    for workers in (1, 2):
        start = time.perf_counter()
        iwm.live(people, years=years, seed=5, workers=workers, chunk_size=people.n // 4)
        seconds[workers] = time.perf_counter() - start
    return {
        "n": people.n,
        "years": years,
        "seconds_1_worker": seconds[1],
        "seconds_2_workers": seconds[2],
        "speedup": seconds[1] / seconds[2],
    }


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


def sweep_scaling() -> dict[str, Any]:
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


def fitting_rate(simulations: int, workers: int) -> dict[str, Any]:
    """Simulations per hour of the fitting study's simulator (:func:`iwm.study._fit.simulate`)
    at the default priors and the ``small`` budget's sample size."""
    from iwm.study._fit import BUDGETS, Design, simulate
    from iwm.study._fit_priors import PriorSet

    priors = PriorSet()
    design = Design(n=BUDGETS["small"].max_n, instrument="ecr-r")
    theta = priors.draw(np.random.default_rng(0), simulations)
    start = time.perf_counter()
    simulate(priors, design, theta, list(range(simulations)), workers=workers)
    seconds = time.perf_counter() - start
    return {
        "simulations": simulations,
        "respondents": design.n,
        "workers": workers,
        "seconds": seconds,
        "simulations_per_hour": simulations * 3600 / seconds,
    }


def commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import numba

        numba_version = numba.__version__
    except ImportError:
        numba_version = None
    return {
        "processor": model,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba_version,
        "iwm": iwm.__version__,
        "commit": commit(),
    }


def run(quick: bool, repeats: int, n: int = 10**5, mesa_n: int = 10**4) -> dict[str, Any]:
    form = {b: formation(n, repeats, b) for b in BACKENDS}
    people = iwm.develop("low-risk", n=n, seed=1, workers=os.cpu_count() or 1).population
    life = {b: adult(people, 1.0, repeats, b) for b in BACKENDS}
    info: dict[str, Any] = {
        "machine": machine(),
        "fused_vs_numpy": {
            "formation": form["numba"]["child_weeks_per_second"] / form["numpy"]["child_weeks_per_second"],
            "adult": life["numba"]["agent_days_per_second"] / life["numpy"]["agent_days_per_second"],
        },
        "formation": form,
        "adult_life": life,
        "mesa": mesa_ratio(mesa_n),
        "goals": GOALS,
    }
    if not quick:
        info["million"] = million(10**6, 30.0, os.cpu_count() or 1)
        info["adult_scaling"] = adult_scaling(people, 5.0)
        info["sweep_scaling"] = sweep_scaling()
        info["fitting"] = fitting_rate(16, os.cpu_count() or 1)
    return info


def show(info: dict[str, Any]) -> None:
    m = info["machine"]
    print(
        f"iwm {m['iwm']} benchmarks, commit {m['commit']}: {m['processor']}, {m['cpus']} CPUs, "
        f"Python {m['python']}, NumPy {m['numpy']}, numba {m['numba']}"
    )
    ratio = info["fused_vs_numpy"]
    print("one core, backend numpy (reference) and numba (fused):")
    for b, row in info["formation"].items():
        rate = row["child_weeks_per_second"]
        print(
            f"  formation  {b:>5}: n = {row['n']:,}, {row['seconds_best']:7.2f} s -> {rate / 1e6:6.1f} M child-weeks/s"
        )
    print(f"  formation fused / NumPy: {ratio['formation']:.2f}x (goal {GOALS['formation']:g}x)")
    for b, row in info["adult_life"].items():
        rate = row["agent_days_per_second"]
        print(
            f"  adult year {b:>5}: n = {row['n']:,}, {row['seconds_best']:7.2f} s -> {rate / 1e6:6.1f} M agent-days/s"
        )
    print(f"  adult fused / NumPy: {ratio['adult']:.2f}x (goal {GOALS['adult']:g}x)")
    mesa = info["mesa"]
    if mesa is None:
        print("iwm / Mesa: skipped (pip install 'iwm[bench]', or `make bench`, installs Mesa)")
    else:
        print(
            f"against Mesa ({mesa['n']:,} people in fixed couples, {mesa['days']} days):"
            f" iwm {mesa['iwm_seconds']:.3f} s,"
            f" Mesa {mesa['mesa_seconds']:.1f} s -> {mesa['ratio']:.0f}x (goal {GOALS['mesa']:g}x)"
        )
    if "million" in info:
        mil = info["million"]
        print(
            f"10^6 people x {mil['years']:g} adult years on {mil['workers']} workers: formation"
            f" {mil['formation_seconds']:.0f} s + adult {mil['adult_seconds']:.0f} s = {mil['seconds']:.0f} s"
            f" (goal < {GOALS['million_seconds']:g} s), peak memory {mil['peak_memory_gib']:.2f} GiB"
            f" (goal < {GOALS['million_gib']:g})"
        )
        sc = info["adult_scaling"]
        print(
            f"adult year, {sc['n']:,} people: 1 worker {sc['seconds_1_worker']:.2f} s, 2 workers"
            f" {sc['seconds_2_workers']:.2f} s -> speedup {sc['speedup']:.2f}x"
        )
        sw = info["sweep_scaling"]
        print(
            f"sweep of {sw['tasks']} tasks: 1 worker {sw['seconds_1_worker']:.1f} s, 2 workers"
            f" {sw['seconds_2_workers']:.1f} s -> speedup {sw['speedup']:.2f}x"
        )
        fit = info["fitting"]
        print(
            f"fitting study: {fit['simulations_per_hour']:,.0f} simulations/hour ({fit['respondents']:,} respondents"
            f" each, {fit['workers']} workers)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="only the one-core ratios and Mesa (about a minute)")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--n", type=int, default=10**5, help="people in the one-core timings (default 10^5)")
    parser.add_argument("--mesa-n", type=int, default=10**4, help="people in the Mesa comparison (default 10^4)")
    args = parser.parse_args()
    info = run(args.quick, args.repeats, args.n, args.mesa_n)
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        show(info)


if __name__ == "__main__":
    main()
