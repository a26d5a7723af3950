"""Sample statistics of a scored questionnaire: descriptives, Cronbach's alpha, McDonald's omega,
corrected item-total correlations and the check for a wrong reverse key.

Reliability uses the respondents who answered every item of the subscale (listwise deletion),
on the keyed (reverse-scored) items; imputed values never enter it.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from iwm._errors import ParameterError
from iwm.measure._keys import CATEGORIES
from iwm.measure._scoring import ScoredSample, score_column

#: Lower bound on a uniqueness in the one-factor fit (a Heywood case stops there, as in R's
#: ``factanal``).
_MIN_UNIQUENESS = 0.005


def _complete(items: np.ndarray) -> np.ndarray:
    items = np.asarray(items, dtype=float)
    if items.ndim != 2:
        raise ParameterError("items", "a 2-D array (respondents x items)", f"shape {items.shape}")
    return items[~np.isnan(items).any(axis=1)]


def cronbach_alpha(items: np.ndarray) -> float:
    """Cronbach's (1951) alpha on respondents with every item answered, computed by
    ``pingouin.cronbach_alpha`` (listwise deletion). NaN when fewer than 2 items or 2
    respondents, or when the sum does not vary."""
    import pandas as pd
    import pingouin

    x = _complete(items)
    n, k = x.shape
    if k < 2 or n < 2 or float(np.var(x.sum(axis=1))) <= 0:
        return math.nan
    alpha, _ = pingouin.cronbach_alpha(data=pd.DataFrame(x), nan_policy="listwise")
    return float(alpha)


def one_factor_loadings(correlation: np.ndarray, n: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood one-factor model of a correlation matrix: (loadings, uniquenesses).

    Fitted by ``statsmodels.multivariate.factor.Factor`` (method ``ml``) on the matrix itself
    (``n`` is the sample size it records). Loadings are signed so that their sum is positive.
    """
    from statsmodels.multivariate.factor import Factor

    r = np.asarray(correlation, dtype=float)
    fit = Factor(corr=r, n_factor=1, method="ml", nobs=n).fit()
    lam = np.asarray(fit.loadings, float)[:, 0]
    if lam.sum() < 0:
        lam = -lam
    psi = np.asarray(fit.uniqueness, float)
    return lam, np.clip(psi, _MIN_UNIQUENESS, 1.0)


def mcdonald_omega(items: np.ndarray) -> float:
    """McDonald's (1999) omega total from a one-factor model: ``(sum l)^2 / ((sum l)^2 + sum u)``.

    Estimator: maximum-likelihood one-factor fit by ``statsmodels``
    (:func:`one_factor_loadings`) to the Pearson correlation matrix of the complete cases, so
    omega is the reliability of the sum of the standardized items (for items on one response
    scale, close to that of the raw sum).
    NaN with fewer than 3 items (a one-factor model needs 3 to be identified), fewer respondents
    than items + 1, or an item that does not vary.
    """
    x = _complete(items)
    n, k = x.shape
    if k < 3 or n < k + 1 or np.any(np.var(x, axis=0) <= 0):
        return math.nan
    r = np.corrcoef(x, rowvar=False)
    if not np.all(np.isfinite(r)):
        return math.nan
    lam, psi = one_factor_loadings(r, n)
    common = float(lam.sum()) ** 2
    return common / (common + float(psi.sum()))


def corrected_item_total(items: np.ndarray) -> np.ndarray:
    """Correlation of each item with the sum of the other items (complete cases)."""
    x = _complete(items)
    n, k = x.shape
    out = np.full(k, math.nan)
    if n < 3 or k < 2:
        return out
    total = x.sum(axis=1)
    for j in range(k):
        rest = total - x[:, j]
        if np.var(x[:, j]) > 0 and np.var(rest) > 0:
            out[j] = float(np.corrcoef(x[:, j], rest)[0, 1])
    return out


@dataclass(frozen=True, kw_only=True)
class SubscaleSummary:
    """Descriptives and reliability of one subscale. ``n_complete``: respondents with every item
    of the subscale answered (the sample of alpha and omega)."""

    name: str
    mean: float
    sd: float
    n_scored: int
    n_missing: int
    alpha: float
    omega: float
    n_complete: int


@dataclass(frozen=True, kw_only=True)
class ItemTotal:
    """Corrected item-total correlation of one keyed item."""

    column: str
    subscale: str
    reversed: bool
    r: float


