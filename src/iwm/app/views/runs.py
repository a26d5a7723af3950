"""Runs: results and reports of studies under a runs folder."""

from __future__ import annotations

import os

import streamlit as st

from iwm.app._logic import RUN_COLUMNS, list_runs
from iwm.app._ui import header, show_error
from iwm.study._store import open_run

header(
    "Runs: browse studies and their reports",
    "Studies run from scenario files (`iwm run`, `iwm sweep`) are stored as run folders: Parquet tables with a "
    "manifest. Pick one to see its tasks, query it in SQL (DuckDB) and read its report with style distributions, "
    "trajectories (C1, C2), couples (C15) and therapy dose-response (C25-C29).",
)

root = st.text_input("Runs folder", os.environ.get("IWM_RUNS", "runs"))
runs = list_runs(root)
if runs.empty:
    st.info(f"No run folders under {root!r}. Make one with: iwm run examples/demo.yaml -o {root}/demo")
else:
    st.dataframe(runs[RUN_COLUMNS], hide_index=True)
    name = st.selectbox("Run", runs["run"].tolist())
    try:
        run = open_run(runs.set_index("run").loc[name, "path"])
        status = run.status()
        st.caption(f"{status['kind']} '{status['name']}': {status['done']} of {status['tasks']} tasks done")
        sql = st.text_area("SQL", "SELECT arm, count(*) AS tasks, avg(end_secure) AS secure FROM summary GROUP BY arm")
        if st.button("Run the query"):
            st.dataframe(run.query(sql), hide_index=True)
        report = run.path / "report.html"
        if report.exists():
            with st.expander("Report", expanded=True):
                st.iframe(report, height=900)  # a local HTML file: embedded as it is, scrolling inside
        elif st.button("Write the report"):
            from iwm.study._run_report import write_report

            write_report(run.path)
            st.rerun()
    except Exception as exc:
        show_error(exc)
