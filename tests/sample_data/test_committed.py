"""The committed sample files are what the generator writes today, and they behave as said."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl

from pipelines.load import run_load
from sample_data.committed import HERE, write_committed


def _content(path: Path) -> object:
    """What a person sees in a file: its bytes, or for a workbook every sheet's cells (the
    bytes of an XLSX hold the time it was written)."""
    if path.suffix == ".xlsx":
        sheets = pl.read_excel(path, sheet_id=0, has_header=False, infer_schema_length=0)
        return {name: frame.rows() for name, frame in sheets.items()}
    return path.read_bytes()


def test_committed_samples_are_fresh(tmp_path):
    fresh = {p.relative_to(tmp_path): p for p in write_committed(tmp_path)}
    committed = {
        p.relative_to(HERE): p
        for folder in ("extracts", "faulty")
        for p in (HERE / folder).iterdir()
    } | {Path("README.md"): HERE / "README.md"}
    assert sorted(committed) == sorted(fresh), "run: python -m sample_data.committed"
    stale = [str(name) for name in fresh if _content(fresh[name]) != _content(committed[name])]
    assert stale == [], "stale sample files; run: python -m sample_data.committed"


def test_committed_extracts_load_and_faulty_ones_are_refused_as_the_readme_says(tmp_path):
    inbox = tmp_path / "inbox"
    shutil.copytree(HERE / "extracts", inbox)
    for path in (HERE / "faulty").iterdir():
        shutil.copy(path, inbox / path.name)
    result = run_load(inbox, tmp_path / "w.duckdb", tmp_path / "q")
    readme = (HERE / "README.md").read_text(encoding="utf-8")
    loaded = sorted(f.file for f in result.files if f.status == "loaded")
    assert loaded == sorted(p.name for p in (HERE / "extracts").iterdir())
    for f in result.files:
        if f.status != "loaded":
            row = next(line for line in readme.splitlines() if f"`{f.source.name}`" in line)
            rule = row.split("|")[2].strip().strip("`")
            assert f.status == "refused" and rule in [x.rule for x in f.findings], row
