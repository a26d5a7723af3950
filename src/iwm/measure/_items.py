"""Item answers from latent dimensions: a graded response model (Samejima 1969) evaluated with
the ``mirt`` package, and expected-a-posteriori (EAP) estimates of the latents back from answers.

Each ECR subscale is one unidimensional graded response model on the z metric of
:func:`iwm.measure.latent_dimensions`. For item ``j`` and keyed answer ``Y`` in 1..7,

    P(Y >= c + 1 | theta) = 1 / (1 + exp(-a_j * (theta - b_jc))),   c = 1..6.

The parameters are set on the ECR metric and carried to z: the category boundaries sit half-way
between answers (1.5 .. 6.5 scale points), shifted by the item's location ``d_j`` (mean zero over
a subscale, spread ``item_spread``), and a person at ``theta`` sits at ``location + scale *
theta`` scale points; so ``b_jc = (c + 0.5 + d_j - location) / scale`` and ``a_j = a'_j *
scale`` for a discrimination ``a'_j`` per scale point. The ECR-R's published IRT calibration
(Fraley, Waller & Brennan 2000) is not reproduced item by item here: discriminations of 1.2-2.0
per scale point (about 1.3-2.4 per SD) are in its reported range, and the locations and scales
are chosen to reproduce published scale properties (alphas, T7; category shares, T4); see
``docs/measurement.md``.

Respondent noise beyond the item model, all optional:

* ``occasion_sd``: the momentary state on the day of answering (SD of the occasion deviation
  of theta), the reason a retest three weeks later is not perfect (Sibley, Fischer & Liu 2005);
* ``acquiescence_sd``: a person's tendency to agree, in scale points, whatever the item's key
  (it raises forward-keyed answers and lowers reverse-keyed ones after keying);
* ``careless_share``: the share of respondents who answer every item at random.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from iwm._errors import ParameterError
from iwm.measure._keys import Instrument, instrument
from iwm.model._params import Params, bounded

_BOUNDARIES = np.arange(1, 7) + 0.5  # 1.5 .. 6.5 on the ECR metric


@dataclasses.dataclass(frozen=True, kw_only=True)
class ResponseParams(Params):
    """How a person at a latent position answers an ECR form."""

    label = "item response parameters"

    anxiety_location: float = bounded(2.95, 1, 7, "ECR anxiety score of a person at latent 0")
    anxiety_scale: float = bounded(1.1, 0.1, 3, "ECR anxiety scale points per latent SD")
    avoidance_location: float = bounded(3.3, 1, 7, "ECR avoidance score of a person at latent 0")
    avoidance_scale: float = bounded(1.15, 0.1, 3, "ECR avoidance scale points per latent SD")
    discrimination_low: float = bounded(1.2, 0.1, 10, "lowest item discrimination, per scale point")
    discrimination_high: float = bounded(2.0, 0.1, 10, "highest item discrimination, per scale point")
    item_spread: float = bounded(0.3, 0, 2, "half-range of item locations, in scale points")
    occasion_sd: float = bounded(0.29, 0, 2, "SD of the occasion's deviation from a person's latent (z)")
    acquiescence_sd: float = bounded(0.0, 0, 2, "SD of a person's agreement tendency, in scale points")
    careless_share: float = bounded(0.0, 0, 1, "share of respondents answering every item at random")

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.discrimination_high < self.discrimination_low:
            raise ParameterError(
                "discrimination_high",
                f"at least discrimination_low ({self.discrimination_low})",
                self.discrimination_high,
            )


RESPONSES = ResponseParams()


@dataclasses.dataclass(frozen=True, eq=False)
class SubscaleModel:
    """The graded response model of one subscale: a ``mirt`` result with fixed parameters."""

    name: str
    columns: tuple[str, ...]
    reversed: NDArray[np.bool_]
    result: Any  # mirt.FitResult, marked fitted so that mirt.fscores scores with it

    @property
    def discrimination(self) -> NDArray[np.float64]:
        return np.asarray(self.result.model.parameters["discrimination"], np.float64)

    @property
    def thresholds(self) -> NDArray[np.float64]:
        return np.asarray(self.result.model.parameters["thresholds"], np.float64)


def _spread(lo: float, hi: float, k: int, stride: int) -> NDArray[np.float64]:
    """k values evenly spaced over [lo, hi], dealt out so that neighbouring items differ."""
    values = np.linspace(lo, hi, k)
    return values[[(i * stride) % k for i in range(k)]]  # stride coprime to k: a permutation


def graded_response_model(
    names: list[str], discrimination: NDArray[np.float64], thresholds: NDArray[np.float64]
) -> Any:
    """A ``mirt`` graded response model with the given (not estimated) parameters.

    Built through :meth:`mirt.FitResult.from_dict`, the package's documented way to rebuild a
    model from known parameters so that :func:`mirt.fscores` can score with it.
    """
    import mirt

    k = len(names)
    payload = {
        "model": {"name": "GRM", "n_items": k, "n_factors": 1, "item_names": names, "n_categories": [7] * k},
        "log_likelihood": float("nan"),
        "aic": float("nan"),
        "bic": float("nan"),
        "n_parameters": int(discrimination.size + thresholds.size),
        "n_observations": 0,
        "converged": True,
        "n_iterations": 0,
        "parameters": {"discrimination": discrimination.tolist(), "thresholds": thresholds.tolist()},
        "standard_errors": {},
    }
    return mirt.FitResult.from_dict(payload)


def item_model(instrument_: Instrument | str, params: ResponseParams = RESPONSES) -> tuple[SubscaleModel, ...]:
    """The graded response models of an ECR form's two subscales (anxiety, avoidance)."""
    return _item_model(instrument(instrument_).name, params)


