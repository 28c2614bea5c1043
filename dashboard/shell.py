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
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, cast

import polars as pl
import streamlit as st

from dashboard import data
from werkpad import config, disclosure
from werkpad.access import User, UserFile, scope_filters, sign_in
from werkpad.contract import default_contract
from werkpad.rendering.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator
from werkpad.rendering.safe import markdown_literal

PERIODS = ["whole", "this_year", "last_quarter", "custom"]
TARGET_GROUPS = ["mental_health", "addiction", "physical_disability", "migration_background"]
AGE_GROUPS = ["18-29", "30-54", "55+"]
_STATE_KEY = "_werkpad_context"


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

    @property
    def pages(self) -> tuple[str, ...]:
        """Funders see aggregates only: no data-quality page (file names, partner detail)."""
        every = ("overview", "reach", "conversion", "referral", "outcomes", "data_quality")
        return every if self.user.partner_detail else every[:-1]

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
        return disclosure.THRESHOLD if self.user.suppressed else None

    def headline(self, filters: dict[str, Any] | None = None) -> dict:
        """Headline metrics for these filters (default: the page's), in the user's scope."""
        chosen = self.filters if filters is None else filters | scope_filters(self.user)
        return data.headline(self.version, data.freeze(chosen), self.threshold)

    def grouped(self, group_by: tuple[str, ...], only: tuple[str, ...]) -> pl.DataFrame:
        """Metrics per group for the page's filters, in the user's scope, suppressed if due."""
        return data.grouped(self.version, self.key, group_by, only, self.threshold)

    def name(self, kind: str, code: str) -> str:
        """Display name of a province, region, project or partner code."""
        return self.names.get(kind, {}).get(code, code)


def context() -> Context:
    return st.session_state[_STATE_KEY]


def _references(version: data.Version, user: User) -> dict[str, pl.DataFrame]:
    """Reference tables, narrowed to what the user may see (filter options follow)."""
    refs = {
        name: data.table(version, name)
        for name in ("provinces", "regions", "projects", "partners", "data_dates")
    }
    for key, codes in scope_filters(user).items():
        column = "province_code" if key == "scope_province" else "project_code"
        if column == "province_code":
            for name in ("provinces", "regions", "projects", "partners"):
                refs[name] = refs[name].filter(pl.col(column).is_in(codes))
        else:
            refs["projects"] = refs["projects"].filter(pl.col(column).is_in(codes))
            provinces = refs["projects"]["province_code"].to_list()
            for name in ("provinces", "regions", "partners"):
                refs[name] = refs[name].filter(pl.col("province_code").is_in(provinces))
    return refs


def _named(names: dict[str, str], code: str) -> str:
    """A code's name, or the code itself where the reference table has none."""
    return names.get(code, code)


def _multi_options(refs, chosen: Callable[[str], list[str]]) -> dict[str, list[str]]:
    """Options of every multi-select filter; region, project, partner follow the province."""
    provinces = chosen("province")
    regions = refs["regions"]
    projects = refs["projects"]
    partners = refs["partners"]
    if provinces:
        regions = regions.filter(pl.col("province_code").is_in(provinces))
        projects = projects.filter(pl.col("province_code").is_in(provinces))
        partners = partners.filter(pl.col("province_code").is_in(provinces))
    if chosen("region"):
        partners = partners.filter(pl.col("region_code").is_in(chosen("region")))
    contract = default_contract()
    return {
        "province": refs["provinces"]["province_code"].to_list(),
        "region": regions["region_code"].to_list(),
        "project": projects["project_code"].to_list(),
        "partner": partners["partner_code"].to_list(),
        "referral_source": list(contract.column("referral_source").values),
        "gender": list(contract.column("gender").values),
        "age_group": AGE_GROUPS,
        "education_level": list(contract.column("education_level").values),
        "target_group": TARGET_GROUPS,
    }


def _to_url(key: str, value: Any, default: Any) -> None:
    """Write a filter's value to the URL; a default value leaves the URL clean."""
    if value in (None, [], default):
        if key in st.query_params:
            del st.query_params[key]
        return
    text = value.isoformat() if isinstance(value, dt.date) else value
    if st.query_params.get_all(key) != (text if isinstance(text, list) else [text]):
        st.query_params[key] = text


