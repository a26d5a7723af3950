"""The population: one array per field of the internal working model (IWM).

Beliefs are Beta distributions held as evidence counts (successes ``*_a``, failures ``*_b``),
so each belief carries its own uncertainty (MODEL.md C1, C2):

* self-worth W (C1, "I am not enough" ... "I am worthy"), plus a self-reliance component:
  the defensive inflation of the self that dismissing people show ("I don't need others");
* other-availability A (C2, "others may care, but I can't be sure": a mean near .5 with
  high variance is the unpredictable other);
* other-danger D (C2, the comforting-and-frightening other of disorganization).

Strategy (Mikulincer & Shaver 2003 control-system model): an activation threshold on felt
need; ``suppression``, the share of felt need that is not expressed (deactivation); and
``signalling``, the amplification of what is expressed (hyperactivation). Regulation capacity
(C9), awareness of the model (C4, 0 by default: the model works outside awareness),
plasticity (C30, how much new evidence weighs) and age complete the state.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from iwm._errors import ParameterError
from iwm.model._expectation import relationship_value

Array = NDArray[np.float32]
DTYPE = np.float32


def beta_mean(a: NDArray[np.floating], b: NDArray[np.floating]) -> NDArray[np.float32]:
    return (a / (a + b)).astype(DTYPE, copy=False)


def beta_variance(a: NDArray[np.floating], b: NDArray[np.floating]) -> NDArray[np.float32]:
    total = a + b
    return (a * b / (total * total * (total + 1))).astype(DTYPE, copy=False)


_STATE_FIELDS = ("availability_state", "self_worth_state", "suppression_state")


@dataclasses.dataclass(frozen=True, kw_only=True, eq=False)
class Population:
    """A population of internal working models, one float32 array of length n per field."""

    self_worth_a: Array
    self_worth_b: Array
    self_reliance: Array
    availability_a: Array
    availability_b: Array
    danger_a: Array
    danger_b: Array
    activation_threshold: Array
    signalling: Array
    suppression: Array
    regulation: Array
    awareness: Array
    plasticity: Array
    age: Array
    availability_state: Array = None  # type: ignore[assignment]  # zeros when not given (__post_init__)
    """Momentary expected availability minus the chronic E[A] (the state around the trait;
    :mod:`iwm.model._momentary`); zeros when not given (no momentary deviation)."""
    self_worth_state: Array = None  # type: ignore[assignment]  # zeros when not given (__post_init__)
    """Momentary self-worth minus the chronic E[W]; zeros when not given."""
    suppression_state: Array = None  # type: ignore[assignment]  # zeros when not given (__post_init__)
    """Momentary deactivation: the share of need hidden today beyond ``suppression``; zeros
    when not given."""

    def __post_init__(self) -> None:
        for name in _STATE_FIELDS:
            if getattr(self, name) is None:
                object.__setattr__(self, name, np.zeros(np.shape(self.age), DTYPE))
        n = None
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            arr = np.ascontiguousarray(value, dtype=DTYPE)
            if arr.ndim != 1:
                raise ParameterError(f.name, "a one-dimensional array", f"shape {arr.shape}")
            if n is None:
                n = arr.shape[0]
            elif arr.shape[0] != n:
                raise ParameterError(f.name, f"an array of length {n}", f"length {arr.shape[0]}")
            object.__setattr__(self, f.name, arr)

    # -- construction ------------------------------------------------------------------
    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def concat(cls, parts: list[Population]) -> Population:
        return cls(**{k: np.concatenate([getattr(p, k) for p in parts]) for k in cls.field_names()})

    def take(self, index: NDArray[np.integer] | NDArray[np.bool_] | slice) -> Self:
        return dataclasses.replace(self, **{k: getattr(self, k)[index] for k in self.field_names()})

    def replace(self, **changes: Array) -> Self:
        return dataclasses.replace(self, **changes)

    def trait(self) -> Self:
        """The chronic model alone: the same people with no momentary deviation (how they would
        read on a day that is typical of their model; :mod:`iwm.model._momentary`)."""
        return self.replace(**{name: np.zeros(self.n, DTYPE) for name in _STATE_FIELDS})

    def columns(self) -> dict[str, NDArray[Any]]:
        """Every stored field and the derived constructs of the model, as named columns.

        Read-outs (anxiety, avoidance, categories) are measurements: :func:`iwm.measure.measured_columns`.
        """
        cols: dict[str, NDArray[Any]] = {k: getattr(self, k) for k in self.field_names()}
        cols.update(
            self_worth=self.self_worth,
            other_availability=self.other_availability,
            other_availability_uncertainty=self.other_availability_uncertainty,
            other_availability_sd=self.other_availability_sd,
            self_worth_sd=self.self_worth_sd,
            other_danger=self.other_danger,
            other_danger_sd=self.other_danger_sd,
            relationship_expectation=self.relationship_expectation,
        )
        return cols

    # -- derived constructs ------------------------------------------------------------
    @property
    def n(self) -> int:
        return int(self.age.shape[0])

    def __len__(self) -> int:
        return self.n

    @property
    def self_worth(self) -> Array:
        """E[W], the model of self (C1)."""
        return beta_mean(self.self_worth_a, self.self_worth_b)

    @property
    def self_model(self) -> Array:
        """The model of self as shown (C1): self-worth, defensively inflated by self-reliance.

        A dismissing person's positive self rests on not needing others (Bartholomew &
        Horowitz 1991): self-reliance fills the gap between E[W] and 1 in proportion.
        """
        w = self.self_worth
        return (w + self.self_reliance * (1 - w)).astype(DTYPE, copy=False)

    @property
    def felt_self_worth(self) -> Array:
        """Momentary self-worth: E[W] plus today's deviation (:mod:`iwm.model._momentary`)."""
        return np.clip(self.self_worth + self.self_worth_state, 0.01, 0.99).astype(DTYPE, copy=False)

    @property
    def felt_self_model(self) -> Array:
        """The model of self as shown today: momentary self-worth, inflated by self-reliance."""
        w = self.felt_self_worth
        return (w + self.self_reliance * (1 - w)).astype(DTYPE, copy=False)

    @property
    def felt_availability(self) -> Array:
        """Momentary expected availability: E[A] plus today's deviation."""
        return np.clip(self.other_availability + self.availability_state, 0.01, 0.99).astype(DTYPE, copy=False)

    @property
    def felt_suppression(self) -> Array:
        """Momentary suppression: the chronic share of need hidden plus today's deactivation."""
        return np.clip(self.suppression + self.suppression_state, 0, 1).astype(DTYPE, copy=False)

    @property
    def self_worth_uncertainty(self) -> Array:
        return beta_variance(self.self_worth_a, self.self_worth_b)

    @property
    def self_worth_sd(self) -> Array:
        """Posterior SD of W: how sure the person is of their worth (C1)."""
        return np.sqrt(self.self_worth_uncertainty)

    @property
    def other_availability(self) -> Array:
        """E[A], the expected availability of others (C2)."""
        return beta_mean(self.availability_a, self.availability_b)

    @property
    def other_availability_uncertainty(self) -> Array:
        """Var[A]: high for the unpredictable other of anxious models (C2)."""
        return beta_variance(self.availability_a, self.availability_b)

    @property
    def other_availability_sd(self) -> Array:
        """Posterior SD of A: wide for the unpredictable other of anxious models (C2)."""
        return np.sqrt(self.other_availability_uncertainty)

    @property
    def other_danger(self) -> Array:
        """E[D], the expected danger of others (C2, C16)."""
        return beta_mean(self.danger_a, self.danger_b)

    @property
    def other_danger_sd(self) -> Array:
        """Posterior SD of D (C2, C16)."""
        return np.sqrt(beta_variance(self.danger_a, self.danger_b))

    @property
    def relationship_expectation(self) -> Array:
        """The value of seeking closeness V (C3), derived from the self and other models.

        V = E[A] * gain - (1 - E[A]) * hurt(W) - E[D] * harm, with hurt growing as self-worth
        falls (rejection hurts more when one already feels unworthy). Positive V favours
        approach, negative V withdrawal.
        """
        return relationship_value(self.other_availability, self.self_worth, self.other_danger)

    @property
    def expressed_gain(self) -> Array:
        """Expressed bid per unit of felt need: signalling x (1 - suppression)."""
        return (self.signalling * (1 - self.suppression)).astype(DTYPE, copy=False)