@dataclass(frozen=True, kw_only=True)
class SampleStatistics:
    """Sample statistics of a scored questionnaire (see :func:`sample_statistics`)."""

    instrument: str
    n: int
    subscales: tuple[SubscaleSummary, ...]
    correlation_name: str
    correlation: float
    item_total: tuple[ItemTotal, ...]
    category_rule: str
    category_shares: dict[str, float]
    n_categorized: int
    anxiety_cut: float | None
    avoidance_cut: float | None
    reliability_estimators: str
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready summary: NaN becomes None."""

        def clean(value: object) -> object:
            if isinstance(value, float) and not math.isfinite(value):
                return None
            if isinstance(value, dict):
                return {k: clean(v) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return [clean(v) for v in value]
            return value

        return {
            "instrument": self.instrument,
            "n": self.n,
            "scores": {
                s.name: clean({"mean": s.mean, "sd": s.sd, "n_scored": s.n_scored, "n_missing": s.n_missing})
                for s in self.subscales
            },
            "reliability": {
                s.name: clean({"alpha": s.alpha, "omega": s.omega, "n_complete": s.n_complete}) for s in self.subscales
            },
            "reliability_estimators": self.reliability_estimators,
            "correlation": {self.correlation_name: clean(self.correlation)},
            "categories": clean(
                {
                    "rule": self.category_rule,
                    "anxiety_cut": self.anxiety_cut,
                    "avoidance_cut": self.avoidance_cut,
                    "n_categorized": self.n_categorized,
                    "shares": self.category_shares,
                    "note": "research categories for describing samples, never diagnoses",
                }
            ),
            "item_total": [clean(asdict(it)) for it in self.item_total],
            "warnings": list(self.warnings),
        }


ESTIMATORS = (
    "alpha: Cronbach (1951) on complete cases (pingouin); omega: McDonald (1999) omega total from a "
    "maximum-likelihood one-factor model of the item correlation matrix (statsmodels; complete cases)"
)


def sample_statistics(scored: ScoredSample) -> SampleStatistics:
    """n, mean, SD, alpha and omega per subscale, the correlation of the two dimensions,
    corrected item-total correlations and research-category shares of a scored sample.

    A keyed item whose corrected item-total correlation is negative is what a wrong reverse key
    (or answers already reversed in the file) produces; each such item gets a warning.
    """
    inst = scored.instrument
    warnings: list[str] = []
    summaries: list[SubscaleSummary] = []
    item_totals: list[ItemTotal] = []
    values: dict[str, np.ndarray] = {}
    for sub in inst.subscales:
        column = score_column(inst, sub.name)
        v = scored.scores[column].to_numpy(dtype=float)
        values[sub.name] = v
        got = v[~np.isnan(v)]
        block = scored.keyed[[inst.column(i) for i in sub.items]].to_numpy(dtype=float)
        n_complete = int((~np.isnan(block).any(axis=1)).sum())
        if sub.contrast is None:
            alpha, omega = cronbach_alpha(block), mcdonald_omega(block)
            for item, r in zip(sub.items, corrected_item_total(block), strict=True):
                reversed_ = inst.is_reversed(item)
                item_totals.append(
                    ItemTotal(column=inst.column(item), subscale=sub.name, reversed=reversed_, r=float(r))
                )
                if r < 0:
                    warnings.append(
                        f"{inst.column(item)} ({'reverse keyed' if reversed_ else 'not reversed'}"
                        f") correlates {r:.2f} with the rest of {sub.name}: the sign of a wrong "
                        "reverse key, or of answers already reversed in the file"
                    )
            if n_complete < 2 * len(sub.items):
                warnings.append(f"{sub.name}: only {n_complete} complete responses; alpha and omega are unstable")
        else:
            # An RQ dimension is a contrast of single-paragraph ratings: no internal consistency.
            alpha = omega = math.nan
        summaries.append(
            SubscaleSummary(
                name=sub.name,
                mean=float(got.mean()) if got.size else math.nan,
                sd=float(got.std(ddof=1)) if got.size > 1 else math.nan,
                n_scored=int(got.size),
                n_missing=int(v.size - got.size),
                alpha=alpha,
                omega=omega,
                n_complete=n_complete,
            )
        )
    first, second = (s.name for s in inst.subscales)
    both = ~np.isnan(values[first]) & ~np.isnan(values[second])
    a, b = values[first][both], values[second][both]
    corr = float(np.corrcoef(a, b)[0, 1]) if a.size > 2 and np.var(a) > 0 and np.var(b) > 0 else math.nan
    cat = scored.categorization
    return SampleStatistics(
        instrument=inst.name,
        n=scored.n,
        subscales=tuple(summaries),
        correlation_name=f"{first}_{second}",
        correlation=corr,
        item_total=tuple(item_totals),
        category_rule=cat.rule,
        category_shares={c: cat.shares()[c] for c in CATEGORIES},
        n_categorized=cat.n_categorized,
        anxiety_cut=cat.anxiety_cut,
        avoidance_cut=cat.avoidance_cut,
        reliability_estimators=(
            ESTIMATORS if inst.has_quadrants else "not defined: each RQ prototype is a single rating"
        ),
        warnings=tuple(warnings),
    )
