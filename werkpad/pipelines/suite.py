"""The validation checks, derived from the data contract.

Every check is a rule name, a description, the columns it reads and, for row checks, a SQL query
that selects the `_row_number` of each bad row. Selecting only row numbers is deliberate: GX
keeps what the query returns in its results and Data Docs, and a row number is not personal.

Column rules come from keys on a contract column; row rules from the contract's `rules`. To add
a kind of column rule, add a key to the contract and a branch in `column_checks`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from werkpad.contract import Column, Contract, FileName
from werkpad.pipelines.macros import sql_list

TYPED = {"date": 'werkpad_date("{c}")', "boolean": 'werkpad_bool("{c}")'}
SQL_TYPE = {"date": "DATE", "boolean": "BOOLEAN"}


@dataclass(frozen=True)
class Check:
    """One validation rule; `query` is None for the schema and table checks GX has built in."""

    rule: str
    description: str
    columns: tuple[str, ...]
    query: str | None = None


def typed_select(contract: Contract, present: list[str]) -> str:
    """The select list that types every contract column; a missing column becomes NULL."""
    parts = []
    for column in contract.columns:
        if column.name not in present:
            parts.append(f'CAST(NULL AS {SQL_TYPE.get(column.type, "VARCHAR")}) AS "{column.name}"')
        else:
            expr = TYPED.get(column.type, 'werkpad_text("{c}")').format(c=column.name)
            parts.append(f'{expr} AS "{column.name}"')
    return ",\n        ".join(parts)


def referenced_columns(sql: str, contract: Contract) -> set[str]:
    return {c for c in contract.column_names if re.search(rf"\b{re.escape(c)}\b", sql)}


def _typed_query(contract: Contract, present: list[str], condition: str) -> str:
    return (
        f"WITH typed AS (SELECT _row_number, {typed_select(contract, present)} FROM {{batch}})\n"
        f"SELECT _row_number FROM typed WHERE coalesce(({condition}), false)"
    )


def column_checks(column: Column, contract: Contract, present: list[str]) -> list[Check]:
    """The checks one contract column asks for."""
    c, q = column.name, f'"{column.name}"'
    checks = [Check(f"{c}.exists", f"the file has a column {c}", (c,))]
    if c not in present:
        return checks
    raw = [
        (column.required, "required", "is filled in on every row", f"werkpad_text({q}) IS NULL"),
        (
            column.type in TYPED,
            column.type,
            f"is a valid {column.type}",
            f"werkpad_text({q}) IS NOT NULL AND {TYPED.get(column.type, '').format(c=c)} IS NULL",
        ),
    ]
    for wanted, kind, text, condition in raw:
        if wanted:
            query = f"SELECT _row_number FROM {{batch}} WHERE {condition}"
            checks.append(Check(f"{c}.{kind}", f"{c} {text}", (c,), query))
    typed = []
    if column.values:
        typed.append(
            (
                "values",
                f"{c} is one of {', '.join(column.values)}",
                f"{q} NOT IN ({sql_list(column.values)})",
            )
        )
    if column.reference:
        key = contract.reference[column.reference]["key"]
        typed.append(
            (
                "reference",
                f"{c} exists in the reference table {column.reference}",
                f"{q} NOT IN (SELECT {key} FROM ref_{column.reference})",
            )
        )
    if column.pattern:
        typed.append(
            (
                "pattern",
                f"{c} matches {column.pattern.replace('{{', '{').replace('}}', '}')}",
                f"NOT regexp_full_match({q}, {sql_list([column.pattern])})",
            )
        )
    if column.unique:
        typed.append(
            (
                "unique",
                f"{c} is unique in the file",
                f"{q} IN (SELECT {q} FROM typed GROUP BY {q} HAVING count(*) > 1)",
            )
        )
    if column.required_when:
        cond = column.required_when
        typed.append(
            (
                "required_when",
                f"{c} is filled in exactly when {cond}",
                f"(({cond}) AND {q} IS NULL)"
                f" OR (NOT coalesce(({cond}), false) AND {q} IS NOT NULL)",
            )
        )
    for kind, text, condition in typed:
        if kind == "required_when" and not referenced_columns(
            column.required_when, contract
        ) <= set(present):
            continue
        checks.append(Check(f"{c}.{kind}", text, (c,), _typed_query(contract, present, condition)))
    return checks


def build_checks(contract: Contract, present: list[str], name: FileName) -> list[Check]:
    """Every check for a file with these columns; row rules on missing columns are left out."""
    checks = [Check("table.at_least_one_row", "the file has at least one data row", ())]
    for column in contract.columns:
        checks += column_checks(column, contract, present)
    province = next(
        p["province_code"]
        for p in contract.reference_rows("projects")
        if p["project_code"] == name.project_code
    )
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
        checks.append(
            Check(
                rule.name,
                rule.description,
                rule.columns,
                _typed_query(contract, present, condition),
            )
        )
    return checks


def plain_sql(query: str, table: str) -> str:
    """A GX query as plain SQL over `table`: braces undoubled, {batch} filled in."""
    return query.replace("{batch}", table).replace("{{", "{").replace("}}", "}")
