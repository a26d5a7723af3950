"""Fitting the model to data by simulation-based inference (`iwm fit`; docs/fitting.md).

Neural posterior estimation (Papamakarios & Murray 2016; Radev et al. 2020, BayesFlow): draw
parameters from the prior (:mod:`iwm.study._fit_priors`), simulate a sample like the data for
each (through the study executors: a process pool, or Dask when given a scheduler), reduce every
sample to the documented summary statistics (:mod:`iwm.study._fit_summaries`), and train a
normalizing flow to map statistics to the posterior of the parameters. The trained estimator is
amortized: it is saved, and fitting a second sample of the same kind costs no new simulation.

Determinism: one root ``seed`` is split by identity (``SeedSequence(seed, spawn_key=...)``):
the prior draws, each simulation's seed (by its index), the network's initialisation and
training (``keras.utils.set_random_seed``) and the posterior draws each get their own stream, so
the executor and its number of workers change speed, never results.

Parameters are trained on an unbounded scale (the logit of their place in the prior) and the
statistics standardized by the training set's mean and SD, so posterior draws always lie inside
the prior's bounds.

BayesFlow, Keras and JAX are optional (``pip install 'iwm[fit]'``, ``make fit``): this module
imports without them and raises :class:`FitUnavailable` when a fit is asked for.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from iwm._errors import InputError, IwmError, ParameterError
from iwm._files import atomic_write, atomic_write_text
from iwm.study._fit_data import COUPLE_SUMMARIES, FitData
from iwm.study._fit_priors import Prior, PriorSet
from iwm.study._fit_summaries import summarize, summary_names

FIT_STREAM = 18
"""Spawn-key prefix of every random stream of a fit (apart from the studies' own streams)."""
STREAM_PRIOR, STREAM_SIMULATION, STREAM_MEASURE, STREAM_NETWORK, STREAM_POSTERIOR, STREAM_CHECK = range(6)
INSTALL_HINT = "install the fit extra: `make fit`, or pip install 'iwm[fit]'"
ESTIMATOR_FILE = "approximator.keras"
META_FILE = "estimator.json"
EPS = 1e-6

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``; stages ``simulate``, ``train``, ``check``."""


class FitUnavailable(IwmError, ImportError):
    """The `fit` extra (BayesFlow, Keras, JAX) is not installed."""

    def __init__(self, missing: str) -> None:
        super().__init__(f"fitting needs {missing}, which is not installed; {INSTALL_HINT}")


def require_fit() -> tuple[Any, Any]:
    """``(keras, bayesflow)`` on the JAX backend, or :class:`FitUnavailable`."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    _quiet_logs()
    try:
        import keras
    except ImportError:
        raise FitUnavailable("keras") from None
    try:
        import bayesflow
    except ImportError:
        raise FitUnavailable("bayesflow") from None
    _quiet()
    return keras, bayesflow


def _quiet_logs() -> None:
    """No information lines from the libraries (set before they load: they log while loading)."""
    import logging

    for name in ("bayesflow", "jax", "jax._src.xla_bridge"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _quiet() -> None:
    """No sampling bars from BayesFlow: iwm shows its own progress."""
    import functools

    samplers = sys.modules.get("bayesflow.approximators.helpers.samplers")
    bar = getattr(samplers, "tqdm", None)
    if bar is not None and not isinstance(bar, functools.partial):
        samplers.tqdm = functools.partial(bar, disable=True)  # type: ignore[union-attr]


@dataclass(frozen=True)
class Budget:
    """How much work a fit does: simulations, training and posterior draws."""

    simulations: int
    epochs: int
    batch_size: int
    posterior_samples: int
    predictive: int
    """Posterior draws simulated again for the posterior predictive check."""
    max_n: int
    """Most respondents per simulated sample (a larger data set is simulated at this size)."""
    depth: int = 4
    width: int = 64
    checks: int = 200
    """`iwm fit-check`: simulated data sets with known truth on which the estimator is judged."""

    def __post_init__(self) -> None:
        for name in (
            "simulations",
            "epochs",
            "batch_size",
            "posterior_samples",
            "predictive",
            "max_n",
            "depth",
            "checks",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ParameterError(f"budget.{name}", "a whole number >= 1", value)
        if self.simulations < 8:
            raise ParameterError("budget.simulations", "at least 8 (a validation share is held out)", self.simulations)


BUDGETS: dict[str, Budget] = {
    "tiny": Budget(
        simulations=48,
        epochs=2,
        batch_size=16,
        posterior_samples=64,
        predictive=4,
        max_n=200,
        depth=2,
        width=16,
        checks=12,
    ),
    "small": Budget(
        simulations=2000, epochs=40, batch_size=64, posterior_samples=1000, predictive=40, max_n=2000, checks=200
    ),
    "full": Budget(
        simulations=20000, epochs=100, batch_size=128, posterior_samples=2000, predictive=200, max_n=20000, checks=1000
    ),
}
"""``tiny`` is for tests and a first look; ``small`` for a quick fit; ``full`` for a study."""


def budget_of(budget: str | Budget) -> Budget:
    if isinstance(budget, Budget):
        return budget
    if budget not in BUDGETS:
        raise ParameterError("budget", f"one of {', '.join(BUDGETS)}", budget)
    return BUDGETS[budget]


@dataclass(frozen=True)
class Design:
    """What one simulated sample must look like to be comparable with the data."""

    n: int
    instrument: str | None
    infants: int = 0
    couples: tuple[str, ...] = ()

    @classmethod
    def of(cls, data: FitData, max_n: int) -> Design:
        return cls(
            n=min(data.n, max_n),
            instrument=data.instrument,
            infants=data.infant_total,
            couples=tuple(k for k in COUPLE_SUMMARIES if data.couples and k in data.couples),
        )

    def template(self) -> FitData:
        """A stand-in sample of this design (for the names of its statistics)."""
        z = np.zeros(2)
        return FitData(
            source="design",
            anxiety=z,
            avoidance=z,
            instrument=self.instrument,
            infants=dict.fromkeys("ABCD", 1) if self.infants else None,
            couples=dict.fromkeys(self.couples, 0.0) if self.couples else None,
        )

    def names(self) -> list[str]:
        return summary_names(self.template())


def stream(seed: int, *key: int) -> np.random.Generator:
    """The random stream of one identity of a fit."""
    return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(FIT_STREAM, *key)))


def seed_of(seed: int, *key: int) -> int:
    """A 63-bit seed split from ``seed`` by identity."""
    state = np.random.SeedSequence(entropy=seed, spawn_key=(FIT_STREAM, *key)).generate_state(1, np.uint64)
    return int(state[0]) & (2**63 - 1)


# ---------------------------------------------------------------- simulation


@dataclass(frozen=True)
class SimJob:
    """One simulated sample: a scenario mapping, its seed and the design (picklable)."""

    index: int
    scenario: dict[str, Any]
    seed: int
    design: Design


def simulate_sample(job: SimJob) -> tuple[int, np.ndarray]:
    """``(index, statistics)`` of one simulated sample (:func:`simulated_data`); a statistic
    that is undefined in a sample (no one partnered) is 0."""
    sample, _ = simulated_data(job)
    return job.index, np.nan_to_num(summarize(sample), nan=0.0, posinf=0.0, neginf=0.0)


def simulated_data(job: SimJob) -> tuple[FitData, pd.DataFrame | None]:
    """One simulated sample and, with an instrument, its raw item answers: formation (and the
    adult years of the scenario) through :func:`iwm.study._task.run_task`, the questionnaire
    answered through the design's instrument (:func:`iwm.measure._simulate.simulate_responses`,
    then scored as real answers are), infants classified as a multinomial draw of the design's
    count from the simulated class shares, couple summaries as the task reports them."""
    from iwm.study._scenario import TaskSpec, scenario_from_mapping
    from iwm.study._task import run_task

    data = dict(job.scenario)
    data["recorders"] = {"people": True, "pairings": False, "trajectories": None, "couples": []}
    sc = scenario_from_mapping(data, f"fit simulation {job.index}")
    tables = run_task(sc, TaskSpec(index=0, arm=0, replicate=0, seed=job.seed))
    people = tables["people"]
    summary = tables["summary"].to_pylist()[0]
    when = "end" if sc.adult is not None and sc.adult.years > 0 else "18"
    anx = np.asarray(people.column(f"anxiety_{when}").to_numpy(), dtype=np.float64)
    avo = np.asarray(people.column(f"avoidance_{when}").to_numpy(), dtype=np.float64)
    rng = np.random.default_rng(np.random.SeedSequence(entropy=job.seed, spawn_key=(FIT_STREAM, STREAM_MEASURE)))
    d = job.design
    answers = None
    if d.instrument is not None:
        answers, anx, avo = _answered(d.instrument, anx, avo, rng)
    infants = None
    if d.infants:
        shares = np.array([summary.get(f"infant_{k}") or 0.0 for k in "ABCD"], dtype=np.float64)
        shares = shares / shares.sum() if shares.sum() > 0 else np.full(4, 0.25)
        infants = dict(zip("ABCD", (int(c) for c in rng.multinomial(d.infants, shares)), strict=True))
    couples = None
    if d.couples:
        couples = {k: _finite(summary.get(k)) for k in d.couples}
    sample = FitData(
        source="simulated", anxiety=anx, avoidance=avo, instrument=d.instrument, infants=infants, couples=couples
    )
    return sample, answers


def _finite(value: Any) -> float:
    return float(value) if value is not None and math.isfinite(float(value)) else 0.0


def _answered(
    inst: str, anx: np.ndarray, avo: np.ndarray, rng: np.random.Generator
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    from iwm.measure._scoring import score, score_column
    from iwm.measure._simulate import simulate_responses

    lo, hi = 1.0, 7.0
    answers = simulate_responses(inst, np.clip(anx, lo, hi), np.clip(avo, lo, hi), rng)
    scored = score(inst, answers, source="simulated")
    return (
        answers,
        scored.scores[score_column(scored.instrument, "anxiety")].to_numpy(dtype=np.float64),
        scored.scores[score_column(scored.instrument, "avoidance")].to_numpy(dtype=np.float64),
    )


def simulate(
    priors: PriorSet,
    design: Design,
    theta: np.ndarray,
    seeds: Sequence[int],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
    stage: str = "simulate",
) -> np.ndarray:
    """Statistics of one simulated sample per row of ``theta`` (with ``seeds[i]``), run on the
    study executors; the result does not depend on the executor.

    Once JAX is loaded (it runs threads) a local pool starts its workers by ``spawn``, not by
    forking this process: a script that calls this with ``workers > 1`` then needs the usual
    ``if __name__ == "__main__":`` guard."""
    from iwm.study._executors import make_executor

    jobs = [
        SimJob(i, priors.scenario_at(row, design.n, 0), int(s), design)
        for i, (row, s) in enumerate(zip(theta, seeds, strict=True))
    ]
    out = np.zeros((len(jobs), len(design.names())))
    # JAX runs threads once loaded: forking this process then can deadlock a worker
    start_method = "spawn" if "jax" in sys.modules else None
    executor = make_executor(workers, scheduler, tasks=len(jobs), start_method=start_method)
    try:
        for done, (i, stats) in enumerate(executor.imap_unordered(simulate_sample, jobs), start=1):
            out[i] = stats
            if progress is not None:
                progress(stage, done, len(jobs))
    finally:
        executor.close()
    return out


def training_set(
    priors: PriorSet,
    design: Design,
    count: int,
    seed: int,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
    key: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` prior draws and their simulated statistics; stream ``key`` tells independent
    sets (training, a check's held-out truths) apart."""
    theta = priors.draw(stream(seed, STREAM_PRIOR, key), count)
    seeds = [seed_of(seed, STREAM_SIMULATION, key, i) for i in range(count)]
    x = simulate(priors, design, theta, seeds, workers=workers, scheduler=scheduler, progress=progress)
    return theta, x


# ---------------------------------------------------------------- the estimator


def _to_free(priors: Sequence[Prior], theta: np.ndarray) -> np.ndarray:
    u = np.column_stack([p.to_unit(theta[:, j]) for j, p in enumerate(priors)])
    u = np.clip(u, EPS, 1 - EPS)
    return np.log(u) - np.log1p(-u)


def _from_free(priors: Sequence[Prior], z: np.ndarray) -> np.ndarray:
    u = 1.0 / (1.0 + np.exp(-z))
    return np.stack([p.sample(u[..., j]) for j, p in enumerate(priors)], axis=-1)


@dataclass
class Estimator:
    """A trained neural posterior estimator for one kind of sample (its design) and prior."""

    priors: PriorSet
    design: Design
    names: list[str]
    x_mean: np.ndarray
    x_sd: np.ndarray
    approximator: Any
    info: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def train(
        cls,
        priors: PriorSet,
        design: Design,
        theta: np.ndarray,
        x: np.ndarray,
        budget: Budget,
        seed: int,
        progress: Progress | None = None,
    ) -> Estimator:
        """Train on ``(theta, x)``; a tenth (at least one draw) is held out for validation."""
        keras, bf = require_fit()
        keras.utils.set_random_seed(seed_of(seed, STREAM_NETWORK) % 2**32)
        mean, sd = x.mean(axis=0), x.std(axis=0)
        sd = np.where(sd > 1e-12, sd, 1.0)
        z = _to_free(priors.priors, theta).astype("float32")
        xs = ((x - mean) / sd).astype("float32")
        hold = max(1, len(z) // 10)
        network = bf.networks.CouplingFlow(depth=budget.depth, subnet_kwargs={"widths": (budget.width, budget.width)})
        workflow = bf.BasicWorkflow(
            inference_network=network,
            inference_variables=["theta"],
            inference_conditions=["x"],
            standardize=None,
        )
        callbacks = [_EpochProgress(keras, progress, budget.epochs)] if progress is not None else []
        start = time.perf_counter()
        history = workflow.fit_offline(
            {"theta": z[hold:], "x": xs[hold:]},
            epochs=budget.epochs,
            batch_size=min(budget.batch_size, len(z) - hold),
            validation_data={"theta": z[:hold], "x": xs[:hold]},
            verbose=0,
            callbacks=callbacks,
        )
        losses = {k: [float(v) for v in vals] for k, vals in history.history.items()}
        info = {"train_seconds": round(time.perf_counter() - start, 2), "loss": losses, "simulations": len(z)}
        return cls(priors, design, design.names(), mean, sd, workflow.approximator, info)

    def sample(self, x: np.ndarray, num_samples: int, seed: int) -> np.ndarray:
        """Posterior draws for each row of statistics ``x``: shape (rows, num_samples, parameters)."""
        require_fit()
        x = np.atleast_2d(np.asarray(x, dtype=np.float64))
        xs = ((x - self.x_mean) / self.x_sd).astype("float32")
        draws = self.approximator.sample(conditions={"x": xs}, num_samples=num_samples, seed=seed % 2**32)
        z = np.asarray(draws["theta"], dtype=np.float64)
        return _from_free(self.priors.priors, z)

    def save(self, folder: str | os.PathLike[str]) -> Path:
        """Write the estimator into ``folder`` (created): the network and its metadata."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        tmp = out / f".{ESTIMATOR_FILE}.tmp.keras"
        self.approximator.save(tmp)
        os.replace(tmp, out / ESTIMATOR_FILE)
        meta = {
            "priors": self.priors.describe(),
            "scenario": dict(self.priors.scenario),
            "design": asdict(self.design),
            "statistics": self.names,
            "x_mean": self.x_mean.tolist(),
            "x_sd": self.x_sd.tolist(),
            "info": self.info,
        }
        atomic_write_text(out / META_FILE, json.dumps(meta, indent=1))
        return out

    @classmethod
    def load(cls, folder: str | os.PathLike[str]) -> Estimator:
        """An estimator saved by :meth:`save`."""
        keras, _ = require_fit()
        where = Path(folder)
        meta_path, model_path = where / META_FILE, where / ESTIMATOR_FILE
        for p in (meta_path, model_path):
            if not p.is_file():
                raise InputError(str(p), "missing: not a folder written by `iwm fit` (estimator/)")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            priors = PriorSet(
                tuple(Prior(p["name"], p["low"], p["high"], p["log"], p.get("why", "")) for p in meta["priors"]),
                meta["scenario"],
                str(meta_path),
            )
            d = meta["design"]
            design = Design(int(d["n"]), d["instrument"], int(d["infants"]), tuple(d["couples"]))
            approximator = keras.saving.load_model(model_path)
        except (KeyError, TypeError, ValueError, json.JSONDecodeError) as exc:
            raise InputError(str(where), f"not a readable estimator ({type(exc).__name__}: {exc})") from None
        return cls(
            priors,
            design,
            list(meta["statistics"]),
            np.asarray(meta["x_mean"]),
            np.asarray(meta["x_sd"]),
            approximator,
            meta.get("info", {}),
        )

    def check_data(self, data: FitData) -> list[str]:
        """Refuse data of another kind than the estimator was trained on; notes on the size."""
        names = summary_names(data)
        if names != self.names:
            differ = ", ".join(sorted(set(names) ^ set(self.names)))
            raise InputError(
                data.source,
                f"has other statistics than the estimator was trained on ({differ}); "
                "train a new one (omit --estimator)",
            )
        if data.instrument != self.design.instrument:
            raise InputError(
                data.source,
                f"was measured with {data.instrument}, the estimator with {self.design.instrument}; train a new one",
            )
        notes = []
        if data.n != self.design.n:
            notes.append(
                f"the estimator was trained on samples of {self.design.n} respondents, this one has {data.n}: "
                "the posterior's width assumes the trained size"
            )
        return notes


class _EpochProgress:
    """A Keras callback reporting finished epochs to ``progress``."""

    def __new__(cls, keras: Any, progress: Progress, epochs: int) -> Any:
        class Callback(keras.callbacks.Callback):
            def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
                progress("train", epoch + 1, epochs)

        return Callback()


# ---------------------------------------------------------------- a fit


@dataclass
class FitResult:
    """A fitted sample: posterior draws, their summary, the predictive check, the estimator."""

    posterior: pd.DataFrame
    summary: pd.DataFrame
    predictive: pd.DataFrame
    estimator: Estimator
    info: dict[str, Any]


def fit(
    data: FitData,
    priors: PriorSet | None = None,
    *,
    budget: str | Budget = "small",
    seed: int = 0,
    workers: int | None = None,
    scheduler: str | None = None,
    estimator: Estimator | None = None,
    progress: Progress | None = None,
) -> FitResult:
    """Fit ``data``: train an estimator (or reuse ``estimator``: no new training simulations),
    draw the posterior, and simulate posterior draws again for the predictive check."""
    b = budget_of(budget)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ParameterError("seed", "a whole number >= 0", seed)
    notes = list(data.notes)
    start = time.perf_counter()
    simulate_seconds = 0.0
    if estimator is None:
        require_fit()
        priors = priors or PriorSet()
        design = Design.of(data, b.max_n)
        if data.n > b.max_n:
            notes.append(f"the data's {data.n} respondents are simulated as samples of {b.max_n} (budget max_n)")
        theta, x = training_set(
            priors, design, b.simulations, seed, workers=workers, scheduler=scheduler, progress=progress
        )
        simulate_seconds = time.perf_counter() - start
        estimator = Estimator.train(priors, design, theta, x, b, seed, progress)
    else:
        notes += estimator.check_data(data)
    priors = estimator.priors
    observed = summarize(data)
    draws = estimator.sample(observed, b.posterior_samples, seed_of(seed, STREAM_POSTERIOR))[0]
    posterior = pd.DataFrame(draws, columns=priors.names)
    summary = posterior_summary(posterior, priors)
    predictive = predictive_check(estimator, draws, observed, seed, b, workers, scheduler, progress)
    info = {
        "data": data.describe(),
        "budget": asdict(b),
        "seed": seed,
        "notes": notes,
        "estimator": estimator.info,
        "simulate_seconds": round(simulate_seconds, 2),
        "seconds": round(time.perf_counter() - start, 2),
    }
    return FitResult(posterior, summary, predictive, estimator, info)


def posterior_summary(posterior: pd.DataFrame, priors: PriorSet) -> pd.DataFrame:
    """Per parameter: posterior mean, SD, 5/50/95% quantiles, the prior's range and the
    contraction 1 - posterior variance / prior variance (Schad et al. 2021)."""
    rows = []
    for p in priors.priors:
        x = posterior[p.name].to_numpy()
        prior_var = _prior_variance(p)
        rows.append(
            {
                "parameter": p.name,
                "mean": float(x.mean()),
                "sd": float(x.std(ddof=1)) if x.size > 1 else 0.0,
                "q05": float(np.quantile(x, 0.05)),
                "median": float(np.median(x)),
                "q95": float(np.quantile(x, 0.95)),
                "prior_low": p.low,
                "prior_high": p.high,
                "contraction": float(1 - x.var() / prior_var),
            }
        )
    return pd.DataFrame(rows)


def _prior_variance(p: Prior) -> float:
    if not p.log:
        return (p.high - p.low) ** 2 / 12
    u = np.linspace(0, 1, 10001)
    return float(np.var(p.sample(u)))


def predictive_check(
    estimator: Estimator,
    draws: np.ndarray,
    observed: np.ndarray,
    seed: int,
    budget: Budget,
    workers: int | None,
    scheduler: str | None,
    progress: Progress | None,
) -> pd.DataFrame:
    """Simulate ``budget.predictive`` posterior draws again; per statistic the observed value,
    the predictive mean and 5-95% interval, and whether the observed value lies inside."""
    k = min(budget.predictive, len(draws))
    pick = stream(seed, STREAM_CHECK, 0).choice(len(draws), size=k, replace=False)
    seeds = [seed_of(seed, STREAM_CHECK, 1, i) for i in range(k)]
    sims = simulate(
        estimator.priors,
        estimator.design,
        draws[pick],
        seeds,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
        stage="predict",
    )
    lo, hi = np.quantile(sims, 0.05, axis=0), np.quantile(sims, 0.95, axis=0)
    return pd.DataFrame(
        {
            "statistic": estimator.names,
            "observed": observed,
            "predicted_mean": sims.mean(axis=0),
            "predicted_q05": lo,
            "predicted_q95": hi,
            "inside": (observed >= lo) & (observed <= hi),
        }
    )


# ---------------------------------------------------------------- writing a fit


def write_fit(result: FitResult, out: str | os.PathLike[str], *, save_estimator: bool = True) -> dict[str, Path]:
    """Write a fit into ``out``: ``posterior.parquet`` (draws), ``posterior_summary.csv``,
    ``predictive.csv``, ``pairs.png``, ``predictive.png``, ``fit.json``, ``report.md`` and the
    estimator (``estimator/``). Every file is written atomically."""
    from iwm.measure._io import write_table

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {
        "posterior": folder / "posterior.parquet",
        "summary": folder / "posterior_summary.csv",
        "predictive": folder / "predictive.csv",
        "pairs": folder / "pairs.png",
        "predictive_plot": folder / "predictive.png",
        "info": folder / "fit.json",
        "report": folder / "report.md",
    }
    write_table(result.posterior, paths["posterior"])
    write_table(result.summary, paths["summary"])
    write_table(result.predictive, paths["predictive"])
    _save_figure(pair_plot(result.posterior, result.estimator.priors), paths["pairs"])
    _save_figure(predictive_plot(result.predictive), paths["predictive_plot"])
    atomic_write_text(paths["info"], json.dumps(_jsonable(result.info), indent=1))
    atomic_write_text(paths["report"], report_section(result))
    if save_estimator:
        paths["estimator"] = result.estimator.save(folder / "estimator")
    return paths


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _save_figure(fig: Any, path: Path) -> None:
    import matplotlib.pyplot as plt

    try:
        atomic_write(path, lambda handle: fig.savefig(handle, format="png", dpi=110, bbox_inches="tight"))
    finally:
        plt.close(fig)


def pair_plot(posterior: pd.DataFrame, priors: PriorSet) -> Any:
    """Histograms of each parameter on the diagonal, pairwise scatter below, on the prior's range."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    k = len(priors.priors)
    fig, axes = plt.subplots(k, k, figsize=(2.2 * k + 1, 2.2 * k + 1), squeeze=False)
    for i, pi in enumerate(priors.priors):
        for j, pj in enumerate(priors.priors):
            ax = axes[i][j]
            if j > i:
                ax.axis("off")
                continue
            if i == j:
                ax.hist(posterior[pi.name], bins=30, range=(pi.low, pi.high), color="#4c72b0")
                ax.set_yticks([])
            else:
                ax.scatter(posterior[pj.name], posterior[pi.name], s=3, alpha=0.3, color="#4c72b0")
                ax.set_xlim(pj.low, pj.high)
                ax.set_ylim(pi.low, pi.high)
            if i == k - 1:
                ax.set_xlabel(_short(pj.name), fontsize=8)
            if j == 0 and i != j:
                ax.set_ylabel(_short(pi.name), fontsize=8)
            ax.tick_params(labelsize=7)
    fig.suptitle("Posterior (axes span the prior)")
    fig.tight_layout()
    return fig


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1] if not name.startswith("caregiving.") else name


def predictive_plot(predictive: pd.DataFrame) -> Any:
    """Observed statistics against the posterior predictive 5-95% interval."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    n = len(predictive)
    fig, ax = plt.subplots(figsize=(7, 0.28 * n + 1.2))
    y = np.arange(n)
    width = (predictive["predicted_q95"] - predictive["predicted_q05"]).to_numpy(dtype=float)
    scale = np.maximum(width, 1e-9)
    mid = predictive["predicted_mean"].to_numpy()
    ax.hlines(
        y,
        (predictive["predicted_q05"] - mid) / scale,
        (predictive["predicted_q95"] - mid) / scale,
        color="#999999",
        lw=3,
        label="predictive 5-95%",
    )
    ax.plot((predictive["observed"] - mid) / scale, y, "o", color="#c44e52", label="observed")
    ax.set_yticks(y, predictive["statistic"], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("distance from the predictive mean, in widths of the 5-95% interval")
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title("Posterior predictive check")
    fig.tight_layout()
    return fig


def report_section(result: FitResult) -> str:
    """The fit as a Markdown section: data, budget, posterior table, predictive check, notes."""
    info, s = result.info, result.summary
    lines = [
        "## Fit to data",
        "",
        f"Data: {info['data']['source']} ({info['data']['n']} respondents, measured as {info['data']['instrument']}).",
        f"Budget: {info['budget']['simulations']} simulations, {info['budget']['epochs']} epochs; seed {info['seed']}.",
        "",
        "| parameter | mean | sd | 5% | median | 95% | prior | contraction |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in s.itertuples(index=False):
        lines.append(
            f"| `{r.parameter}` | {r.mean:.3g} | {r.sd:.2g} | {r.q05:.3g} | {r.median:.3g} | {r.q95:.3g} "
            f"| [{r.prior_low:g}, {r.prior_high:g}] | {r.contraction:.2f} |"
        )
    inside = int(result.predictive["inside"].sum())
    lines += [
        "",
        f"Posterior predictive check: {inside} of {len(result.predictive)} statistics inside the 5-95% interval "
        "of samples simulated from posterior draws (predictive.png).",
        "",
        "The posterior is conditional on the model: a theory, not ground truth. A parameter whose "
        "contraction is near 0 is not informed by these data.",
    ]
    lines += [f"- {note}" for note in info["notes"]]
    return "\n".join(lines) + "\n"
