"""The Streamlit dashboard; the only package that imports streamlit."""

from pathlib import Path

# The script `streamlit run` starts (werkpad serve does it for you).
APP = Path(__file__).with_name("app.py")
