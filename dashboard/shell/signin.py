"""Sign-in: an identity provider (st.login) or the local user file, throttled (werkpad.access)."""

from __future__ import annotations

import os

import streamlit as st

from werkpad import config
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
