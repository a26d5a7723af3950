"""`iwm fit-check`: does the fit recover known truth, is it calibrated, what can the data pin down?

Data sets are simulated from prior draws with known parameters ("truths"; Talts et al. 2018).
One training set is simulated with every statistic (questionnaire, infants, and couples when the
priors' scenario has adult years); for each kind of data an estimator is trained on that kind's
statistics alone, and judged on the truths:

- **SBC** (simulation-based calibration, Talts et al. 2018): the rank of each truth among its
  posterior draws is uniform when the posterior is calibrated; ``sbc_p`` is the p-value of a
  chi-square test of uniformity over :data:`SBC_BINS` bins of the normalised rank.
- **coverage_90**: the share of truths inside their central 90% posterior interval (.90 when
  calibrated).
- **recovery_r**: the correlation of the truths with their posterior means.
- **contraction**: 1 - mean posterior variance / prior variance (Schad, Betancourt & Vasishth
  2021): 0 when the data teach nothing, 1 when they pin the parameter down.

**Identifiability rule** (documented in docs/fitting.md): a parameter is *recovered* from a
kind of data when ``recovery_r >= RECOVERY_MIN`` (.8) and ``contraction >= CONTRACTION_MIN``
(.5), and *identifiable* when it is recovered and its posterior is also calibrated
(``sbc_p >= .01``, coverage_90 in [.80, 1.00]): the check calls a parameter identified only
when it can vouch for the posterior it gives. A recovered parameter whose posterior is not
calibrated at the budget used is reported as such (``recovered`` true, ``calibrated`` false),
not hidden: a larger budget may calibrate it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from iwm._errors import ParameterError
from iwm.study._fit import (
    STREAM_POSTERIOR,
    Budget,
    Design,
    Estimator,
    Progress,
    _prior_variance,
    budget_of,
    require_fit,
    seed_of,
    training_set,
)
from iwm.study._fit_data import COUPLE_SUMMARIES, INSTRUMENTS
from iwm.study._fit_priors import Prior, PriorSet

RECOVERY_MIN = 0.8
CONTRACTION_MIN = 0.5
SBC_P_MIN = 0.01
COVERAGE_RANGE = (0.80, 1.00)
SBC_BINS = 10
KINDS = ("questionnaire", "questionnaire+infants", "questionnaire+infants+couples")


@dataclass
class CheckResult:
    """Per data kind and parameter: the calibration and recovery statistics, and the truths."""

    table: pd.DataFrame
    info: dict[str, Any]

    def parameters(self) -> list[dict[str, Any]]:
        """The richest kind of data checked, one object per parameter (the JSON's ``parameters``),
        with each kind's verdict under ``by_data``."""
        richest = self.table["data"].iloc[-1]
        out = []
        for row in self.table[self.table["data"] == richest].itertuples(index=False):
            by = self.table[self.table["parameter"] == row.parameter]
            out.append(
                {
                    "name": row.parameter,
                    "identifiable": bool(row.identifiable),
                    "recovered": bool(row.recovered),
                    "recovery_r": _num(row.recovery_r),
                    "sbc_p": _num(row.sbc_p),
                    "coverage_90": _num(row.coverage_90),
                    "contraction": _num(row.contraction),
                    "calibrated": bool(row.calibrated),
                    "data": richest,
                    "by_data": {r.data: bool(r.identifiable) for r in by.itertuples(index=False)},
                }
            )
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "parameters": self.parameters(),
            "rule": {
                "recovered": f"recovery_r >= {RECOVERY_MIN} and contraction >= {CONTRACTION_MIN}",
                "calibrated": f"sbc_p >= {SBC_P_MIN} and coverage_90 in [{COVERAGE_RANGE[0]}, {COVERAGE_RANGE[1]}]",
                "identifiable": "recovered and calibrated",
            },
            "table": [
                {k: (_num(v) if isinstance(v, float) else v) for k, v in r.items()}
                for r in self.table.to_dict("records")
            ],
            **self.info,
        }


def _num(value: Any) -> float | None:
    v = float(value)
    return None if not np.isfinite(v) else round(v, 4)


