"""What a check found wrong with a file: the unit of every refusal report.

A finding names the rule, the columns and the spreadsheet row numbers (the header is row 1),
never a cell value, so it can go into reports, logs and JSON output as it is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

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
