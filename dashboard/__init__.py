"""The Streamlit dashboard; the only package that imports streamlit."""

from pathlib import Path

# The script `streamlit run` starts (werkpad serve does it for you).
APP = Path(__file__).with_name("app.py")

# The colours `werkpad serve` gives Streamlit's theme (as --theme.* options, which hold
# whatever the working directory): text at least 4.5:1 against its background (WCAG AA),
# checked by axe-core in tests/e2e/test_accessibility.py. Streamlit's defaults fall short in
# two places: captions are the text colour at 60 % (3.9:1 with the default #2f2d2b), and a
# selected segment (the language switch) is the accent on a tint of itself (4.2:1 with the
# default #c53948). Light only: these are the colours the contrast was checked in.
THEME = {
    "base": "light",
    "textColor": "#141312",  # captions at 60 %: about #717171 on white, 4.8:1
    "primaryColor": "#a52a3a",  # the accent as text on its own tint: about 6:1
}
