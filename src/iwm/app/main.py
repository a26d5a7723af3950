"""Entry point of the iwm dashboard: ``iwm app`` runs ``streamlit run`` on this file."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

st.set_page_config(page_title="iwm: internal working models", layout="wide")

PAGES = Path(__file__).parent / "views"  # not "pages": that name would turn on the old automatic navigation
navigation = st.navigation(
    [
        st.Page(PAGES / "formation.py", title="Formation", url_path="formation", default=True),
        st.Page(PAGES / "couple.py", title="A couple", url_path="couple"),
        st.Page(PAGES / "therapy.py", title="Therapy", url_path="therapy"),
        st.Page(PAGES / "questionnaires.py", title="Questionnaires", url_path="questionnaires"),
        st.Page(PAGES / "runs.py", title="Runs", url_path="runs"),
    ]
)
st.sidebar.caption("iwm: internal working models of attachment, simulated. Research and teaching only.")
navigation.run()
