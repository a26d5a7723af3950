"""Studies of couples and mechanisms: one couple's day-by-day table, and the perpetuation
mechanisms (C21-C24) switched off in turn."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from iwm.measure._change import change_metrics
from iwm.measure._readout import ADULT_CATEGORIES, AdultReadout
from iwm.model._adult import AdultParams, Mechanisms
from iwm.model._blocks import Progress
from iwm.model._population import Population
from iwm.study._life import TRACE_FIELDS, live, simulate_couples


def ablate(
    population: Population,
    *,
    years: float,
    seed: int,
    params: AdultParams | None = None,
    readout: AdultReadout | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    """The same population and seed with each perpetuation mechanism (C21-C24) off in turn.

    Conditions: ``all on``, ``no <mechanism>`` for each of :class:`Mechanisms`, and
    ``all off``. Each row holds the condition, the mechanisms switched off and
    :meth:`AdultLife.stability`: start-end correlation of anxiety and of avoidance, and the
    share of the insecure at the start who are secure at the end; the share partnered at the
    end (all, and the dismissing at the start), so an ablation that removes more than its own
    mechanism shows up as a collapse of partnering; and the change metrics of
    :func:`iwm.measure._change.change_metrics` (category change, mean shifts with 95% CIs).
    """
    on = Mechanisms()
    conditions = [("all on", on)]
    conditions += [(f"no {name.replace('_', ' ')}", on.without(name)) for name in on.names()]
    conditions.append(("all off", Mechanisms.none()))
    rows = []
    for label, mech in conditions:
        life = live(
            population,
            years=years,
            seed=seed,
            params=params,
            mechanisms=mech,
            readout=readout,
            workers=workers,
            progress=progress,
        )
        dismissing = life.style_start == ADULT_CATEGORIES.index("dismissing")
        rows.append(
            {
                "condition": label,
                "off": list(mech.switched_off()),
                "partnered_at_end": float(np.mean(life.partner >= 0)) if life.n else None,
                "dismissing_partnered_at_end": float(np.mean(life.partner[dismissing] >= 0))
                if dismissing.any()
                else None,
                **life.stability(),
                **change_metrics(life.start, life.end, life.readout),
            }
        )
    return rows


def dyad(
    a: Population,
    b: Population,
    *,
    days: int,
    seed: int,
    params: AdultParams | None = None,
    mechanisms: Mechanisms | None = None,
) -> pd.DataFrame:
    """One couple's day-by-day trace as a table: a ``day`` column and ``FIELD_a``/``FIELD_b``
    for every field of :data:`TRACE_FIELDS` (``a`` and ``b`` hold one person each)."""
    if a.n != 1 or b.n != 1:
        raise ValueError(f"dyad() takes one person on each side; got {a.n} and {b.n}")
    trace = simulate_couples(a, b, days=days, seed=seed, params=params, mechanisms=mechanisms)
    cols: dict[str, Any] = {"day": np.arange(1, days + 1)}
    for f in TRACE_FIELDS:
        cols[f"{f}_a"] = trace[f][:, 0, 0]
        cols[f"{f}_b"] = trace[f][:, 1, 0]
    return pd.DataFrame(cols)
