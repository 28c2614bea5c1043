"""Write typed sample frames as partner extracts, each in its partner system's style."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from sample_data.generator import PROJECT_STYLE, Style
from werkpad.contract import Contract, default_contract, placements_contract


def as_text(frame: pl.DataFrame, style: Style) -> pl.DataFrame:
    """Every column as text the way `style` writes dates and booleans; empty stays null."""
    true, false = style.booleans
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.Date:
            exprs.append(col.dt.strftime(style.date_format))
        elif dtype == pl.Boolean:
            exprs.append(pl.when(col).then(pl.lit(true)).when(~col).then(pl.lit(false)))
        else:
            exprs.append(col.cast(pl.String))
    return frame.select([e.alias(n) for e, n in zip(exprs, frame.columns, strict=True)])


def write_extract(
    frame: pl.DataFrame,
    out_dir: Path,
    style: Style | None = None,
    name: str | None = None,
    contract: Contract | None = None,
) -> Path:
    """Write one project's extract under the contract's file name; return its path."""
    contract = contract or default_contract()
    style = style or PROJECT_STYLE.get(frame["project_code"][0], Style())
    if name is None:
        extract_date = frame["extract_date"][0]
        if isinstance(extract_date, str):  # a frame already turned to text (faulty samples)
            extract_date = dt.date.fromisoformat(extract_date)
        name = contract.file_name(frame["project_code"][0], extract_date, style.format)
    path = out_dir / name
    text = as_text(frame, style)
    if style.format == "xlsx":
        text.write_excel(path, autofit=False)
    else:
        csv = text.write_csv(separator=style.delimiter, quote_style="necessary")
        path.write_bytes(csv.encode(style.encoding))
    return path


def write_sample(
    frames: dict[str, pl.DataFrame], out_dir: Path, fmt: str | None = None
) -> list[Path]:
    """Write every project's frame; `fmt='csv'` forces plain CSV (comma, UTF-8, ISO dates)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for project, frame in frames.items():
        style = PROJECT_STYLE.get(project, Style())
        if fmt == "csv":
            style = Style()
        paths.append(write_extract(frame, out_dir, style))
    return paths


def write_placements(
    placements: dict[str, pl.DataFrame], out_dir: Path, fmt: str | None = None
) -> list[Path]:
    """Write every project's placements (<project>_placements_<date>), in the style of the
    project's partner system, as its trajectories; `fmt='csv'` forces plain CSV."""
    out_dir.mkdir(parents=True, exist_ok=True)
    contract = placements_contract()
    paths = []
    for project, frame in placements.items():
        style = Style() if fmt == "csv" else PROJECT_STYLE.get(project, Style())
        paths.append(write_extract(frame, out_dir, style, contract=contract))
    return paths
