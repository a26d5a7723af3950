"""Therapy: revising a working model (C25-C30)."""

from __future__ import annotations

import streamlit as st

from iwm.app._charts import ECR, SHARE, lines
from iwm.app._logic import DOSE_LABELS, dose_response, therapy_course
from iwm.app._ui import header, progress, show_error
from iwm.model._therapy import Components

header(
    "Therapy: dose-response and relapse",
    "Clients meet an attuned, reliable therapist weekly (C25) while their lives go on. Four components can be "
    "switched off: awareness of the model (C26), regulation of distress (C27), integration of the past (C28) and "
    "new relational patterns (C29). Watch clients' anxiety and avoidance fall with more sessions, earned "
    "security, and relapse when negative life events strike after therapy.",
)

with st.form("therapy"):
    style = st.selectbox("Clients' style", ["anxious", "avoidant", "disorganized"])
    keep = st.multiselect("Components", list(Components.names()), default=list(Components.names()))
    doses = st.multiselect("Doses (weeks)", [0, 5, 10, 20, 30, 40, 60], default=[0, 10, 20, 40])
    course = st.slider("Weeks for the trajectory", 0, 60, 20, 5)
    n = st.slider("clients", 100, 2000, 400, 100)
    events = st.checkbox("Negative life events (losses, traumas) and relapse", value=True)
    seed = st.number_input("seed", 0, 2**31 - 1, 5)
    submitted = st.form_submit_button("Run the trial")

if submitted:
    without = [c for c in Components.names() if c not in keep]
    try:
        with progress("therapy trial") as update:
            st.session_state["therapy_result"] = {
                "doses": dose_response(
                    style,
                    n=int(n),
                    weeks=sorted(doses) or [0],
                    seed=int(seed),
                    without=without,
                    events=events,
                    progress=update,
                ),
                "course": therapy_course(
                    style, n=int(n), weeks=int(course), seed=int(seed), without=without, events=events, progress=update
                ),
                "weeks": int(course),
            }
    except Exception as exc:
        show_error(exc)

result = st.session_state.get("therapy_result")
if result is not None:
    doses = result["doses"]
    left, right = st.columns(2)
    left.markdown("**Dose-response**: treated minus waitlist at the end of therapy (d, in SDs of the whole sample)")
    left.altair_chart(
        lines(
            doses,
            "weeks",
            {"anxiety_d": "anxiety", "avoidance_d": "avoidance"},
            title="Effect of therapy at its end",
            x_title="weeks of therapy",
            y_title="d, treated - waitlist (SD of the whole sample)",
            legend="dimension",
        ).properties(height=280),
        width="stretch",
    )
    right.markdown("**Earned security** at the end of therapy and a year later")
    right.altair_chart(
        lines(
            doses,
            "weeks",
            {"earned_secure": "end of therapy", "earned_secure_follow_up": "a year later"},
            title="Clients secure",
            x_title="weeks of therapy",
            y_title="share of clients secure",
            domain=SHARE,
            percent=True,
            legend="when",
        ).properties(height=280),
        width="stretch",
    )
    shares = {"earned_secure", "earned_secure_follow_up", "relapse"}
    st.dataframe(
        doses.rename(columns=DOSE_LABELS),
        hide_index=True,
        column_config={
            DOSE_LABELS.get(c, c): st.column_config.NumberColumn(format="percent" if c in shares else "%.2f")
            for c in doses.columns
            if c != "weeks"
        },
    )
    st.markdown(f"**Clients over time**: {result['weeks']} weeks of therapy, then a year of follow-up")
    course = result["course"]
    c1, c2 = st.columns(2)
    c1.altair_chart(
        lines(
            course,
            "week",
            ["anxiety", "avoidance"],
            title="Clients' mean scores",
            x_title="week since therapy began",
            y_title=f"mean score ({ECR})",
            zero=False,
            legend="dimension",
        ).properties(height=260),
        width="stretch",
    )
    c2.altair_chart(
        lines(
            course,
            "week",
            {"secure": "secure"},
            title="Clients secure",
            x_title="week since therapy began",
            y_title="share of clients secure",
            domain=SHARE,
            percent=True,
            legend="share",
        ).properties(height=260),
        width="stretch",
    )
    after = course[course["phase"] == "follow-up"]
    if len(after) > 1:
        st.metric(
            "Secure clients: end of therapy -> end of follow-up",
            f"{after['secure'].iloc[-1]:.0%}",
            f"{after['secure'].iloc[-1] - after['secure'].iloc[0]:+.0%}",
        )
