"""Studies: scenarios as files, experiments, sweeps and sensitivity, executors, the run store,
validation against calibration targets, and reports.

What lives here: the scenario schema and its validation (:mod:`._scenario`), mix files
(:mod:`._mixes`), one task of a study as tables (:mod:`._task`), run folders with a
manifest, a journal and Parquet tables read through DuckDB/pandas/polars (:mod:`._store`),
where tasks run (:mod:`._executors`: in this process, a local process pool, Dask), sweeps and
sensitivity (:mod:`._sweep`), the calibration targets (:mod:`._calibration`), studies of
change (:mod:`._trials`), adult life read out (:mod:`._life`: :class:`AdultLife`,
:func:`live`, :func:`simulate_couples`), the HTML reports (:mod:`._report`, :mod:`._run_report`),
and fitting the model to data by simulation-based inference (:mod:`._fit`, :mod:`._fit_check`,
with data formats, priors and summary statistics in :mod:`._fit_data`, :mod:`._fit_priors`,
:mod:`._fit_summaries`; the `fit` extra).

Rules of this layer: it may import :mod:`iwm.measure` and :mod:`iwm.model`, never
:mod:`iwm.cli` or :mod:`iwm.app` (import-linter contract in ``pyproject.toml``). Files are
written atomically (:mod:`iwm._files`); only the driving process writes a run folder.
"""
