"""The freshness line: the data date and warnings about late or refused loads."""

from __future__ import annotations

import datetime as dt
from typing import cast

import polars as pl
import streamlit as st

from dashboard import data
from werkpad.rendering.i18n import Translator
from werkpad.rendering.safe import markdown_literal
from werkpad.site import current_settings


def _freshness(
    t: Translator, version: data.Version, projects: tuple[str, ...], operational: bool = True
) -> None:
    """The data date for everyone; late and refused loads only for those who can act on them
    (a funder can do nothing about a partner's refused file)."""
    snapshots = data.table(version, "snapshots").filter(pl.col("project_code").is_in(projects))
    if snapshots.is_empty():
        return
    # a Date column's maximum is a date, a Datetime column's a datetime (polars types it wider)
    newest = cast(dt.date, snapshots["extract_date"].max())
    loaded = cast(dt.datetime, snapshots["loaded_at"].max())
    st.caption(t("freshness.line", date=t.date(newest), loaded=t.datetime(loaded)))
    if not operational:
        return
    stale_before = dt.datetime.now() - dt.timedelta(hours=current_settings().stale_after_hours)
    stale = snapshots.filter(pl.col("loaded_at") < stale_before)
    refused = snapshots.filter(pl.col("last_status") == "refused")
    notes = [
        t(
            "freshness.stale",
            project=markdown_literal(row["project_code"]),
            loaded=t.datetime(row["loaded_at"]),
        )
        for row in stale.iter_rows(named=True)
    ]
    if not refused.is_empty():
        codes = ", ".join(refused["project_code"])
        notes.append(t("freshness.refused", project=markdown_literal(codes)))
    if notes:
        st.warning("  \n".join(notes), icon=":material/warning:")
