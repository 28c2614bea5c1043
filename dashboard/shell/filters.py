"""Language and global filters, kept in step with the URL (codes, never labels)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import polars as pl
import streamlit as st

from dashboard import data
from werkpad import figures
from werkpad.access import User, scope_filters
from werkpad.contract import default_contract
from werkpad.rendering.i18n import LANGUAGES, Translator
from werkpad.site import current_settings

PERIODS = ["whole", "this_year", "last_quarter", "custom"]
COMPARISONS = ["previous", "last_year"]  # the period just before, or the same one a year back


# the options come from the contract: a new target-group flag or age group needs no code here
TARGET_GROUPS = default_contract().target_groups


AGE_GROUPS = default_contract().categories("age_group")


# The person and place filters, in the sidebar's order (region and partner for roles that
# see partner detail only), each bound to a URL parameter of its name.
FILTER_KEYS = (
    "programme", "province", "region", "project", "partner", "referral_source", "gender",
    "age_group", "education_level", "target_group",
)  # fmt: skip
# Every URL parameter the shell reads: what a link to another page carries over (a page's
# own choices, such as Revisions' submission, stay on their page).
SHELL_PARAMS = ("lang", "asof", *FILTER_KEYS, "period", "from", "to", "compare")


def _references(version: data.Version, user: User) -> dict[str, pl.DataFrame]:
    """Reference tables, narrowed to what the user may see (filter options follow)."""
    refs = {
        name: data.table(version, name)
        for name in ("programmes", "provinces", "regions", "projects", "partners", "data_dates")
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
    if scope_filters(user):  # the programmes of the projects the user may see
        programmes = refs["projects"]["programme_code"].to_list()
        refs["programmes"] = refs["programmes"].filter(pl.col("programme_code").is_in(programmes))
    return refs


def _named(names: dict[str, str], code: str) -> str:
    """A code's name, or the code itself where the reference table has none."""
    return names.get(code, code)


def _multi_options(refs, chosen: Callable[[str], list[str]]) -> dict[str, list[str]]:
    """Options of every multi-select filter; region, project, partner follow the province,
    project the programme."""
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
    if chosen("programme"):
        projects = projects.filter(pl.col("programme_code").is_in(chosen("programme")))
    contract = default_contract()
    return {
        "programme": refs["programmes"]["programme_code"].to_list(),
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
        raw = list(dict.fromkeys(st.query_params.get_all(key)))  # a value twice is chosen once
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


def _start_date(
    key: str, default: dt.date, first: dt.date, last: dt.date, t, invalid: list[str]
) -> None:
    """Seed a date of a custom period from the URL on a session's first run; a date outside
    the data is moved to its edge, and the page says so (a link from last year still works)."""
    if key in st.session_state:
        return
    text = st.query_params.get(key)
    raw = _parse_date(text)
    if text and raw is None:
        invalid.append(t(f"filter.{key}"))
    value = min(max(raw, first), last) if raw else default
    if raw and value != raw:
        st.sidebar.info(
            t("period.clamped", asked=t.date(raw), shown=t.date(value), first=t.date(first),
              last=t.date(last)),
            icon=":material/info:",
        )  # fmt: skip
    st.session_state[key] = value


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
    default = current_settings().language  # the site's own, from site.yaml
    _start_single("lang", list(LANGUAGES), default, "lang", invalid)
    lang = st.sidebar.segmented_control(
        "Taal · Langue · Language", list(LANGUAGES), key="lang", format_func=str.upper
    )
    lang = lang or default
    _to_url("lang", lang, default)
    t = Translator(lang)
    if invalid:
        st.warning(t("app.invalid_params", names="lang"))
    return t


def _as_of(t: Translator, version: data.Version, invalid: list[str], user: User) -> dt.date | None:
    """The "data as of" picker, bound to `?asof=YYYY-MM-DD`: today's data (None) or the data
    as of a date, offering the extract dates the warehouse holds of the projects the user
    may see. A date in a link that is no extract date is kept (per project the newest
    snapshot on or before it); one before the first extract is invalid, one on or after the
    newest is today's data."""
    if not data.history_kept(version):
        return None
    mine = tuple(_references(version, user)["projects"]["project_code"])
    dates = data.extract_dates(version, mine if user.suppressed else None)
    if not dates:
        return None
    if "asof" not in st.session_state:
        raw = st.query_params.get("asof")
        day = _parse_date(raw)
        if raw is not None and (day is None or day < dates[-1]):
            invalid.append(t("filter.asof"))
            day = None
        st.session_state["asof"] = None if day is None or day >= dates[0] else day
    kept = st.session_state["asof"]
    options = sorted({*dates, *([kept] if kept else [])}, reverse=True)
    day = st.sidebar.selectbox(
        t("filter.asof"),
        [None, *options],
        key="asof",
        format_func=lambda d: t("asof.current") if d is None else t.date(d),
        # today's data is the option None, which Streamlit shows as "no choice": its
        # placeholder, English "Choose an option" unless given (found in review)
        placeholder=t("asof.current"),
    )
    _to_url("asof", day, None)
    return day


def _period(t: Translator, first: dt.date, data_date: dt.date, invalid: list[str], quarters: bool):
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
    for key, default in (("from", first), ("to", data_date)):
        _start_date(key, default, first, data_date, t, invalid)
    if st.session_state["from"] > st.session_state["to"]:  # shown as the period it means
        st.session_state["from"], st.session_state["to"] = (
            st.session_state["to"],
            st.session_state["from"],
        )
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
    if quarters:  # protected figures count whole quarters (werkpad.figures), so say so
        shown = figures.whole_quarters(start, end, data_date)
        if shown != (start, end):
            st.sidebar.info(
                t("period.whole_quarters", start=t.date(shown[0]), end=t.date(shown[1])),
                icon=":material/info:",
            )
        start, end = shown
    return period, start, end


def comparison_bounds(
    choice: str, start: dt.date, end: dt.date, first: dt.date, quarters: bool = False
) -> tuple[dt.date, dt.date] | None:
    """The period to compare with, or None when it would begin before the data does (a
    comparison with months before the programme started says nothing but "it started");
    with `quarters` (a protected role), in whole quarters like the period itself."""
    if choice == "last_year":
        before = (_year_back(start), _year_back(end))
    elif start.day == 1 and (end + dt.timedelta(days=1)).day == 1:  # whole months: a quarter
        months = (end.year - start.year) * 12 + end.month - start.month + 1  # is compared
        earlier = start.year * 12 + start.month - 1 - months  # with the quarter before
        before = (dt.date(earlier // 12, earlier % 12 + 1, 1), start - dt.timedelta(days=1))
    else:
        length = end - start
        before = (start - length - dt.timedelta(days=1), start - dt.timedelta(days=1))
    if quarters:
        before = figures.whole_quarters(*before, dt.date.max)
    return before if before[0] >= first else None


def _year_back(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _comparison(t: Translator, invalid: list[str]) -> str:
    """The comparison the user chose (in the URL as `compare`)."""
    _start_single("compare", COMPARISONS, "previous", t("compare.label"), invalid)
    choice = st.sidebar.selectbox(
        t("compare.label"), COMPARISONS, key="compare", format_func=lambda c: t(f"compare.{c}")
    )
    _to_url("compare", choice, "previous")
    return choice or "previous"
