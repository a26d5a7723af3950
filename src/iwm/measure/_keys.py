"""Scoring keys of the three attachment questionnaires: which item belongs to which subscale,
which items are reverse keyed, and the response range.

Only the keys ship here. The item wording is copyrighted by the instruments' authors and is
deliberately absent from this package (items are named by number: ``ecr_r_01`` .. ``ecr_r_36``).

Sources (checked for this package; see ``docs/measurement.md``):

- ECR-R: Fraley, R. C., Waller, N. G., & Brennan, K. A. (2000). An item response theory analysis
  of self-report measures of adult attachment. J Pers Soc Psychol, 78, 350-365. Scoring key as
  published on R. C. Fraley's ECR-R page (labs.psychology.illinois.edu/~rcfraley/measures/):
  items 1-18 anxiety, 19-36 avoidance, 1-7 agreement scale, reverse keyed items 9, 11, 20, 22,
  26, 27, 28, 29, 30, 31, 33, 34, 35, 36.
- ECR-S: Wei, M., Russell, D. W., Mallinckrodt, B., & Vogel, D. L. (2007). The Experiences in
  Close Relationship Scale (ECR)-Short Form: Reliability, validity, and factor structure.
  J Pers Assess, 88, 187-204 (appendix): 1-7 scale; avoidance 1R, 3, 5R, 7, 9R, 11; anxiety 2, 4,
  6, 8R, 10, 12.
- RQ: Bartholomew, K., & Horowitz, L. M. (1991). Attachment styles among young adults: A test of
  a four-category model. J Pers Soc Psychol, 61, 226-244 (four prototype ratings on 1-7 and a
  forced choice). Self and other dimensions: Griffin, D. W., & Bartholomew, K. (1994). Models of
  the self and other: Fundamental dimensions underlying measures of adult attachment. J Pers Soc
  Psychol, 67, 430-445: model of self = (secure + dismissing) - (fearful + preoccupied); model of
  other = (secure + preoccupied) - (fearful + dismissing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from iwm._errors import ParameterError

#: The four attachment patterns of Bartholomew & Horowitz (1991); also the names of the research
#: categories of the ECR quadrant rule.
CATEGORIES: tuple[str, ...] = ("secure", "preoccupied", "dismissing", "fearful")


@dataclass(frozen=True, kw_only=True)
class Subscale:
    """One scored dimension of an instrument.

    ``items`` are 1-based item numbers. A subscale without ``contrast`` is scored as the mean of its
    keyed items (reversed items enter as ``low + high - answer``). A subscale with ``contrast``
    (the RQ dimensions) is the signed sum ``sum(sign * rating)``, one sign per item.
    """

    name: str
    items: tuple[int, ...]
    reversed_items: tuple[int, ...] = ()
    contrast: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        if not self.items or len(set(self.items)) != len(self.items):
            raise ParameterError("items", "a non-empty tuple of distinct item numbers", self.items)
        if not set(self.reversed_items) <= set(self.items):
            raise ParameterError("reversed_items", f"a subset of {self.items}", self.reversed_items)
        if self.contrast is not None and (
            len(self.contrast) != len(self.items) or any(s not in (-1, 1) for s in self.contrast)
        ):
            raise ParameterError("contrast", "one sign (+1 or -1) per item", self.contrast)


@dataclass(frozen=True, kw_only=True)
class Instrument:
    """A questionnaire's scoring key: item columns, response range, subscales and source.

    ``columns`` are the canonical column names, in the instrument's item order; for the RQ a last
    column ``choice_column`` holds the forced choice of one of the four prototypes.
    """

    name: str
    title: str
    columns: tuple[str, ...]
    low: int
    high: int
    subscales: tuple[Subscale, ...]
    source: str
    choice_column: str | None = None
    #: forced-choice codes accepted besides the category names (RQ paragraph letters A-D and 1-4)
    choice_codes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if not self.low < self.high:
            raise ParameterError("low", f"below high={self.high}", self.low)
        if len(set(self.columns)) != len(self.columns):
            raise ParameterError("columns", "distinct names", self.columns)
        n = self.n_items
        for sub in self.subscales:
            if max(sub.items) > n or min(sub.items) < 1:
                raise ParameterError(f"{sub.name}.items", f"item numbers in [1, {n}]", sub.items)
        if self.choice_column is not None and self.choice_column != self.columns[-1]:
            raise ParameterError("choice_column", "the last of `columns`", self.choice_column)

    @property
    def n_items(self) -> int:
        """Number of rated items (the RQ's forced choice is not a rated item)."""
        return len(self.columns) - (self.choice_column is not None)

    @property
    def item_columns(self) -> tuple[str, ...]:
        """Canonical names of the rated items, in item order."""
        return self.columns[: self.n_items]

    def column(self, item: int) -> str:
        """Canonical column of 1-based ``item``."""
        return self.columns[item - 1]

    def subscale(self, name: str) -> Subscale:
        for sub in self.subscales:
            if sub.name == name:
                return sub
        raise ParameterError("subscale", f"one of {[s.name for s in self.subscales]}", name)

    def is_reversed(self, item: int) -> bool:
        return any(item in sub.reversed_items for sub in self.subscales)

    @property
    def has_quadrants(self) -> bool:
        """Whether categories come from the anxiety x avoidance quadrant rule (the ECR forms)."""
        return {s.name for s in self.subscales} == {"anxiety", "avoidance"}


def _numbered(prefix: str, n: int) -> tuple[str, ...]:
    return tuple(f"{prefix}_{i:02d}" for i in range(1, n + 1))


ECR_R = Instrument(
    name="ecr-r",
    title="Experiences in Close Relationships-Revised (36 items)",
    columns=_numbered("ecr_r", 36),
    low=1,
    high=7,
    subscales=(
        # Fraley, Waller & Brennan (2000); key from Fraley's ECR-R page: 1-18 anxiety (9, 11
        # reversed), 19-36 avoidance (20, 22, 26-31, 33-36 reversed).
        Subscale(name="anxiety", items=tuple(range(1, 19)), reversed_items=(9, 11)),
        Subscale(
            name="avoidance",
            items=tuple(range(19, 37)),
            reversed_items=(20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36),
        ),
    ),
    source="Fraley, Waller & Brennan (2000), J Pers Soc Psychol 78:350-365; "
    "key as published on R. C. Fraley's ECR-R page",
)

ECR_S = Instrument(
    name="ecr-s",
    title="Experiences in Close Relationship Scale-Short Form (12 items)",
    columns=_numbered("ecr_s", 12),
    low=1,
    high=7,
    subscales=(
        # Wei, Russell, Mallinckrodt & Vogel (2007), appendix: even items anxiety (8 reversed),
        # odd items avoidance (1, 5, 9 reversed).
        Subscale(name="anxiety", items=(2, 4, 6, 8, 10, 12), reversed_items=(8,)),
        Subscale(name="avoidance", items=(1, 3, 5, 7, 9, 11), reversed_items=(1, 5, 9)),
    ),
    source="Wei, Russell, Mallinckrodt & Vogel (2007), J Pers Assess 88:187-204, appendix",
)

# RQ prototype ratings in the order of the RQ form's paragraphs A-D (Bartholomew & Horowitz 1991).
_RQ_PROTOTYPES = ("secure", "fearful", "preoccupied", "dismissing")

RQ = Instrument(
    name="rq",
    title="Relationship Questionnaire (four prototype ratings and a forced choice)",
    columns=(*(f"rq_{p}" for p in _RQ_PROTOTYPES), "rq_choice"),
    low=1,
    high=7,
    subscales=(
        # Griffin & Bartholomew (1994): self = (S + D) - (F + P); other = (S + P) - (F + D).
        Subscale(name="self", items=(1, 2, 3, 4), contrast=(1, -1, -1, 1)),
        Subscale(name="other", items=(1, 2, 3, 4), contrast=(1, -1, 1, -1)),
    ),
    source="Bartholomew & Horowitz (1991), J Pers Soc Psychol 61:226-244; dimensions: "
    "Griffin & Bartholomew (1994), J Pers Soc Psychol 67:430-445",
    choice_column="rq_choice",
    choice_codes=MappingProxyType(
        {
            **{letter: p for letter, p in zip("abcd", _RQ_PROTOTYPES, strict=True)},
            **{str(i): p for i, p in enumerate(_RQ_PROTOTYPES, start=1)},
        }
    ),
)

#: Every instrument this package scores, by its command-line name.
INSTRUMENTS: Mapping[str, Instrument] = MappingProxyType({inst.name: inst for inst in (ECR_R, ECR_S, RQ)})


def instrument(name: str | Instrument) -> Instrument:
    """Look up an instrument by name (``"ecr-r"``, ``"ecr-s"``, ``"rq"``)."""
    if isinstance(name, Instrument):
        return name
    try:
        return INSTRUMENTS[name]
    except (KeyError, TypeError):
        raise ParameterError("instrument", f"one of {sorted(INSTRUMENTS)}", name) from None
