"""Runs: results and reports of studies under a runs folder."""

from __future__ import annotations

import os

import streamlit as st

from iwm.app._logic import QUERY_SECONDS, RUN_COLUMNS, list_runs, open_listed_run, report_text, write_run_report
from iwm.app._ui import header, show_error

header(
    "Runs: browse studies and their reports",
    "Studies run from scenario files (`iwm run`, `iwm sweep`) are stored as run folders: Parquet tables with a "
    "manifest. Pick one to see its tasks, query it in SQL (DuckDB) and read its report with style distributions, "
    "trajectories (C1, C2), couples (C15) and therapy dose-response (C25-C29).",
)

# The runs folder is the server's (`iwm app --runs`): the page reads and writes nothing outside it.
root = os.environ.get("IWM_RUNS", "runs")
st.caption(f"Runs folder: {root}")
runs = list_runs(root)
if runs.empty:
    st.info(f"No run folders under {root!r}. Make one with: iwm run examples/demo.yaml -o {root}/demo")
else:
    st.dataframe(runs[RUN_COLUMNS], hide_index=True)
    name = st.selectbox("Run", runs["run"].tolist())
    try:
        run = open_listed_run(root, name)
        status = run.status()
        st.caption(f"{status['kind']} '{status['name']}': {status['done']} of {status['tasks']} tasks done")
        sql = st.text_area("SQL", "SELECT arm, count(*) AS tasks, avg(end_secure) AS secure FROM summary GROUP BY arm")
        if st.button("Run the query"):
            st.dataframe(run.query(sql, timeout=QUERY_SECONDS), hide_index=True)
        report = report_text(root, run)
        if report is not None:
            with st.expander("Report", expanded=True):
                st.iframe(report, height=900)  # a local HTML file: embedded as it is, scrolling inside
        elif st.button("Write the report"):
            write_run_report(root, run)
            st.rerun()
    except Exception as exc:
        show_error(exc)
