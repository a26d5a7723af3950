"""Formation: caregiving becomes a working model (C1-C5)."""

from __future__ import annotations

import streamlit as st

from iwm.app._charts import grouped_bars, scatter
from iwm.app._logic import custom_mix, formation
from iwm.app._ui import header, progress, show_error
from iwm.model._caregiving import MIXES

header(
    "Formation: from caregiving to a working model",
    "Each simulated child lives 936 weekly episodes: distress, a signal, the caregiver's response, and a "
    "revision of beliefs about the self (C1: worthy of care?) and others (C2: available? dangerous?) and of "
    "the signalling strategy that worked (C3-C5). Choose the caregiving and compare infants at 12 months and "
    "adults at 18 with the published distributions.",
)

with st.form("formation"):
    kind = st.radio("Caregiving", ["a named mix", "one caregiver profile"], horizontal=True)
    mix_name = st.selectbox("Named mix", list(MIXES), index=0)
    cols = st.columns(4)
    sensitivity = cols[0].slider("sensitivity", 0.0, 1.0, 0.8, 0.05)
    consistency = cols[1].slider("consistency", 0.0, 1.0, 0.8, 0.05)
    rejection = cols[2].slider("rejection", 0.0, 1.0, 0.1, 0.05)
    frightening = cols[3].slider("frightening", 0.0, 1.0, 0.02, 0.01)
    n = st.slider("children", 1000, 50_000, 10_000, 1000)
    seed = st.number_input("seed", 0, 2**31 - 1, 7)
    submitted = st.form_submit_button("Form the population")

if submitted:
    mix = mix_name if kind == "a named mix" else custom_mix(sensitivity, consistency, rejection, frightening)
    try:
        with progress("forming working models") as update:
            st.session_state["formation_result"] = formation(mix, int(n), int(seed), progress=update)
    except Exception as exc:  # shown on the page, never a traceback
        show_error(exc)

result = st.session_state.get("formation_result")
if result is not None:
    st.subheader(f"{result['n']:,} children")
    left, right = st.columns(2)
    if not result.get("targets_apply", True):
        st.caption(
            "The published distributions T1 and T3 describe low-risk samples, so they are shown only for the "
            "low-risk mix; in high-risk samples D is two to three times as frequent (T2)."
        )
    left.markdown("**Infants at 12 months** (Strange Situation classes, C5), with T1 where it applies")
    left.altair_chart(
        grouped_bars(result["infant"], "class", "Infant classes", "Strange Situation class", "share of infants"),
        width="stretch",
    )
    right.markdown("**Adults at 18** (AAI classes), with the published adult distribution T3 where it applies")
    right.altair_chart(
        grouped_bars(result["adult"], "class", "Adult classes at 18", "AAI class", "share of adults"), width="stretch"
    )
    st.markdown("**Anxiety x avoidance** (C1 self model, C2 other model; ECR metric, scale midpoint 4)")
    st.altair_chart(
        scatter(result["space"], "Adults at 18 (a sample of up to 3,000)", color="style").properties(height=420),
        width="stretch",
    )
    shares = result["styles"]
    st.markdown("**Adult styles at 18** (ECR quadrants, cut at the scale midpoint 4)")
    st.dataframe(
        shares.to_frame("share").T,
        hide_index=True,
        column_config={k: st.column_config.NumberColumn(k, format="percent") for k in shares.index},
    )
