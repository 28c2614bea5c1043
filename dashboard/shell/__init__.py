"""The app shell: language, global filters bound to the URL, data freshness; the page context.

Every filter is a widget kept in step with a URL query parameter (its key) holding codes, never
labels, so a link reproduces the view in any language. Streamlit's own `bind="query-params"`
matches the URL against the formatted (translated) label, so the shell syncs by hand: on a
session's first run the widget starts from the URL, and every run writes the widget's value
back. An invalid value falls back to the default with a notice naming the parameter (never
echoing its value). Pages call `context()` and get
the language, the metrics filters, captions and the warehouse version to query.

To add a filter: add it to werkpad.metrics.FILTERS (its SQL), to MULTI_FILTERS here (its options)
and a `filter.<key>` label to the translation files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from typing import Any

import polars as pl
import streamlit as st

from dashboard import data
from dashboard.shell.filters import (
    FILTER_KEYS,
    SHELL_PARAMS,
    _as_of,
    _comparison,
    _language,
    _multi_options,
    _named,
    _period,
    _references,
    _start_multi,
    _to_url,
    comparison_bounds,
)
from dashboard.shell.freshness import _freshness
from dashboard.shell.signin import _STATE_KEY, _login, _logout, _oidc_configured
from werkpad import disclosure, targets
from werkpad.access import User, scope_filters
from werkpad.metrics import placements
from werkpad.rendering.i18n import Translator
from werkpad.rendering.selection import describe
from werkpad.site import current_settings

__all__ = ["SHELL_PARAMS", "Context", "Translator", "build", "context"]


@dataclass(frozen=True)
class Context:
    """What a page needs: texts, filters, captions and which warehouse version to read."""

    t: Translator
    version: data.Version
    filters: dict[str, Any]
    previous: dict[str, Any] | None
    data_date: dt.date
    caption: str
    slug: str
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    user: User = field(default_factory=lambda: User("demo", "steering"))
    projects: tuple[str, ...] = ()  # the projects this user may see
    compared_with: str = ""  # "t.o.v. 01/07/2023–30/09/2023": what `previous` is, in words

    @property
    def pages(self) -> tuple[str, ...]:
        """The pages the user may open (werkpad.access: funders see no operational page)."""
        return self.user.pages

    def selected_projects(self) -> tuple[str, ...]:
        """The projects the selection's programme, province and project filters pick, of
        those the user may see: the projects whose targets the overview shows."""
        frame = data.table(self.version, "projects").filter(
            pl.col("project_code").is_in(self.projects)
        )
        return targets.selected_projects(frame, self.filters)

    @cached_property
    def lineage(self) -> str:
        """The extract date of each project the selection covers (of the vintage shown),
        projects of one date together, for every download's notes (issue 12):
        "Extractdatum per project: 31/12/2023: WGTW-ANT, WGTW-LIM."."""
        snapshots = data.table(self.version, "snapshots").filter(
            pl.col("project_code").is_in(self.selected_projects())
        )
        if snapshots.is_empty():
            return ""
        by_date = snapshots.group_by("extract_date").agg(pl.col("project_code").sort())
        dates = "; ".join(
            f"{self.t.date(day)}: {', '.join(codes)}"
            for day, codes in by_date.sort("extract_date", descending=True).iter_rows()
        )
        return self.t("download.extracts", dates=dates)

    def project_rows(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Bookkeeping rows (snapshots, files) of the user's projects; steering sees all."""
        if not self.user.suppressed:
            return frame
        return frame.filter(pl.col("project_code").is_in(self.projects))

    @property
    def key(self) -> tuple:
        return data.freeze(self.filters)

    @property
    def threshold(self) -> int | None:
        """Small counts are suppressed for scoped roles (funders and project leads)."""
        return current_settings().suppression_threshold if self.user.suppressed else None

    def headline(
        self, filters: dict[str, Any] | None = None, only: tuple[str, ...] | None = None
    ) -> dict:
        """Headline metrics for these filters (default: the page's), in the user's scope;
        `only` the metrics a page shows (cheaper at a million trajectories)."""
        chosen = self.filters if filters is None else filters | scope_filters(self.user)
        return data.headline(self.version, data.freeze(chosen), self.threshold, only)

    @property
    def as_of(self) -> dt.date | None:
        """The day whose data the pages show; None: today's."""
        return _vintage_day(self.version)

    def nothing_to_show(self) -> str | None:
        """Why the selection has no figures to draw: `no_data` (nobody in it) or
        `all_withheld` (its count of people reached is withheld, so is every count within it);
        None when there is something to show."""
        reached = self.headline(only=("reached",))["reached"]
        if reached == 0:
            return "no_data"
        return "all_withheld" if reached is None else None

    def grouped(
        self, group_by: tuple[str, ...], only: tuple[str, ...], previous: bool = False
    ) -> pl.DataFrame:
        """Metrics per group for the page's filters (or the comparison period's), in the
        user's scope, suppressed if due."""
        key = data.freeze(self.previous) if previous and self.previous else self.key
        return data.grouped(self.version, key, group_by, only, self.threshold)

    def for_placements(self) -> tuple[Context, list[str]]:
        """This context narrowed to what placements can be selected by (where and when), its
        caption and file names saying exactly that; and the names of the filters set that
        placements cannot be selected by (about the person), for the page to say so."""
        kept, ignored = placements.selectable(self.filters)
        caption, slug = _captioned(self.t, kept, self.names, _vintage_day(self.version))
        narrowed = replace(self, filters=kept, previous=None, caption=caption, slug=slug)
        return narrowed, ignored

    def for_today(self) -> Context:
        """This context on today's data, whatever vintage the sidebar chose, its captions,
        file names and lineage saying so: for a page that compares with today (revisions)."""
        today = data.as_of(self.version, None)
        caption, slug = _captioned(self.t, self.filters, self.names, None)
        return replace(self, version=today, caption=caption, slug=slug)

    def placement_headline(self) -> dict:
        """The employer-network metrics of the page's filters (see for_placements)."""
        return data.placement_headline(self.version, self.key, self.threshold)

    def placement_grouped(self, group_by: tuple[str, ...], only: tuple[str, ...]) -> pl.DataFrame:
        """Employer-network metrics per group, in the user's scope, suppressed if due."""
        return data.placement_grouped(self.version, self.key, group_by, only, self.threshold)

    def name(self, kind: str, code: str) -> str:
        """Display name of a province, region, project or partner code."""
        return self.names.get(kind, {}).get(code, code)


