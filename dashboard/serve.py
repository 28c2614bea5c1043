"""What `werkpad serve` runs: Streamlit's own command line, after two things done first.

1. Every heavy library the pages use is imported here, in one thread, before the server
   takes a session: five sessions signing in at once on a cold server once raced each other
   into `partially initialized module 'pandas'`, and a traceback reached a user.
2. Streamlit answers `/_stcore/metrics` to anyone, with no setting to turn it off (1.67); the
   dashboard does not publish it, so its routes are replaced by one that answers 404.

Run as `python -m dashboard.serve run app.py [streamlit options] -- --warehouse F`
(werkpad.cli._streamlit_command builds that line).
"""

from __future__ import annotations

from typing import Any

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


def hide_metrics() -> None:
    """Replace Streamlit's metrics routes by a 404, before the server builds its routes."""
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route
    from streamlit.web.server.starlette import starlette_app

    build = starlette_app.create_streamlit_routes

    async def not_found(request: Any) -> PlainTextResponse:
        return PlainTextResponse("Not Found", status_code=404)

    def without_metrics(runtime: Any) -> list:
        routes = build(runtime)
        metrics = [r for r in routes if getattr(r, "path", "").endswith(METRICS_PATH)]
        if not metrics:
            raise RuntimeError("Streamlit's metrics route moved: check dashboard.serve")
        kept = [r for r in routes if r not in metrics]
        return [Route(p, not_found) for p in {getattr(r, "path", "") for r in metrics}] + kept

    starlette_app.create_streamlit_routes = without_metrics


def main() -> None:
    import_heavy_libraries()
    hide_metrics()
    from streamlit.web import cli

    cli.main(prog_name="streamlit")


if __name__ == "__main__":
    main()
