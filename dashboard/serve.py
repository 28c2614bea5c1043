"""What `werkpad serve` runs: Streamlit's own command line, after two things done first.

1. Every heavy library the pages use is imported here, in one thread, before the server
   takes a session: five sessions signing in at once on a cold server once raced each other
   into `partially initialized module 'pandas'`, and a traceback reached a user.
2. Streamlit answers `/_stcore/metrics` to anyone, with no setting to turn it off (1.67); the
   dashboard does not publish it, so its routes are replaced by one that answers 404.
3. Two routes of our own keep a sign-in across reloads and opened links (werkpad.sessions):
   `POST _werkpad/session` swaps a one-time token for an HttpOnly session cookie, and
   `POST _werkpad/signout` clears it. Streamlit's websocket cannot set cookies itself. Both
   answer only requests from the dashboard's own pages (no cross-site request forgery).

Run as `python -m dashboard.serve run app.py [streamlit options] -- --warehouse F`
(werkpad.cli._streamlit_command builds that line).
"""

from __future__ import annotations

import gc
from typing import Any

from werkpad import config

METRICS_PATH = "_stcore/metrics"


def import_heavy_libraries() -> None:
    """Import (and touch once) what pages import or load lazily, before any session runs."""
    import duckdb  # noqa: F401
    import kaleido  # noqa: F401
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import plotly.graph_objects as go
    import polars as pl
    import pyarrow  # noqa: F401
    import xlsxwriter  # noqa: F401

    import werkpad.report_pack  # noqa: F401  (the report button imports it on first click)
    from werkpad.rendering import charts, safe  # noqa: F401

    go.Figure(go.Bar(x=[1], y=[1])).to_json()  # plotly loads its JSON and validator modules
    pl.DataFrame({"a": [1]}).to_pandas()  # polars -> pyarrow -> pandas, as st.dataframe does


SESSION_PATH = "_werkpad/session"
SIGNOUT_PATH = "_werkpad/signout"


def _https(request: Any) -> bool:
    """Behind a TLS proxy the scheme arrives as X-Forwarded-Proto."""
    forwarded = request.headers.get("x-forwarded-proto", "")
    return request.url.scheme == "https" or forwarded.split(",")[0].strip() == "https"


def _same_site(request: Any) -> bool:
    """A request the dashboard's own page made: another site's page may make the browser
    POST here (with its cookie), and would sign a user out or in (CSRF). Browsers say where
    a request comes from (Sec-Fetch-Site, Origin); without either, it is no browser's."""
    fetched = request.headers.get("sec-fetch-site")
    if fetched is not None:
        return fetched in ("same-origin", "none")
    origin = request.headers.get("origin")
    return origin is None or origin.split("://", 1)[-1] == request.headers.get("host", "")


async def start_session(request: Any) -> Any:
    """A one-time token (from the page that just signed in) -> the session cookie."""
    from starlette.responses import Response

    from werkpad import sessions

    if not _same_site(request):
        return Response(status_code=403)
    token = (await request.body())[:200].decode("ascii", errors="replace")
    cookie = sessions.store().redeem(token)
    if cookie is None:
        return Response(status_code=403)
    response = Response(status_code=204)
    response.set_cookie(
        sessions.COOKIE, cookie, max_age=config.SESSION_MAX_SECONDS, path="/",
        httponly=True, samesite="lax", secure=_https(request),
    )  # fmt: skip
    return response


async def end_session(request: Any) -> Any:
    """Clear the cookie (the session itself is already revoked on the server)."""
    from starlette.responses import Response

    from werkpad import sessions

    if not _same_site(request):
        return Response(status_code=403)
    cookie = request.cookies.get(sessions.COOKIE)
    if cookie:
        sessions.store().revoke(cookie=cookie)
    response = Response(status_code=204)
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="lax")
    return response


def adjust_routes() -> None:
    """Before the server builds its routes: the metrics routes answer 404, and the session
    routes are added under the same base path."""
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from streamlit.web.server.starlette import starlette_app

    build = starlette_app.create_streamlit_routes

    async def not_found(request: Any) -> PlainTextResponse:
        return PlainTextResponse("Not Found", status_code=404)

    def adjusted(runtime: Any) -> list:
        routes = build(runtime)
        metrics = [r for r in routes if getattr(r, "path", "").endswith(METRICS_PATH)]
        if not metrics:
            raise RuntimeError("Streamlit's metrics route moved: check dashboard.serve")
        kept = [r for r in routes if r not in metrics]
        paths = {getattr(r, "path", "") for r in metrics}
        base = min(paths, key=len)[: -len(METRICS_PATH)]
        ours = [
            Route(base + SESSION_PATH, start_session, methods=["POST"]),
            Route(base + SIGNOUT_PATH, end_session, methods=["POST"]),
        ]
        return ours + [Route(p, not_found) for p in paths] + kept

    starlette_app.create_streamlit_routes = adjusted


def main() -> None:
    import_heavy_libraries()
    # Everything imported so far lives as long as the server: out of the collector's sight,
    # so no collection walks the libraries' objects again (gc.freeze's documented use).
    gc.freeze()
    adjust_routes()
    from streamlit.web import cli

    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
