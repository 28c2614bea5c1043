"""The validation checks, derived from the data contract.

Every check is a rule name, a description, the columns it reads and, for row checks, a SQL query
that selects the `_row_number` of each bad row. Selecting only row numbers is deliberate: GX
keeps what the query returns in its results and Data Docs, and a row number is not personal.

The checks run on the typed table (`typed_select`, built once per file): dates and booleans
parsed, text trimmed, so each check is a plain scan. Column rules come from keys on a contract
column; row rules from the contract's `rules`. To add
a kind of column rule, add a key to the contract and a branch in `column_checks`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.reader import ROW_NUMBER
from werkpad.contract import Column, Contract, FileName
from werkpad.sql import quote_ident, sql_list

TYPED = {"date": 'werkpad_date("{c}")', "boolean": 'werkpad_bool("{c}")'}
SQL_TYPE = {"date": "DATE", "boolean": "BOOLEAN"}
TEXT_SUFFIX = "__text"


@dataclass(frozen=True)
class Check:
    """One validation rule; `query` is None for the schema and table checks GX has built in."""

    rule: str
    description: str
    columns: tuple[str, ...]
    query: str | None = None


def sql_type(column: Column) -> str:
    return SQL_TYPE.get(column.type, "VARCHAR")


def typed_select(contract: Contract, present: list[str], with_text: bool = True) -> str:
    """The select list that types every contract column the file has, parsed once.

    Dates and booleans keep their text too (`<column>__text`), so a value that does not parse
    can be told from an empty one.
    """
    parts = [f"{ROW_NUMBER} AS _row_number"]
    for column in contract.columns:
        if column.name not in present:
            continue
        expr = TYPED.get(column.type, 'werkpad_text("{c}")').format(c=column.name)
        parts.append(f'{expr} AS "{column.name}"')
        if with_text and column.type in TYPED:
            parts.append(f'werkpad_text("{column.name}") AS "{column.name}{TEXT_SUFFIX}"')
    return ", ".join(parts)


def referenced_columns(sql: str, contract: Contract) -> set[str]:
    return {c for c in contract.column_names if re.search(rf"\b{re.escape(c)}\b", sql)}


def _query(condition: str) -> str:
    return f"SELECT _row_number FROM {{batch}} WHERE coalesce(({condition}), false)"


def column_checks(column: Column, contract: Contract, present: list[str]) -> list[Check]:
    """The checks one contract column asks for, over the typed table."""
    c, q = column.name, quote_ident(column.name)
    checks = [Check(f"{c}.exists", f"the file has a column {c}", (c,))]
    if c not in present:
        return checks
    text = quote_ident(f"{c}{TEXT_SUFFIX}") if column.type in TYPED else q
    conditions = []
    if column.required:
        conditions.append(("required", f"{c} is filled in on every row", f"{text} IS NULL"))
    if column.type in TYPED:
        conditions.append(
            (column.type, f"{c} is a valid {column.type}", f"{text} IS NOT NULL AND {q} IS NULL")
        )
    if column.values:
        conditions.append(
            (
                "values",
                f"{c} is one of {', '.join(column.values)}",
                f"{q} NOT IN ({sql_list(column.values)})",
            )
        )
    if column.reference:
        key = contract.reference[column.reference]["key"]
        conditions.append(
            (
                "reference",
                f"{c} exists in the reference table {column.reference}",
                f"{q} NOT IN (SELECT {key} FROM ref_{column.reference})",
            )
        )
    if column.pattern:
        shown = column.pattern.replace("{{", "{").replace("}}", "}")
        conditions.append(
            (
                "pattern",
                f"{c} matches {shown}",
                f"NOT regexp_full_match({q}, {sql_list([column.pattern])})",
            )
        )
    if column.unique:
        conditions.append(
            (
                "unique",
                f"{c} is unique in the file",
                f"{q} IN (SELECT {q} FROM {{batch}} GROUP BY {q} HAVING count(*) > 1)",
            )
        )
    when = column.required_when
    if when and referenced_columns(when, contract) <= set(present):
        conditions.append(
            (
                "required_when",
                f"{c} is filled in exactly when {when}",
                f"(({when}) AND {q} IS NULL)"
                f" OR (NOT coalesce(({when}), false) AND {q} IS NOT NULL)",
            )
        )
    checks += [Check(f"{c}.{kind}", desc, (c,), _query(cond)) for kind, desc, cond in conditions]
    return checks


def build_checks(
    contract: Contract, present: list[str], name: FileName, province: str
) -> list[Check]:
    """Every check for a file with these columns; row rules on missing columns are left out.
    `province`: the province of the file's project, in the run's accepted reference."""
    checks = [Check("table.at_least_one_row", "the file has at least one data row", ())]
    for column in contract.columns:
        checks += column_checks(column, contract, present)
    values = {
        "{file_project_code}": name.project_code,
        "{file_extract_date}": name.extract_date.isoformat(),
        "{file_province_code}": province,
    }
    for rule in contract.rules:
        condition = rule.when
        for placeholder, value in values.items():
            condition = condition.replace(placeholder, value)
        if not referenced_columns(condition, contract) <= set(present):
            continue
        checks.append(Check(rule.name, rule.description, rule.columns, _query(condition)))
    return checks


def plain_sql(query: str, table: str) -> str:
    """A GX query as plain SQL over `table`: braces undoubled, {batch} filled in."""
    return query.replace("{batch}", table).replace("{{", "{").replace("}}", "}")
