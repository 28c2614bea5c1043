"""The werkpad dashboard: a router with st.navigation over thin pages.

Run through `werkpad serve` (or `streamlit run werkpad/dashboard/app.py -- --warehouse F`).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).parent / "pages"

st.set_page_config(page_title="werkpad", layout="wide")
router = st.navigation(
    [
        st.Page(
            PAGES / "overview.py", title="Overzicht", icon=":material/monitoring:", default=True
        ),
        st.Page(PAGES / "data_quality.py", title="Datakwaliteit", icon=":material/fact_check:"),
    ]
)
router.run()