def _start_multi(key: str, options: list[str], label: str, invalid: list[str]) -> None:
    """Seed a multi-select from the URL on a session's first run; drop stale choices later."""
    if key not in st.session_state:
        raw = st.query_params.get_all(key)
        ok = all(v in options for v in raw)
        if not ok:
            invalid.append(label)
        st.session_state[key] = raw if ok else []
    else:
        st.session_state[key] = [v for v in st.session_state[key] if v in options]


def _start_single(key: str, options: list, default, label: str, invalid: list[str], parse=str):
    """Seed a single-value widget from the URL on a session's first run."""
    if key in st.session_state:
        return
    raw = st.query_params.get(key)
    value = parse(raw) if raw is not None else None
    if raw is not None and value not in options:
        invalid.append(label)
    st.session_state[key] = value if value in options else default


def _parse_date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _period_bounds(period: str, first: dt.date, last: dt.date) -> tuple[dt.date, dt.date]:
    """Quick picks, relative to the newest data (not today: the data may be historical)."""
    if period == "this_year":
        return dt.date(last.year, 1, 1), last
    if period == "last_quarter":
        quarter_start = dt.date(last.year, 3 * ((last.month - 1) // 3) + 1, 1)
        next_start = (quarter_start + dt.timedelta(days=95)).replace(day=1)
        end = next_start - dt.timedelta(days=1)
        if end > last:  # the current quarter is not over yet: take the one before
            end = quarter_start - dt.timedelta(days=1)
        start = dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
        return start, end
    return first, last


def _language() -> Translator:
    invalid: list[str] = []
    _start_single("lang", list(LANGUAGES), DEFAULT_LANGUAGE, "lang", invalid)
    lang = st.sidebar.segmented_control(
        "Taal · Langue · Language", list(LANGUAGES), key="lang", format_func=str.upper
    )
    lang = lang or DEFAULT_LANGUAGE
    _to_url("lang", lang, DEFAULT_LANGUAGE)
    t = Translator(lang)
    if invalid:
        st.warning(t("app.invalid_params", names="lang"))
    return t


def _oidc_configured() -> bool:
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _login(t: Translator) -> User | None:
    """The signed-in user, or None after drawing the login (nobody else sees a figure)."""
    if os.environ.get("WERKPAD_DEMO") == "1":
        st.warning(t("access.demo_banner"), icon=":material/lock_open:")
        return User("demo", "steering")
    users = UserFile(config.USERS_FILE)
    if _oidc_configured():  # an identity provider: st.login, roles from the user file
        if not st.user.get("is_logged_in", False):
            st.title(t("access.title"))
            st.button(t("access.login_oidc"), on_click=st.login, type="primary")
            return None
        if st.user.get("email_verified") is False:  # anyone can type an address; a role
            st.error(t("access.unverified"))  # goes only to one the provider confirmed
            st.button(t("access.logout"), on_click=st.logout)
            return None
        user = users.load().get(str(st.user.get("email", "")))
        if user is None:
            st.error(t("access.unknown"))
            st.button(t("access.logout"), on_click=st.logout)
        return user
    name = st.session_state.get("_werkpad_user")
    user = users.load().get(name) if name else None
    if user is None:
        st.title(t("access.title"))
        with st.form("login"):
            login = st.text_input(t("access.name"))
            password = st.text_input(t("access.password"), type="password")
            if st.form_submit_button(t("access.login"), type="primary"):
                # throttled per name and per client address, shared by all sessions
                result = sign_in(users, login, password, st.context.ip_address or "local")
                if result.user:
                    st.session_state["_werkpad_user"] = result.user.name
                    st.rerun()
                minutes = config.SIGN_IN_LOCKOUT_SECONDS // 60
                st.error(
                    t("access.locked", minutes=minutes) if result.locked else t("access.failed")
                )
        return None
    return user


def _logout() -> None:
    st.session_state.pop("_werkpad_user", None)
    st.session_state.pop(_STATE_KEY, None)


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
    refs = _references(version, user)
    names = {
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
    invalid: list[str] = []
    chosen: dict[str, list[str]] = {}
    st.sidebar.header(t("app.filters"))
    for key in (
        "province",
        *(("region",) if user.partner_detail else ()),
        "project",
        *(("partner",) if user.partner_detail else ()),
        "referral_source",
        "gender",
        "age_group",
        "education_level",
        "target_group",
    ):
        options = _multi_options(refs, lambda k: chosen.get(k, []))[key]
        _start_multi(key, options, t(f"filter.{key}"), invalid)
        kind = key if key in names else None
        chosen[key] = st.sidebar.multiselect(
            t(f"filter.{key}"),
            options,
            key=key,
            placeholder=t("filter.all"),
            format_func=partial(_named, names[kind]) if kind else partial(t.category, key),
        )
        _to_url(key, chosen[key], [])
    filters: dict[str, Any] = dict(chosen) | scope_filters(user)
    period, start, end = _period(t, first, data_date, invalid)
    if period != "whole":
        filters |= {"reached_from": start, "reached_to": end}
    if invalid:
        st.warning(t("app.invalid_params", names=", ".join(invalid)))
    previous = None
    if period != "whole":
        length = end - start
        previous = filters | {
            "reached_from": start - length - dt.timedelta(days=1),
            "reached_to": start - dt.timedelta(days=1),
        }
    projects = tuple(refs["projects"]["project_code"])
    _freshness(t, version, projects)
    if user.suppressed:
        st.caption(
            t("access.suppressed_note", symbol=disclosure.SYMBOL, threshold=disclosure.THRESHOLD)
        )
    ctx = Context(
        t,
        version,
        filters,
        previous,
        data_date,
        *_caption(t, filters, names),
        names=names,
        user=user,
        projects=projects,
    )
    st.session_state[_STATE_KEY] = ctx
    return ctx


def _period(t: Translator, first: dt.date, data_date: dt.date, invalid: list[str]):
    _start_single("period", PERIODS, "whole", t("filter.period"), invalid)
    period = st.sidebar.selectbox(
        t("filter.period"), PERIODS, key="period", format_func=lambda p: t(f"period.{p}")
    )
    _to_url("period", period, "whole")
    if period != "custom":
        for key in ("from", "to"):
            _to_url(key, None, None)
        start, end = _period_bounds(period, first, data_date)
        return period, start, end
    days = [first + dt.timedelta(days=i) for i in range((data_date - first).days + 1)]
    for key, default in (("from", first), ("to", data_date)):
        _start_single(key, days, default, t(f"filter.{key}"), invalid, parse=_parse_date)
    start = st.sidebar.date_input(
        t("filter.from"), min_value=first, max_value=data_date, key="from", format="DD/MM/YYYY"
    )
    end = st.sidebar.date_input(
        t("filter.to"), min_value=first, max_value=data_date, key="to", format="DD/MM/YYYY"
    )
    _to_url("from", start, first)
    _to_url("to", end, data_date)
    if start > end:
        start, end = end, start
    return period, start, end


def _freshness(t: Translator, version: data.Version, projects: tuple[str, ...]) -> None:
    snapshots = data.table(version, "snapshots").filter(pl.col("project_code").is_in(projects))
    if snapshots.is_empty():
        return
    # a Date column's maximum is a date, a Datetime column's a datetime (polars types it wider)
    newest = cast(dt.date, snapshots["extract_date"].max())
    loaded = cast(dt.datetime, snapshots["loaded_at"].max())
    st.caption(t("freshness.line", date=t.date(newest), loaded=t.datetime(loaded)))
    stale_before = dt.datetime.now() - dt.timedelta(hours=config.STALE_AFTER_HOURS)
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


def _caption(t: Translator, filters: dict[str, Any], names) -> tuple[str, str]:
    """A caption naming the active filters, and a short ASCII slug for file names."""
    parts, slug = [], []
    for key, value in filters.items():
        if key in ("reached_from", "reached_to") or not value:
            continue
        key = key.removeprefix("scope_")  # a user's scope is named like the filter it narrows
        kind = key if key in names else None
        shown = [names[kind].get(v, v) if kind else t.category(key, v) for v in value]
        parts.append(f"{t(f'filter.{key}')}: {', '.join(shown)}")
        slug.append(f"{key}-{'+'.join(value)}")
    if "reached_from" in filters:
        parts.append(
            f"{t('filter.period')}: {t.date(filters['reached_from'])}"
            f"–{t.date(filters['reached_to'])}"
        )
        slug.append(f"{filters['reached_from']:%Y%m%d}-{filters['reached_to']:%Y%m%d}")
    return "; ".join(parts) or t("download.all_filters"), "_".join(slug) or "flanders"
