"""The hand-written reliability estimators iwm used before it called pingouin and
factor_analyzer, kept here only to check that the libraries give the same results."""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize

_MIN_UNIQUENESS = 0.005


def _complete(items: np.ndarray) -> np.ndarray:
    items = np.asarray(items, dtype=float)
    return items[~np.isnan(items).any(axis=1)]


def previous_alpha(items: np.ndarray) -> float:
    """Cronbach's (1951) alpha, ``k/(k-1) * (1 - sum of item variances / variance of the sum)``,
    on respondents with every item answered. NaN when fewer than 2 items or 2 respondents, or
    when the sum does not vary."""
    x = _complete(items)
    n, k = x.shape
    if k < 2 or n < 2:
        return math.nan
    total_var = float(np.var(x.sum(axis=1), ddof=1))
    if total_var <= 0:
        return math.nan
    return k / (k - 1) * (1 - float(np.var(x, axis=0, ddof=1).sum()) / total_var)


def one_factor_loadings(correlation: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood one-factor model of a correlation matrix: (loadings, uniquenesses).

    The fit minimizes the ML discrepancy over the uniquenesses, with the loadings given by the
    leading eigenvector of ``Psi^-1/2 R Psi^-1/2`` (Lawley & Maxwell 1971; the algorithm of R's
    ``factanal``, Joreskog 1967). Loadings are signed so that their sum is positive.
    """
    r = np.asarray(correlation, dtype=float)
    p = r.shape[0]

    def scaled(psi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = 1.0 / np.sqrt(psi)
        return np.linalg.eigh(r * np.outer(s, s))

    def discrepancy(psi: np.ndarray) -> float:
        values = scaled(psi)[0][:-1]  # all but the largest eigenvalue
        values = np.maximum(values, 1e-12)
        return -float(np.sum(np.log(values) - values)) + 1 - p

    def loadings_at(psi: np.ndarray) -> np.ndarray:
        values, vectors = scaled(psi)
        return np.sqrt(psi) * vectors[:, -1] * math.sqrt(max(values[-1] - 1.0, 0.0))

    def gradient(psi: np.ndarray) -> np.ndarray:
        lam = loadings_at(psi)
        residual = np.outer(lam, lam) + np.diag(psi) - r
        return np.diag(residual) / psi**2

    try:
        start = 1.0 / np.diag(np.linalg.inv(r))  # 1 - squared multiple correlation
    except np.linalg.LinAlgError:
        start = np.full(p, 0.5)
    start = np.clip(start, _MIN_UNIQUENESS, 1.0)
    fit = optimize.minimize(discrepancy, start, jac=gradient, method="L-BFGS-B", bounds=[(_MIN_UNIQUENESS, 1.0)] * p)
    psi = np.asarray(fit.x)
    lam = loadings_at(psi)
    if lam.sum() < 0:
        lam = -lam
    return lam, psi


def previous_omega(items: np.ndarray) -> float:
    """McDonald's (1999) omega total from a one-factor model: ``(sum l)^2 / ((sum l)^2 + sum u)``.

    Estimator: maximum-likelihood one-factor fit (:func:`one_factor_loadings`) to the Pearson
    correlation matrix of the complete cases, so omega is the reliability of the sum of the
    standardized items (for items on one response scale, close to that of the raw sum).
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
    lam, psi = one_factor_loadings(r)
    common = float(lam.sum()) ** 2
    return common / (common + float(psi.sum()))
