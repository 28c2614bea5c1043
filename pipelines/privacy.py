"""The privacy guard: refuse a file whole if it carries personal data.

Runs on the in-memory `extract` table before anything is written to disk. Three checks, all
configured in the contract's `privacy` section: a column outside the contract whose name looks
personal; a column NAME that itself holds personal data; and any cell that holds an e-mail
address, a Belgian company number or phone number, an IBAN (valid check) or a national
register number (valid mod-97 check). Text is normalised before it is matched
(pipelines/sql/macros/privacy.sql): line breaks and brackets removed, any case, separators or
none, a leading 0 a spreadsheet dropped.

Findings name rule, column and rows, never the value; a column whose name holds personal data
(or characters outside the allowed ones) is named by its position only. Header names reach SQL
only as a bound parameter or through `quote_ident`. To add a pattern, add it under
`privacy.cell_patterns` in the contract (and a check-digit macro under `check_digits`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from collections.abc import Set as AbstractSet

import duckdb

from pipelines.findings import Finding, RefusedFile
from pipelines.sql import load_sql
from werkpad.config import HEADER_NAME_PATTERN
from werkpad.contract import Contract
from werkpad.sql import one_row, quote_ident, quote_idents, sql_list

RULE_TEXT = {
    "email": "an e-mail address",
    "kbo": "a company number (KBO/BCE, valid check)",
    "phone": "a Belgian phone number",
    "iban": "a bank account number (IBAN, valid check)",
    "insz": "a national register number (INSZ, valid mod-97 check)",
}
MACRO_NAME = re.compile(r"werkpad_[a-z0-9_]+")


def normalise_name(name: str) -> str:
    """Lower case, accents and everything but letters and digits removed."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_name.lower())


def personal_columns(columns: list[str], contract: Contract) -> list[str]:
    """Columns outside the contract whose name contains a personal-data word."""
    words = [normalise_name(w) for w in contract.privacy["personal_column_words"]]
    known = set(contract.column_names)
    return [c for c in columns if c not in known and any(w in normalise_name(c) for w in words)]


def _personal_label(columns: list[str], index: int, contract: Contract) -> str:
    """A personal-looking column is named only when its name is just one of the words
    (`voornaam`, `E-mail`); `gsm0475123456` holds more than the word, so it is a position."""
    words = {normalise_name(w) for w in contract.privacy["personal_column_words"]}
    name = columns[index]
    if normalise_name(name) in words and re.fullmatch(HEADER_NAME_PATTERN, name):
        return name
    return f"column {index + 1}"


def column_label(
    columns: list[str], index: int, contract: Contract, unsafe: AbstractSet[int] = frozenset()
) -> str:
    """How a finding names column `index` (0-based): its name only when that cannot leak.

    A contract column is named; another column too when its name has only the allowed
    characters and no personal data (`unsafe` holds the 1-based positions that hold some);
    anything else is "column <position>".
    """
    name = columns[index]
    if name in contract.column_names:
        return name
    if index + 1 in unsafe or not re.fullmatch(HEADER_NAME_PATTERN, name):
        return f"column {index + 1}"
    return name


def check_privacy(con: duckdb.DuckDBPyConnection, columns: list[str], contract: Contract) -> None:
    """Raise RefusedFile with every privacy finding; return quietly when the file is clean."""
    hits = _header_hits(con, columns, contract)
    findings = _header_findings(hits)
    unsafe = {p for positions in hits.values() for p in positions}
    personal = [i for i, c in enumerate(columns) if c in personal_columns([c], contract)]
    if personal:
        findings.append(
            Finding(
                "privacy.personal_column",
                "a column outside the contract looks like personal data (name, address, contact, "
                "birth date, national number or free text)",
                count=len(personal),
                columns=tuple(_personal_label(columns, i, contract) for i in personal),
            )
        )
    if columns:
        findings += _cell_findings(con, columns, contract, unsafe)
    if findings:
        raise RefusedFile(findings)


# Rules read with pseudonymous keys blanked (werkpad_insz_text): their patterns may start or
# end beside letters, which a 32-character hexadecimal key is full of.
KEYS_BLANKED = frozenset({"insz", "phone", "kbo"})


def _patterns(contract: Contract) -> dict[str, str]:
    return {**contract.privacy["cell_patterns"], "insz": contract.privacy["insz_pattern"]}


