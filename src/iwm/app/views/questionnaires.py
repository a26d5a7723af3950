"""Questionnaires: real respondents on the model's scale (measurement; C1, C2)."""

from __future__ import annotations

import streamlit as st

from iwm.app._charts import ECR, ECR_RANGE, MODEL_UNITS, lines, scatter
from iwm.app._logic import (
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_MB,
    MAX_UPLOAD_ROWS,
    respondent_forward,
    sample_tables,
    score_upload,
    scored_csv,
)
from iwm.app._ui import header, show_error
from iwm.measure._people import STYLES

header(
    "Questionnaires: score a sample, place a person in the model",
    "Upload answers to the ECR-R, ECR-S or RQ: they are scored with the published keys and shown in anxiety x "
    "avoidance space, the two dimensions that read out the self model (C1) and the other model (C2). A "
    "respondent can be placed into the model and live forward with a partner (C6-C15). The file stays in memory "
    "and is never written to disk; scores describe research samples, not diagnoses.",
)

upload = st.file_uploader(
    "Responses (CSV, TSV, Excel or Parquet)", type=["csv", "tsv", "xlsx", "parquet"], max_upload_size=MAX_UPLOAD_MB
)
st.caption(
    f"One file of up to {MAX_UPLOAD_MB} MB ({MAX_UPLOAD_BYTES:,} bytes) and {MAX_UPLOAD_ROWS:,} respondents; it is "
    "held in memory only."
)
cols = st.columns(3)
instrument = cols[0].selectbox("Instrument", ["ecr-r", "ecr-s", "rq"])
id_column = cols[1].text_input("Respondent id column", "id")
lenient = cols[2].checkbox("Score invalid cells as missing", value=False)

if upload is not None:
    try:
        st.session_state["scored"] = score_upload(upload.getvalue(), upload.name, instrument, id_column, lenient)
        st.session_state["scored_name"] = upload.name
    except Exception as exc:  # a clear message naming file, row and column
        st.session_state.pop("scored", None)
        show_error(exc)

result = st.session_state.get("scored")
if upload is not None and result is not None:
    stats = result["stats"]
    st.subheader(f"{stats['n']} respondents, {stats['instrument']}")
    tables = sample_tables(stats)
    left, right = st.columns([3, 2])
    left.markdown("**Subscale scores and reliability**")
    left.dataframe(
        tables["subscales"],
        hide_index=True,
        column_config={
            "mean": st.column_config.NumberColumn(format="%.2f"),
            "SD": st.column_config.NumberColumn(format="%.2f"),
            "alpha": st.column_config.NumberColumn("alpha (Cronbach)", format="%.2f"),
            "omega": st.column_config.NumberColumn("omega (McDonald)", format="%.2f"),
        },
    )
    right.markdown("**Research categories** (never diagnoses)")
    right.dataframe(
        tables["categories"], hide_index=True, column_config={"share": st.column_config.NumberColumn(format="percent")}
    )
    for note in tables["notes"]:
        st.caption(note)
    for warning in tables["warnings"]:
        st.warning(warning)
    if result["problems"] is not None:
        st.warning(f"{len(result['problems'])} invalid cells were scored as missing:")
        st.dataframe(result["problems"], hide_index=True, height=160)
    st.dataframe(result["scored"], hide_index=True, height=240)
    st.download_button(
        "Download the scored file (CSV)",
        data=scored_csv(result["scored"]),
        file_name=f"scored-{st.session_state['scored_name'].rsplit('.', 1)[0]}.csv",
        mime="text/csv",
    )
    dims = result["dimensions"]
    if dims is not None:
        st.markdown("**The sample in anxiety x avoidance space** (scale midpoint 4)")
        st.altair_chart(
            scatter(dims.dropna(), f"{stats['n']} respondents ({stats['instrument']})").properties(height=360),
            width="stretch",
        )
        complete = dims.dropna()
        if len(complete):
            st.markdown("**Place a respondent into the model and simulate forward**")
            with st.form("forward"):
                chosen = st.selectbox("Respondent", complete["id"].astype(str).tolist())
                partner = st.selectbox("Partner's style", list(STYLES), index=0)
                days = st.slider("days", 14, 365, 90, 7)
                go = st.form_submit_button("Simulate forward")
            if go:
                row = complete[complete["id"].astype(str) == chosen].iloc[0]
                try:
                    frame = respondent_forward(
                        float(row["anxiety"]), float(row["avoidance"]), partner, days=int(days), seed=1
                    )
                    st.markdown(f"Respondent {chosen} (a) with a typical {partner} partner (b)")
                    st.altair_chart(
                        lines(
                            frame,
                            "day",
                            {
                                "bid_a": "bid",
                                "perceived_a": "perceived response",
                                "distress_a": "distress",
                                "trust_a": "trust",
                            },
                            title=f"Respondent {chosen} day by day",
                            x_title="day of the relationship",
                            y_title=f"respondent ({MODEL_UNITS})",
                            legend="measure",
                        ).properties(height=260),
                        width="stretch",
                    )
                    st.altair_chart(
                        lines(
                            frame,
                            "day",
                            {"anxiety_a": "anxiety", "avoidance_a": "avoidance"},
                            title=f"Respondent {chosen}: working model",
                            x_title="day of the relationship",
                            y_title=f"score ({ECR})",
                            domain=ECR_RANGE,
                            legend="dimension",
                        ).properties(height=200),
                        width="stretch",
                    )
                except Exception as exc:
                    show_error(exc)
    else:
        st.info("The RQ has no anxiety and avoidance scores on the ECR scale; placement needs the ECR-R or ECR-S.")
