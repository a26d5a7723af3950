"""Small pieces every page shares: the page header and a progress bar for long simulations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st

DISCLAIMER = "A research and teaching model, never a clinical diagnosis of a real person."


def header(title: str, text: str) -> None:
    """The page title and two or three sentences on what the user is looking at (with C-ids)."""
    st.title(title)
    st.markdown(text)
    st.caption(DISCLAIMER)


@contextmanager
def progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar fed by iwm's ``progress(done, total)`` callbacks; removed when done."""
    bar = st.progress(0.0, text=label)

    def update(done: int, total: int) -> None:
        bar.progress(min(1.0, done / total) if total else 1.0, text=f"{label}: {done:,} of {total:,}")

    try:
        yield update
    finally:
        bar.empty()


def show_error(exc: Exception) -> None:
    st.error(str(exc))