def _fill(template: str, contract: Contract, columns: Sequence[str] = ()) -> str:
    """The template with the contract's patterns (as literals) and quoted column names."""
    checks = {**contract.privacy.get("check_digits", {}), "insz": "werkpad_insz_valid"}
    flags = []
    for rule, pattern in _patterns(contract).items():
        text = "insz_text" if rule in KEYS_BLANKED else "text"
        if rule in checks:
            macro = checks[rule]
            if not MACRO_NAME.fullmatch(macro):
                raise ValueError(f"privacy.check_digits.{rule}: not a werkpad macro name")
            expr = (
                f"coalesce(list_bool_or(list_transform(regexp_extract_all({text}, "
                f"{sql_list([pattern])}, 2), lambda x: {macro}(x))), false)"
            )
        else:
            expr = f"regexp_matches({text}, {sql_list([pattern])})"
        flags.append(f"{expr} AS {quote_ident(rule)}")
    return template.format(
        columns=quote_idents(columns),
        pattern_flags=",\n        ".join(flags),
        any_flag=" OR ".join(quote_ident(rule) for rule in _patterns(contract)),
        any_pattern=sql_list(["|".join(f"(?:{p})" for p in _patterns(contract).values())]),
    )


def header_findings(
    con: duckdb.DuckDBPyConnection, names: list[str], contract: Contract
) -> list[Finding]:
    """Column names that hold personal data, one finding per rule, by column position.

    The names are a bound parameter of the query, so any text is safe; the finding gives
    positions only ("column 3"), never the name.
    """
    return _header_findings(_header_hits(con, names, contract))


def _header_hits(
    con: duckdb.DuckDBPyConnection, names: list[str], contract: Contract
) -> dict[str, list[int]]:
    """Rule -> 1-based positions of the column names that hold that kind of personal data."""
    if not names:
        return {}
    rows = con.execute(
        _fill(load_sql("ops/privacy_header_hits"), contract), {"names": list(names)}
    ).fetchall()
    rules = list(_patterns(contract))
    hits = {rule: [row[0] for row in rows if row[i + 1]] for i, rule in enumerate(rules)}
    return {rule: positions for rule, positions in hits.items() if positions}


def _header_findings(hits: dict[str, list[int]]) -> list[Finding]:
    return [
        Finding(
            f"privacy.{rule}",
            f"a column name holds {RULE_TEXT.get(rule, rule)}",
            count=len(positions),
            rows=(1,),
            columns=tuple(f"column {p}" for p in positions),
        )
        for rule, positions in hits.items()
    ]


def _cell_findings(
    con: duckdb.DuckDBPyConnection, columns: list[str], contract: Contract, unsafe: set[int]
) -> list[Finding]:
    row_sql = _fill(load_sql("ops/privacy_row_hits"), contract, columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE flagged_rows AS {row_sql}")
    if not one_row(con.execute("SELECT count(*) FROM flagged_rows"))[0]:
        return []
    cell_sql = _fill(load_sql("ops/privacy_cell_hits"), contract, columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE privacy_hits AS {cell_sql}")
    position = {name: i for i, name in enumerate(columns)}
    findings = []
    # a cell one of these rules names is reported under it alone (a company number is not
    # also "a phone number"): privacy.named_first in the contract
    first = [r for r in contract.privacy.get("named_first", []) if r in _patterns(contract)]
    for rule in _patterns(contract):
        others = [quote_ident(r) for r in first if r != rule]
        shadow = f" AND NOT ({' OR '.join(others)})" if others and rule not in first else ""
        rows = one_row(
            con.execute(
                f"SELECT list(DISTINCT _row_number ORDER BY _row_number), "
                f"list(DISTINCT column_name ORDER BY column_name), count(DISTINCT _row_number) "
                f"FROM privacy_hits WHERE {quote_ident(rule)}{shadow}"
            )
        )
        if rows[2]:
            labels = [column_label(columns, position[c], contract, unsafe) for c in rows[1]]
            findings.append(
                Finding(
                    f"privacy.{rule}",
                    f"a cell holds {RULE_TEXT.get(rule, rule)}",
                    count=rows[2],
                    rows=tuple(rows[0]),
                    columns=tuple(sorted(set(labels))),
                )
            )
    return findings
