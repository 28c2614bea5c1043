"""The privacy guard: refuse a file whole if it carries personal data.

Runs on the in-memory `extract` table before anything is written to disk. Two checks, both
configured in the contract's `privacy` section: a column outside the contract whose name looks
personal, and any cell that holds an e-mail address, a Belgian phone number, an IBAN or a
national register number that passes the mod-97 check. Findings name rule, column and rows,
never the value. To add a pattern, add it under `privacy.cell_patterns` in the contract.
"""

from __future__ import annotations

import re
import unicodedata

import duckdb

from werkpad.contract import Contract
from werkpad.pipelines.findings import Finding, RefusedFile
from werkpad.pipelines.macros import sql_list
from werkpad.sql import load_sql

RULE_TEXT = {
    "email": "a cell holds an e-mail address",
    "phone": "a cell holds a Belgian phone number",
    "iban": "a cell holds a bank account number (IBAN)",
    "insz": "a cell holds a national register number (INSZ, valid mod-97 check)",
}


def normalise_name(name: str) -> str:
    """Lower case, accents and everything but letters and digits removed."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_name.lower())


def personal_columns(columns: list[str], contract: Contract) -> list[str]:
    """Columns outside the contract whose name contains a personal-data word."""
    words = [normalise_name(w) for w in contract.privacy["personal_column_words"]]
    known = set(contract.column_names)
    return [c for c in columns if c not in known and any(w in normalise_name(c) for w in words)]


def check_privacy(con: duckdb.DuckDBPyConnection, columns: list[str], contract: Contract) -> None:
    """Raise RefusedFile with every privacy finding; return quietly when the file is clean."""
    findings = []
    personal = personal_columns(columns, contract)
    if personal:
        findings.append(
            Finding(
                "privacy.personal_column",
                "a column outside the contract looks like personal data (name, address, contact, "
                "birth date, national number or free text)",
                count=len(personal),
                columns=tuple(personal),
            )
        )
    if columns:
        findings += _cell_findings(con, columns, contract)
    if findings:
        raise RefusedFile(findings)


def _fill(template: str, contract: Contract, columns: list[str]) -> str:
    patterns = contract.privacy["cell_patterns"]
    flags = ",\n        ".join(
        f"regexp_matches({{col}}, {sql_list([p])}) AS {name}" for name, p in patterns.items()
    )
    return template.format(
        columns=", ".join(f'"{c}"' for c in columns),
        pattern_flags=flags,
        any_flag=" OR ".join(patterns),
        insz_pattern=sql_list([contract.privacy["insz_pattern"]]),
        any_pattern=sql_list(
            ["|".join(f"(?:{p})" for p in [*patterns.values(), contract.privacy["insz_pattern"]])]
        ),
    )


def _cell_findings(
    con: duckdb.DuckDBPyConnection, columns: list[str], contract: Contract
) -> list[Finding]:
    row_sql = _fill(load_sql("ops/privacy_row_hits"), contract, columns).replace("{col}", "cells")
    con.execute(f"CREATE OR REPLACE TEMP TABLE flagged_rows AS {row_sql}")
    if not con.execute("SELECT count(*) FROM flagged_rows").fetchone()[0]:
        return []
    cell_sql = _fill(load_sql("ops/privacy_cell_hits"), contract, columns).replace("{col}", "cell")
    con.execute(f"CREATE OR REPLACE TEMP TABLE privacy_hits AS {cell_sql}")
    findings = []
    for rule in [*contract.privacy["cell_patterns"], "insz"]:
        rows = con.execute(
            f"SELECT list(DISTINCT _row_number ORDER BY _row_number), "
            f"list(DISTINCT column_name ORDER BY column_name), count(DISTINCT _row_number) "
            f"FROM privacy_hits WHERE {rule}"
        ).fetchone()
        if rows[2]:
            findings.append(
                Finding(
                    f"privacy.{rule}",
                    RULE_TEXT.get(rule, f"a cell matches {rule}"),
                    count=rows[2],
                    rows=tuple(rows[0]),
                    columns=tuple(rows[1]),
                )
            )
    return findings