def _captioned(
    t: Translator, filters: dict[str, Any], names: dict[str, dict[str, str]], as_of: dt.date | None
) -> tuple[str, str]:
    """The selection's caption and file-name slug; every caption and file name says which
    vintage it shows."""
    caption, slug = describe(t, filters, names)
    if as_of is not None:
        caption = t("asof.caption", caption=caption, date=t.date(as_of))
        slug = f"{slug}_asof-{as_of:%Y%m%d}"
    return caption, slug


def _vintage_day(version: data.Version) -> dt.date | None:
    return dt.date.fromisoformat(version[2]) if version[2] else None


def context() -> Context:
    return st.session_state[_STATE_KEY]


def build() -> Context | None:
    """Draw the sidebar and freshness line; store and return the page context."""
    t = _language()
    user = _login(t)
    if user is None:
        st.session_state.pop(_STATE_KEY, None)
        return None
    if user.name != "demo":
        st.sidebar.text(  # text, not Markdown: an e-mail address stays as typed, no link
            t("access.signed_in", name=user.name, role=t(f"access.role.{user.role}"))
        )
        st.sidebar.button(
            t("access.logout"), on_click=st.logout if _oidc_configured() else _logout, key="logout"
        )
    if user.suppressed:
        t = Translator(t.lang, missing=disclosure.SYMBOL)
    version = data.version()
    if version is None:
        st.info(t("app.no_warehouse"))
        return None
    invalid: list[str] = []
    as_of = _as_of(t, version, invalid, user)
    version = data.as_of(version, as_of)  # the router says so (a page may read today's)
    refs = _references(version, user)
    names = {
        "programme": dict(refs["programmes"].iter_rows()),
        "province": dict(refs["provinces"].iter_rows()),
        "region": dict(refs["regions"].select("region_code", "name").iter_rows()),
        "project": dict(refs["projects"].select("project_code", "name").iter_rows()),
        "partner": dict(refs["partners"].select("partner_code", "partner_name").iter_rows()),
    }
    dates = refs["data_dates"].row(0, named=True)
    first, data_date = dates["first_reached"], dates["data_date"]
    if first is None:
        st.info(t("app.no_data"))
        return None
    chosen: dict[str, list[str]] = {}
    st.sidebar.header(t("app.filters"))
    for key in FILTER_KEYS:
        if key in ("region", "partner") and not user.partner_detail:
            continue
        options = _multi_options(refs, lambda k: chosen.get(k, []))[key]
        _start_multi(key, options, t(f"filter.{key}"), invalid)
        kind = key if key in names else None
        chosen[key] = st.sidebar.multiselect(
            t(f"filter.{key}"),
            options,
            key=key,
            placeholder=t("filter.all"),
            format_func=partial(_named, names[kind]) if kind else partial(t.category, key),
            select_all=False,  # Streamlit's "Select all" is English only; none chosen is all
        )
        _to_url(key, chosen[key], [])
    filters: dict[str, Any] = dict(chosen) | scope_filters(user)
    period, start, end = _period(t, first, data_date, invalid, user.suppressed)
    if period != "whole":
        filters |= {"reached_from": start, "reached_to": end}
    previous, compared_with = None, ""
    if period != "whole":
        bounds = comparison_bounds(_comparison(t, invalid), start, end, first, user.suppressed)
        if bounds:
            previous = filters | {"reached_from": bounds[0], "reached_to": bounds[1]}
            compared_with = t("compare.with", start=t.date(bounds[0]), end=t.date(bounds[1]))
    if invalid:
        st.warning(t("app.invalid_params", names=", ".join(invalid)))
    projects = tuple(refs["projects"]["project_code"])
    _freshness(t, version, projects, operational=user.partner_detail)
    if user.suppressed:
        st.caption(
            t(
                "access.suppressed_note",
                symbol=disclosure.SYMBOL,
                threshold=current_settings().suppression_threshold,
            )
        )
    caption, slug = _captioned(t, filters, names, as_of)
    ctx = Context(
        t,
        version,
        filters,
        previous,
        data_date,
        caption,
        slug,
        names=names,
        user=user,
        projects=projects,
        compared_with=compared_with,
    )
    st.session_state[_STATE_KEY] = ctx
    return ctx