@functools.lru_cache(maxsize=16)
def _item_model(name: str, params: ResponseParams) -> tuple[SubscaleModel, ...]:
    inst = instrument(name)
    if not inst.has_quadrants:
        raise ParameterError("instrument", "'ecr-r' or 'ecr-s' (an anxiety/avoidance form)", inst.name)
    models = []
    for sub in inst.subscales:
        location, scale = _location_scale(sub.name, params)
        k = len(sub.items)
        per_point = _spread(params.discrimination_low, params.discrimination_high, k, stride=5)
        shift = _spread(-params.item_spread, params.item_spread, k, stride=7)
        thresholds = (_BOUNDARIES[None, :] + shift[:, None] - location) / scale
        columns = tuple(inst.column(i) for i in sub.items)
        models.append(
            SubscaleModel(
                name=sub.name,
                columns=columns,
                reversed=np.array([inst.is_reversed(i) for i in sub.items]),
                result=graded_response_model(list(columns), per_point * scale, thresholds),
            )
        )
    return tuple(models)


def _location_scale(name: str, params: ResponseParams) -> tuple[float, float]:
    if name == "anxiety":
        return params.anxiety_location, params.anxiety_scale
    return params.avoidance_location, params.avoidance_scale


def _latent(name: str, values: object) -> NDArray[np.float64]:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(name, "a 1-D array of finite latent values (z metric)", values) from None
    if arr.ndim != 1 or not np.all(np.isfinite(arr)):
        raise ParameterError(name, "a 1-D array of finite latent values (z metric)", f"shape {arr.shape}")
    return arr


def draw_categories(model: Any, theta: NDArray[np.float64], uniforms: NDArray[np.float64]) -> NDArray[np.int64]:
    """Categories 0..6 of every item by inverse CDF: ``mirt``'s GRM probabilities at ``theta``
    (one per person) against one uniform per person and item."""
    prob = np.asarray(model.probability(theta[:, None]), np.float64)  # persons x items x categories
    below = np.cumsum(prob, axis=2)[:, :, :-1]
    return (uniforms[:, :, None] > below).sum(axis=2).astype(np.int64)


