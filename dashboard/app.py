"""The werkpad dashboard: a router (st.navigation) over thin pages that share one shell.

Run through `werkpad serve` (or `streamlit run dashboard/app.py -- --warehouse F`).
The shell draws the language switch, the global filters and the freshness line, and hands each
page a Context; a page reads filters -> calls a query function -> calls a chart function.
To add a page: add a file under views/, a `nav.<name>` label, an entry in
werkpad.access.PAGES and its icon in ICONS.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from dashboard import shell
from dashboard.shell import page
from werkpad.access import OPERATIONAL_PAGES, PAGES
from werkpad.rendering.safe import markdown_literal
from werkpad.site import SiteSettingsError, current_settings

# pages that say themselves why they have nothing to show: the operational ones, and the
# employer network, whose figures are placements, not the people of the selection
OWN_EMPTY_STATE = OPERATIONAL_PAGES | {"employers"}
# pages that read today's data whatever "data as of" says: revisions compare with today
TODAY_ONLY = {"revisions"}
PAGES_DIR = Path(__file__).parent / "views"  # not "pages": Streamlit would auto-load that folder
# page -> its menu icon; which pages exist and who sees them is werkpad.access.PAGES
ICONS = {
    "overview": ":material/monitoring:",
    "reach": ":material/groups:",
    "conversion": ":material/filter_alt:",
    "referral": ":material/call_split:",
    "outcomes": ":material/work:",
    "employers": ":material/handshake:",
    "data_quality": ":material/fact_check:",
    "revisions": ":material/history:",
}

try:
    settings = current_settings()
except SiteSettingsError as error:  # the data steward's to mend; nothing is shown with it
    st.set_page_config(page_title="werkpad", page_icon=page.FAVICON)
    st.error(markdown_literal(str(error)), icon=":material/error:")
    st.stop()
st.set_page_config(page_title=settings.name, page_icon=page.FAVICON, layout="wide")
page.print_view()
ctx = shell.build()
# signed out: the sign-in form is in the language chosen in the sidebar, and so are the menu
# and <html lang>
t = ctx.t if ctx else shell.Translator(st.session_state.get("lang") or settings.language)
page.document_script(t.lang, shell.SHELL_PARAMS)
router = st.navigation(
    [
        st.Page(
            PAGES_DIR / f"{name}.py",
            title=t(f"nav.{name}"),
            icon=ICONS[name],
            url_path=name,
            default=name == "overview",
        )
        for name in (ctx.pages if ctx else PAGES)
    ]
)
if ctx is None:
    st.stop()
if ctx.as_of is not None:  # the vintage banner, or, where it does not apply, that it does not
    if router.url_path in TODAY_ONLY:
        st.info(t("asof.not_here", date=t.date(ctx.as_of)), icon=":material/history:")
    else:
        st.warning(t("asof.banner", date=t.date(ctx.as_of)), icon=":material/history:")
# A page about the selection's figures says in words why there are none, instead of drawing
# empty axes (and instead of a chart library's error on an empty frame).
if router.url_path not in OWN_EMPTY_STATE and (reason := ctx.nothing_to_show()):
    st.title(router.title)
    st.info(t(f"app.{reason}"), icon=":material/info:")
    st.stop()
router.run()
