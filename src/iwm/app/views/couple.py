"""A couple: two working models meet, day by day (C6-C24, C31)."""

from __future__ import annotations

import streamlit as st

from iwm.app._charts import couple_panels
from iwm.app._logic import couple
from iwm.app._ui import header, show_error
from iwm.measure._people import STYLES
from iwm.model._adult import Mechanisms

header(
    "A couple, day by day",
    "Every day each partner appraises a stressor, shows some of the need it raises (hyperactivation C6, "
    "deactivation C10), answers the other's bid and reads the answer through their own model (projection C21). "
    "An anxious partner's bids and an avoidant partner's withdrawal can feed each other: the pursue-withdraw "
    "cycle (C15). Switch a perpetuation mechanism (C21-C24) off to see what keeps the cycle going.",
)


def who(label: str, default: str, column) -> str | tuple[float, float]:
    column.markdown(f"**Partner {label}**")
    how = column.radio(f"{label}: choose by", ["style", "scores"], horizontal=True, key=f"how_{label}")
    if how == "style":
        return column.selectbox(
            f"{label}: style", list(STYLES), index=list(STYLES).index(default), key=f"style_{label}"
        )
    anx = column.slider(f"{label}: anxiety", 1.0, 7.0, 4.0, 0.1, key=f"anx_{label}")
    avo = column.slider(f"{label}: avoidance", 1.0, 7.0, 4.0, 0.1, key=f"avo_{label}")
    return (anx, avo)


left, right = st.columns(2)  # not a form: choosing "scores" shows the sliders at once
a = who("a", "anxious", left)
b = who("b", "avoidant", right)
days = st.slider("days", 14, 365, 120, 7)
seed = st.number_input("seed", 0, 2**31 - 1, 1)
off = st.multiselect("Switch off (compared with all on)", list(Mechanisms.names()))
submitted = st.button("Simulate the couple", type="primary")

if submitted:
    try:
        with st.spinner("simulating"):
            st.session_state["couple_result"] = couple(a, b, days=int(days), seed=int(seed), off=off)
    except Exception as exc:
        show_error(exc)

result = st.session_state.get("couple_result")
if result is not None:
    st.dataframe(result["comparison"], hide_index=True)
    for label, frame in result["traces"].items():
        st.subheader(label)
        panels = couple_panels(frame)
        for i in range(0, len(panels), 2):
            for column, (_, chart) in zip(st.columns(2), panels[i : i + 2], strict=False):
                column.altair_chart(chart.properties(height=240), width="stretch")