def answer(
    instrument_: Instrument | str,
    anxiety: object,
    avoidance: object,
    rng: np.random.Generator,
    params: ResponseParams = RESPONSES,
) -> pd.DataFrame:
    """One occasion's answers to an ECR form from latent anxiety and avoidance (z metric).

    Returns ``id`` (1..n) and one integer column per item in canonical order: raw answers 1..7,
    reverse-keyed items answered in reverse, ready for :func:`iwm.measure.score`. Each call is a
    new occasion (a new occasion deviation, answers drawn afresh).
    """
    inst = instrument(instrument_)
    models = item_model(inst, params)
    latent = {"anxiety": _latent("anxiety", anxiety), "avoidance": _latent("avoidance", avoidance)}
    n = latent["anxiety"].size
    if latent["avoidance"].size != n:
        raise ParameterError("avoidance", f"as long as anxiety ({n})", latent["avoidance"].size)
    if not isinstance(rng, np.random.Generator):
        raise ParameterError("rng", "a numpy.random.Generator", type(rng).__name__)
    occasion = rng.standard_normal((2, n)) * params.occasion_sd
    agree = rng.standard_normal(n) * params.acquiescence_sd
    careless = rng.random(n) < params.careless_share
    columns: dict[str, NDArray[np.int64]] = {"id": np.arange(1, n + 1, dtype=np.int64)}
    for dim, sub in enumerate(models):
        theta = latent[sub.name] + occasion[dim]
        scale = _location_scale(sub.name, params)[1]
        uniforms = rng.random((n, len(sub.columns)))
        forward = draw_categories(sub.result.model, theta + agree / scale, uniforms)
        backward = draw_categories(sub.result.model, theta - agree / scale, uniforms)
        keyed = 1 + np.where(sub.reversed[None, :], backward, forward)
        random_answers = rng.integers(1, 8, size=keyed.shape)
        keyed = np.where(careless[:, None], random_answers, keyed)
        raw = np.where(sub.reversed[None, :], 8 - keyed, keyed)
        for j, column in enumerate(sub.columns):
            columns[column] = raw[:, j]
    return pd.DataFrame({name: columns[name] for name in ("id", *inst.item_columns)})


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class LatentEstimate:
    """EAP estimates of each respondent's latents (z metric) with posterior SDs (standard errors)."""

    anxiety: NDArray[np.float64]
    anxiety_se: NDArray[np.float64]
    avoidance: NDArray[np.float64]
    avoidance_se: NDArray[np.float64]
    n_answered: dict[str, NDArray[np.int64]]


def estimate_latents(
    instrument_: Instrument | str, keyed: pd.DataFrame, params: ResponseParams = RESPONSES
) -> LatentEstimate:
    """EAP estimates (with posterior SDs) of each person's enduring latent anxiety and avoidance
    from keyed answers.

    ``keyed`` holds the instrument's item columns, reverse-keyed items already reversed (as in
    :attr:`ScoredSample.keyed`), missing answers as NaN. Scored by :func:`mirt.fscores` with the
    same graded response model that :func:`answer` draws from, and a normal prior of variance
    ``1 + occasion_sd**2`` (a person's latent plus the occasion); the enduring latent is then
    the normal posterior given the occasion's (mean shrunk by ``1 + occasion_sd**2``, the
    occasion variance added to the SD). A respondent with no answer on a subscale gets the prior.
    """
    import mirt

    inst = instrument(instrument_)
    prior = np.array([[1.0 + params.occasion_sd**2]])
    out: dict[str, NDArray[np.float64]] = {}
    answered: dict[str, NDArray[np.int64]] = {}
    for sub in item_model(inst, params):
        block = keyed[list(sub.columns)].to_numpy(dtype=float) - 1.0  # categories 0..6
        scores = mirt.fscores(sub.result, block, method="EAP", n_quadpts=61, prior_cov=prior)
        day = np.asarray(scores.theta, np.float64).reshape(-1)
        day_se = np.asarray(scores.standard_error, np.float64).reshape(-1)
        # From the occasion's latent to the enduring one: theta_day = theta + occasion, both normal.
        total = 1.0 + params.occasion_sd**2
        out[sub.name] = day / total
        out[sub.name + "_se"] = np.sqrt(day_se**2 / total**2 + params.occasion_sd**2 / total)
        answered[sub.name] = (~np.isnan(block)).sum(axis=1).astype(np.int64)
    return LatentEstimate(
        anxiety=out["anxiety"],
        anxiety_se=out["anxiety_se"],
        avoidance=out["avoidance"],
        avoidance_se=out["avoidance_se"],
        n_answered=answered,
    )