def fit_check(
    priors: PriorSet | None = None,
    *,
    budget: str | Budget = "small",
    seed: int = 0,
    n: int = 1000,
    instrument: str | None = "ecr-r",
    infants: int = 100,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> CheckResult:
    """The recovery and calibration study (see the module docstring) for samples of ``n``
    respondents measured with ``instrument`` and ``infants`` classified infants."""
    require_fit()
    b = budget_of(budget)
    priors = priors or PriorSet()
    if not isinstance(n, int) or isinstance(n, bool) or not 2 <= n <= b.max_n:
        raise ParameterError("n", f"a whole number in [2, {b.max_n}] (the budget's max_n)", n)
    if instrument is not None and instrument not in INSTRUMENTS:
        raise ParameterError("instrument", f"one of {', '.join(INSTRUMENTS)} or None", instrument)
    if not isinstance(infants, int) or isinstance(infants, bool) or infants < 1:
        raise ParameterError("infants", "a whole number >= 1", infants)
    couples = tuple(COUPLE_SUMMARIES) if priors.adult_years > 0 else ()
    full = Design(n=n, instrument=instrument, infants=infants, couples=couples)
    theta, x = training_set(
        priors, full, b.simulations, seed, workers=workers, scheduler=scheduler, progress=progress, key=0
    )
    truth, xt = training_set(
        priors, full, b.checks, seed, workers=workers, scheduler=scheduler, progress=_stage(progress, "truths"), key=1
    )
    names = full.names()
    rows: list[dict[str, Any]] = []
    kinds = [
        ("questionnaire", dataclasses.replace(full, infants=0, couples=())),
        ("questionnaire+infants", dataclasses.replace(full, couples=())),
    ]
    if couples:
        kinds.append(("questionnaire+infants+couples", full))
    for kind, design in kinds:
        cols = [names.index(k) for k in design.names()]
        est = Estimator.train(priors, design, theta, x[:, cols], b, seed, _stage(progress, f"train {kind}"))
        draws = est.sample(xt[:, cols], b.posterior_samples, seed_of(seed, STREAM_POSTERIOR, 1))
        for j, p in enumerate(priors.priors):
            rows.append({"data": kind, **judge(p, truth[:, j], draws[:, :, j])})
    info = {
        "budget": dataclasses.asdict(b),
        "seed": seed,
        "n": n,
        "instrument": instrument,
        "infants": infants,
        "truths": b.checks,
        "kinds": [k for k, _ in kinds],
        "notes": [] if couples else ["couple data not checked: the priors' scenario has no adult years"],
    }
    return CheckResult(pd.DataFrame(rows), info)


def _stage(progress: Progress | None, name: str) -> Progress | None:
    if progress is None:
        return None
    report = progress
    return lambda _stage, done, total: report(name, done, total)


def judge(prior: Prior, truth: np.ndarray, draws: np.ndarray) -> dict[str, Any]:
    """SBC p, 90% coverage, recovery r and contraction of one parameter over the truths
    (``draws``: truths x posterior draws), and the verdicts of the documented rule."""
    from scipy import stats

    k, m = draws.shape
    ranks = (draws < truth[:, None]).sum(axis=1)
    counts = np.bincount(np.minimum(ranks * SBC_BINS // (m + 1), SBC_BINS - 1), minlength=SBC_BINS)
    sbc_p = float(stats.chisquare(counts).pvalue) if k >= SBC_BINS else float("nan")
    lo, hi = np.quantile(draws, 0.05, axis=1), np.quantile(draws, 0.95, axis=1)
    coverage = float(np.mean((truth >= lo) & (truth <= hi)))
    means = draws.mean(axis=1)
    recovery = float(np.corrcoef(truth, means)[0, 1]) if truth.std() > 0 and means.std() > 0 else float("nan")
    contraction = float(1 - draws.var(axis=1).mean() / _prior_variance(prior))
    recovered = bool(np.isfinite(recovery) and recovery >= RECOVERY_MIN and contraction >= CONTRACTION_MIN)
    calibrated = bool(np.isfinite(sbc_p) and sbc_p >= SBC_P_MIN and COVERAGE_RANGE[0] <= coverage <= COVERAGE_RANGE[1])
    return {
        "parameter": prior.name,
        "identifiable": recovered and calibrated,
        "recovered": recovered,
        "recovery_r": recovery,
        "sbc_p": sbc_p,
        "coverage_90": coverage,
        "contraction": contraction,
        "calibrated": calibrated,
        "sbc_counts": counts.tolist(),
    }


def identifiability_markdown(result: CheckResult) -> str:
    """The identifiability table: one row per parameter, one column per kind of data."""
    t = result.table
    kinds = list(dict.fromkeys(t["data"]))
    lines = ["| parameter | " + " | ".join(kinds) + " |", "|---" * (len(kinds) + 1) + "|"]
    for name in dict.fromkeys(t["parameter"]):
        cells = []
        for kind in kinds:
            r = t[(t["parameter"] == name) & (t["data"] == kind)].iloc[0]
            verdict = "yes" if r.identifiable else "recovered, not calibrated" if r.recovered else "no"
            cells.append(
                f"{verdict} (r {r.recovery_r:.2f}, contraction {r.contraction:.2f}, "
                f"SBC p {r.sbc_p:.3f}, coverage {r.coverage_90:.2f})"
            )
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
