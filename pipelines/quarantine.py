"""Refusal reports for the data steward, and file labels that never leak a person.

A refused file is moved to the quarantine folder (the only place it is kept) beside a Markdown
report and a JSON twin: every failing rule with its count, columns and up to ten row numbers,
plus the GX Data Docs page of the validation where the suite ran. No cell value is written.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import zipfile
from pathlib import Path

from werkpad.contract import Contract

NEXT_STEP = (
    "Fix the export at the source and drop the corrected file in the inbox; the project's "
    "last good snapshot stays live until then. Row numbers count the header as row 1."
)


# A site's reference file (reference/*.csv, targets.csv) is not moved: the steward corrects it
# where it is, in the site folder.
REFERENCE_NEXT_STEP = (
    "Correct this file in the site folder; the last accepted version stays live, and the "
    "extracts are checked against it, until a load accepts the corrected one. Row numbers "
    "count the header as row 1."
)


def safe_file_label(name: str, sha: str, contract: Contract) -> str:
    """The file name, unless it looks like it holds personal data (then a hash label)."""
    patterns = [*contract.privacy["cell_patterns"].values(), contract.privacy["insz_pattern"]]
    if any(re.search(p, name) for p in patterns):
        return f"file-withheld-{sha[:12]}"
    return name


def render_markdown(result, docs: Path | None, reference: bool = False) -> str:
    about = (
        ["- a reference file of the site"]
        if reference
        else [
            f"- project: {result.project_code or 'unknown'}",
            f"- extract date: {result.extract_date or 'unknown'}",
        ]
    )
    lines = [
        f"# Refused: {result.file}",
        "",
        *about,
        f"- checked: {dt.datetime.now():%Y-%m-%d %H:%M}",
        f"- content hash (sha256): {result.sha256}",
        "",
        REFERENCE_NEXT_STEP if reference else NEXT_STEP,
        "",
        "| rule | columns | failing | first rows | what the contract asks |",
        "|---|---|---|---|---|",
    ]
    for f in result.findings:
        lines.append(
            f"| {f.rule} | {', '.join(f.columns)} | {f.count} | "
            f"{', '.join(map(str, f.rows))} | {f.description} |"
        )
    if docs:
        lines += ["", f"Great Expectations Data Docs: {docs}"]
    return "\n".join(lines) + "\n"


def planned_report(quarantine_dir: Path, result) -> Path:
    """Where a refused file's report will be written (recorded in the run log beforehand)."""
    return quarantine_dir / f"{dt.datetime.now():%Y%m%dT%H%M%S}-{result.file}.report.md"


def write_report(result, docs_source: Path, reference: bool = False) -> Path:
    """Write a refused file's report (Markdown and JSON) and its Data Docs at the planned
    place (result.report); a site's reference file gets its own next step."""
    quarantine_dir = result.report.parent
    quarantine_dir.mkdir(parents=True, exist_ok=True)
    stem = result.report.name.removesuffix(".report.md")
    docs = None
    if (docs_source / "index.html").exists():
        docs = quarantine_dir / f"{stem}.datadocs"
        shutil.copytree(docs_source, docs)
        docs = docs / "index.html"
    report = quarantine_dir / f"{stem}.report.md"
    report.write_text(render_markdown(result, docs, reference), encoding="utf-8")
    (quarantine_dir / f"{stem}.report.json").write_text(
        json.dumps(
            result.as_json()
            | {
                "findings": [f.as_dict() for f in result.findings],
                "data_docs": str(docs) if docs else None,
            },
            indent=2,
            default=str,
        ),
        encoding="utf-8",
    )
    return report


def move_to_quarantine(path: Path, result, docs_source: Path) -> Path:
    """Move the refused file next to its planned report (result.report) and write the report."""
    report = write_report(result, docs_source)
    stem = result.report.name.removesuffix(".report.md")
    if path.exists() or path.is_symlink():  # a link is moved as a link, never followed
        shutil.move(path, result.report.parent / stem)
    return report


# The read side, for the Data quality page: what a refused file's report says and its GX Data
# Docs as one download. The page never reads quarantine files itself.


def report_text(report_path: str | None) -> str | None:
    """The Markdown report of a refused file (rules and row numbers only), if it is there,
    for showing on a page: the quarantine folder's path is left out (where the server keeps
    its files is nobody's business on screen; the file on disk keeps it for the steward)."""
    report = Path(report_path) if report_path else None
    if not report or not report.is_file():
        return None
    return report.read_text(encoding="utf-8").replace(f"{report.parent}{os.sep}", "")


def data_docs_folder(report_path: str | None) -> Path | None:
    """The GX Data Docs folder kept beside a report, if the suite ran for that file."""
    if not report_path:
        return None
    report = Path(report_path)
    folder = report.with_name(report.name.replace(".report.md", ".datadocs"))
    return folder if (folder / "index.html").is_file() else None


def zipped(folder: Path) -> bytes:
    """A Data Docs site as one ZIP (open index.html after unpacking)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in folder.rglob("*"):
            archive.write(path, path.relative_to(folder.parent))
    return buffer.getvalue()
