"""Data quality: each project's live snapshot and the files the nightly load saw."""

import streamlit as st

from werkpad.dashboard import data

st.title("Datakwaliteit")
_, version = data.connection()
st.subheader("Live snapshots")
st.dataframe(data.table(version, "snapshots"), hide_index=True)
st.subheader("Recent files")
st.dataframe(data.table(version, "run_files"), hide_index=True)
