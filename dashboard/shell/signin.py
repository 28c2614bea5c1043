"""Sign-in: an identity provider (st.login) or the local user file, throttled (werkpad.access).

A password sign-in lasts across reloads and opened links: right after it, the page swaps a
one-time token for an HttpOnly session cookie (werkpad.sessions, dashboard.serve), and a later
page load signs in from that cookie. Sign-out revokes the session on the server at once.
"""

from __future__ import annotations

import json
import os

import streamlit as st

from werkpad import config, sessions
from werkpad.access import User, UserFile, sign_in
from werkpad.rendering.i18n import Translator

_STATE_KEY = "_werkpad_context"


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
    # signed out on another tab, idle or too old: the tab that typed the password asks by its
    # token, a tab signed in by the cookie by the cookie
    token = st.session_state.get("_werkpad_token")
    cookie = st.session_state.get("_werkpad_cookie")
    if (token and not sessions.store().holds(token)) or (
        cookie and not token and not sessions.store().user_of(cookie)
    ):
        _logout()
    name = st.session_state.get("_werkpad_user") or _from_cookie()
    user = users.load().get(name) if name else None
    if user is not None:
        _hand_over_cookie()
    if user is None:
        _clear_cookie()
        st.title(t("access.title"))
        with st.form("login"):
            login = st.text_input(t("access.name"))
            password = st.text_input(t("access.password"), type="password")
            if st.form_submit_button(t("access.login"), type="primary"):
                # throttled per name and per client address, shared by all sessions
                result = sign_in(users, login, password, st.context.ip_address or "local")
                if result.user:
                    st.session_state["_werkpad_user"] = result.user.name
                    st.session_state["_werkpad_token"] = sessions.store().grant(result.user.name)
                    st.session_state["_werkpad_hand_over"] = True
                    st.rerun()
                minutes = config.SIGN_IN_LOCKOUT_SECONDS // 60
                st.error(
                    t("access.locked", minutes=minutes) if result.locked else t("access.failed")
                )
        return None
    return user


def _from_cookie() -> str | None:
    """The user of a session cookie from an earlier sign-in, if it is still valid."""
    cookie = st.context.cookies.get(sessions.COOKIE)
    name = sessions.store().user_of(cookie) if cookie else None
    if name:
        st.session_state["_werkpad_user"] = name
        st.session_state["_werkpad_cookie"] = cookie
    return name


def _post(path: str, body: str = "") -> None:
    """Let the browser POST to one of dashboard.serve's session routes (relative to the app's
    base path), so the server can set or clear the HttpOnly cookie. Only our own constant
    path and a random token go into the script (json.dumps quotes them)."""
    st.html(
        f"<script>fetch({json.dumps(path)}, {{method: 'POST', body: {json.dumps(body)}, "
        "credentials: 'same-origin'}).catch(() => {});</script>",
        unsafe_allow_javascript=True,
    )


def _hand_over_cookie() -> None:
    """Right after a password sign-in: swap the one-time token for the session cookie."""
    if st.session_state.pop("_werkpad_hand_over", False):
        _post("_werkpad/session", st.session_state["_werkpad_token"])


def _clear_cookie() -> None:
    """After a sign-out: the browser drops the (already revoked) cookie."""
    if st.session_state.pop("_werkpad_signed_out", False):
        _post("_werkpad/signout")


def _logout() -> None:
    """Sign out here and, at once, on every tab and link that shares the session."""
    token = st.session_state.pop("_werkpad_token", None)
    cookie = st.session_state.pop("_werkpad_cookie", None)
    sessions.store().revoke(token=token, cookie=cookie)
    st.session_state.pop("_werkpad_user", None)
    st.session_state.pop(_STATE_KEY, None)
    st.session_state["_werkpad_signed_out"] = True
