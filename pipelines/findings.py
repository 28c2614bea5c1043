"""What a check found wrong with a file (the unit of every refusal report), and what became
of each file in a run.

A finding names the rule, the columns and the spreadsheet row numbers (the header is row 1),
never a cell value, so it can go into reports, logs and JSON output as it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path

from werkpad.config import MAX_ROWS_IN_REPORT


@dataclass(frozen=True)
class Finding:
    """One broken rule in one file."""

    rule: str
    description: str
    count: int = 1
    rows: tuple[int, ...] = field(default_factory=tuple)
    columns: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", tuple(sorted(self.rows))[:MAX_ROWS_IN_REPORT])

    def as_dict(self) -> dict:
        return asdict(self) | {"rows": list(self.rows), "columns": list(self.columns)}

    def summary(self) -> str:
        """One line for logs and JSON `reasons`: rule, columns, count, first rows."""
        where = f" [{', '.join(self.columns)}]" if self.columns else ""
        rows = f"; rows {', '.join(map(str, self.rows))}" if self.rows else ""
        return f"{self.rule}{where}: {self.description} ({self.count} failing{rows})"


class RefusedFile(Exception):
    """Raised by a check that stops the file; carries the findings for the report."""

    def __init__(self, findings: list[Finding]):
        super().__init__("; ".join(f.rule for f in findings))
        self.findings = findings


@dataclass
class FileResult:
    """What happened to one file; `as_json` is the shape `werkpad load --json` prints."""

    file: str
    status: str
    project_code: str | None = None
    extract_date: dt.date | None = None
    rows: int | None = None
    findings: list[Finding] = field(default_factory=list)
    sha256: str = ""
    report: Path | None = None
    source: Path | None = None

    def as_json(self) -> dict:
        return {
            "file": self.file,
            "project_code": self.project_code,
            "status": self.status,
            "rows": self.rows,
            "reasons": [f.summary() for f in self.findings],
            "report": str(self.report) if self.report else None,
        }


@dataclass
class RunResult:
    run_id: str
    files: list[FileResult]

    @property
    def refused(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "refused"]
