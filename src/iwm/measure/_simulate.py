"""Simulated questionnaire answers on the ECR metric: a graded-response measurement model
(Samejima 1969), evaluated with the ``mirt`` package, through which a simulated person with
latent anxiety and avoidance (1-7) answers the ECR-R or the ECR-S. The model's own channel
works on the z metric of :func:`iwm.measure.latent_dimensions` (:mod:`iwm.measure._items`).

Latent values are on the ECR metric (the 1-7 mean-item-score scale, midpoint 4), the contract
with the simulation core. For item ``j`` of the dimension with latent value ``theta``, the keyed
answer ``Y`` (1..7) follows

    P(Y >= c + 1 | theta) = 1 / (1 + exp(-a_j * (theta - b_jc))),  c = 1..6,
    b_jc = c + 0.5 + d_j,

so the category boundaries sit half-way between the answers, shifted by the item's location
``d_j`` (mean zero over a subscale). With boundaries one scale point apart the expected keyed
answer is close to ``theta - d_j`` away from the scale ends, and a person's expected mean item
score is close to their latent value: scoring simulated answers recovers the latent metric.
A reversed item is answered as ``8 - Y`` (a high-avoidance person answers it low).

Discriminations ``a_j`` run from 1.2 to 2.0 per scale point (about 1.3-2.4 per latent SD for a
latent SD of 1.1-1.2, the range of the ECR-R's IRT discriminations, Fraley, Waller & Brennan
2000); with latent SDs of about 1 they give alphas of about .92-.94 on the 18-item ECR-R
subscales (published: about .90-.95, Fraley et al. 2000; Sibley & Liu 2004) and about .78-.85
on the 6-item ECR-S subscales (published: .77-.86, Wei et al. 2007).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from iwm._errors import ParameterError
from iwm.measure._keys import Instrument, instrument

_DISCRIMINATION = (1.2, 2.0)  # logits per ECR scale point, lowest and highest item
_LOCATION = (-0.3, 0.3)  # item location shifts d_j on the ECR metric, mean zero per subscale


@dataclass(frozen=True, kw_only=True, eq=False)
class MeasurementModel:
    """Graded-response parameters of one instrument, one row per item in canonical order.

    ``thresholds[j]`` are the boundaries ``b_j1 < ... < b_j6`` of the keyed answer on the ECR
    metric; ``dimension[j]`` is the latent dimension the item measures.
    """

    instrument: Instrument
    discrimination: np.ndarray
    thresholds: np.ndarray
    dimension: tuple[str, ...]
    reversed: np.ndarray

    def __post_init__(self) -> None:
        k = self.instrument.n_items
        if self.discrimination.shape != (k,) or np.any(self.discrimination <= 0):
            raise ParameterError("discrimination", f"{k} positive values", self.discrimination)
        steps = self.instrument.high - self.instrument.low
        if self.thresholds.shape != (k, steps) or np.any(np.diff(self.thresholds, axis=1) <= 0):
            raise ParameterError("thresholds", f"{k} increasing rows of {steps}", self.thresholds)


def _spread(lo: float, hi: float, k: int, stride: int) -> np.ndarray:
    """k values evenly spaced over [lo, hi], dealt out so that neighbouring items differ."""
    values = np.linspace(lo, hi, k)
    # Stride coprime to k makes (i * stride) % k a permutation of the items.
    return values[[(i * stride) % k for i in range(k)]]


def measurement_model(instrument_: Instrument | str) -> MeasurementModel:
    """The graded-response model used by :func:`simulate_responses` for an ECR form."""
    inst = instrument(instrument_)
    if not inst.has_quadrants:
        raise ParameterError("instrument", "'ecr-r' or 'ecr-s' (an anxiety/avoidance form)", inst.name)
    k = inst.n_items
    discrimination = np.empty(k)
    location = np.empty(k)
    dimension = [""] * k
    for sub in inst.subscales:
        idx = [i - 1 for i in sub.items]
        discrimination[idx] = _spread(*_DISCRIMINATION, len(idx), stride=5)
        location[idx] = _spread(*_LOCATION, len(idx), stride=7)
        for i in idx:
            dimension[i] = sub.name
    boundaries = np.arange(inst.low, inst.high) + 0.5  # 1.5 .. 6.5
    return MeasurementModel(
        instrument=inst,
        discrimination=discrimination,
        thresholds=boundaries[None, :] + location[:, None],
        dimension=tuple(dimension),
        reversed=np.array([inst.is_reversed(i) for i in range(1, k + 1)]),
    )


def _latent(name: str, values: object, low: int, high: int) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(name, "a 1-D array of floats on the ECR metric", values) from None
    if arr.ndim != 1:
        raise ParameterError(name, "a 1-D array", f"shape {arr.shape}")
    if arr.size and (not np.all(np.isfinite(arr)) or arr.min() < low or arr.max() > high):
        finite = arr[np.isfinite(arr)]
        got = f"min {finite.min():g}, max {finite.max():g}" if finite.size else "no finite value"
        if finite.size != arr.size:
            got += f", {arr.size - finite.size} non-finite"
        raise ParameterError(name, f"finite values in [{low}, {high}] (the ECR metric)", got)
    return arr


def simulate_responses(
    instrument_: Instrument | str,
    anxiety: np.ndarray,
    avoidance: np.ndarray,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Answers of simulated people to the ECR-R or ECR-S under the graded-response model.

    ``anxiety`` and ``avoidance`` are latent values on the ECR metric (1..7), one per person.
    Returns an ``id`` column (1..n) and one integer column per item in canonical order, raw
    answers 1..7 with reversed items answered in reverse, ready for :func:`score`.
    """
    model = measurement_model(instrument_)
    inst = model.instrument
    anx = _latent("anxiety", anxiety, inst.low, inst.high)
    avo = _latent("avoidance", avoidance, inst.low, inst.high)
    if anx.shape != avo.shape:
        raise ParameterError("avoidance", f"as long as anxiety ({anx.size})", avo.size)
    if not isinstance(rng, np.random.Generator):
        raise ParameterError("rng", "a numpy.random.Generator", type(rng).__name__)
    from iwm.measure._items import draw_categories, graded_response_model

    latent = {"anxiety": anx, "avoidance": avo}
    columns: dict[str, np.ndarray] = {"id": np.arange(1, anx.size + 1, dtype=np.int64)}
    for name in ("anxiety", "avoidance"):
        idx = [j for j in range(inst.n_items) if model.dimension[j] == name]
        names = [inst.item_columns[j] for j in idx]
        # mirt's GRM evaluates P(Y >= c + 1) = logistic(a_j (theta - b_jc)) on the ECR metric
        grm = graded_response_model(names, model.discrimination[idx], model.thresholds[idx])
        keyed = inst.low + draw_categories(grm.model, latent[name], rng.random((anx.size, len(idx))))
        raw = np.where(model.reversed[idx][None, :], inst.low + inst.high - keyed, keyed)
        for j, column in enumerate(names):
            columns[column] = raw[:, j].astype(np.int64)
    return pd.DataFrame({name: columns[name] for name in ("id", *inst.item_columns)})
