"""Therapy: revising a working model (C25-C30)."""

from __future__ import annotations

import streamlit as st

from iwm.app._logic import dose_response, therapy_course
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
    doses = result["doses"].set_index("weeks")
    left, right = st.columns(2)
    left.markdown("**Dose-response**: treated minus waitlist at the end of therapy (d, in SDs of the whole sample)")
    left.line_chart(doses[["anxiety_d", "avoidance_d"]], height=280)
    right.markdown("**Earned security** at the end of therapy and a year later")
    right.line_chart(doses[["earned_secure", "earned_secure_follow_up"]], height=280)
    st.dataframe(doses.reset_index(), hide_index=True)
    st.markdown(f"**Clients over time**: {result['weeks']} weeks of therapy, then a year of follow-up")
    course = result["course"]
    c1, c2 = st.columns(2)
    c1.line_chart(course[["anxiety", "avoidance"]], height=260)
    c2.line_chart(course[["secure"]], height=260)
    after = course[course["phase"] == "follow-up"]
    if len(after) > 1:
        st.metric(
            "Secure clients: end of therapy -> end of follow-up",
            f"{after['secure'].iloc[-1]:.0%}",
            f"{after['secure'].iloc[-1] - after['secure'].iloc[0]:+.0%}",
        )
