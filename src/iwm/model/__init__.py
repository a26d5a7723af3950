"""The simulated person and population: the internal working model itself.

What lives here: the state columns of a population (:class:`Population`: beliefs about self,
other and danger with their uncertainty, the learned strategy, regulation, awareness), the
relationship expectation (C3), perception (C4, C7, C21), caregiving and childhood formation
(C5), the adult day and week (C6-C24, C31), the partner market and relationships, life events
and therapy (C25-C30), and the caregiving a generation gives the next.

Rules of this layer:

* pure functions over whole columns; no I/O, no printing, no pandas, no file formats;
* randomness only from generators handed in (one seed root split by identity, :mod:`._rng`);
* imports nothing from :mod:`iwm.measure`, :mod:`iwm.study`, :mod:`iwm.cli` or :mod:`iwm.app`
  (an import-linter contract in ``pyproject.toml``; the one exception listed there, the
  infant coding inside formation, is removed by the "Working model v2" work);
* returns model state and records (:class:`._development.Formation`,
  :class:`._life.LifeRecord`); shares, dimensions and tables are computed from them in
  :mod:`iwm.measure` and :mod:`iwm.study`.
  It may import :mod:`iwm._errors`.

The public names are re-exported by :mod:`iwm`; see ``docs/architecture.md`` for the
construct map (which file holds which construct of MODEL.md).
"""
