"""The data contract, read from `data_contracts/trajectories.yaml`.

The contract is data: the validation suite, the docs and the sample generator all read it
through this module, so a new column rule or row rule is a YAML edit. This module only parses
and gives typed access; it knows nothing about GX or DuckDB.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from werkpad.config import CONTRACT_FILE, PLACEMENTS_CONTRACT_FILE
from werkpad.site import current_site

COLUMN_TYPES = ("string", "code", "date", "boolean")


@dataclass(frozen=True)
class Column:
    """One contract column and the rules that hang on it."""

    name: str
    type: str
    description: str
    required: bool = False
    values: tuple[str, ...] = ()
    reference: str | None = None
    pattern: str | None = None
    unique: bool = False
    required_when: str | None = None
    rollup: dict[str, str] = field(default_factory=dict)
    rollup_as: str | None = None  # the grouping the rollup's groups are known as
    target_group: bool = False  # a boolean flag that is one of the programme's target groups


@dataclass(frozen=True)
class RowRule:
    """A SQL condition over the typed row that is true for a bad row."""

    name: str
    description: str
    when: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class FileName:
    """What a well-formed extract file name says."""

    project_code: str
    extract_date: dt.date
    format: str


@dataclass(frozen=True)
class Contract:
    """The whole contract: file settings, reference tables, columns, row rules, privacy."""

    name: str
    version: str
    title: str
    description: str
    file: dict[str, Any]
    reference: dict[str, dict[str, Any]]
    columns: tuple[Column, ...]
    rules: tuple[RowRule, ...]
    privacy: dict[str, Any]
    base_dir: Path
    warehouse: dict[str, str] = field(default_factory=dict)  # table, key, versions, ...

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def target_groups(self) -> list[str]:
        """The boolean columns marked `target_group: true`, in contract order."""
        return [c.name for c in self.columns if c.target_group]

    def categories(self, name: str) -> list[str]:
        """A grouping's values in the contract's order: a column's values, the groups a
        column's `rollup` maps onto (`rollup_as: age_group` on `age_band`), or the values a
        reference table declares for one of its columns (`partner_type` of partners)."""
        for column in self.columns:
            if column.name == name:
                return list(column.values)
        for column in self.columns:
            if column.rollup and name == column.rollup_as:
                return list(dict.fromkeys(column.rollup.values()))
        for table in self.reference.values():
            if name in table.get("values", {}):
                return [str(v) for v in table["values"][name]]
        raise KeyError(f"no contract column, rollup or reference table gives the grouping {name}")

    def reference_rows(self, table: str) -> list[dict[str, str]]:
        """Rows of a reference table (`projects`, `regions`, `partners`, ...) as the site's
        file has them (werkpad.site); a load checks the file before it is used."""
        return _read_csv(current_site().reference_file(table))

    def reference_keys(self, table: str) -> list[str]:
        key = self.reference[table]["key"]
        return [row[key] for row in self.reference_rows(table)]

    def parse_file_name(self, name: str) -> FileName | None:
        """Project code, extract date and format in a file name; None if it breaks the rule."""
        match = re.match(self.file["name_pattern"], name)
        if not match:
            return None
        try:
            date = dt.datetime.strptime(match["extract_date"], "%Y%m%d").date()
        except ValueError:
            return None
        return FileName(match["project_code"], date, match["format"])

    def file_name(self, project_code: str, extract_date: dt.date, fmt: str = "csv") -> str:
        """The file name the contract asks for; the inverse of parse_file_name."""
        return str(self.file["name_format"]).format(
            project_code=project_code, extract_date=extract_date, format=fmt
        )

    def boolean_tokens(self, value: bool) -> list[str]:
        return list(self.file["booleans"]["true" if value else "false"])


@cache
def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_contract(path: Path = CONTRACT_FILE) -> Contract:
    """Parse and check a contract file; raises ValueError naming what is wrong."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    columns = tuple(_column(c) for c in spec["columns"])
    privacy = spec["privacy"]
    if isinstance(privacy, str):  # one guard for every extract: another contract's section
        shared = yaml.safe_load((path.parent / privacy).read_text(encoding="utf-8"))
        privacy = shared["privacy"]
    for column in columns:  # names go into SQL as identifiers: letters, digits, underscores
        if not re.fullmatch(r"[a-z][a-z0-9_]*", column.name):
            raise ValueError(f"column {column.name!r}: names are lower-case identifiers")
    names = {c.name for c in columns}
    rules = tuple(
        RowRule(r["name"], r["description"], " ".join(r["when"].split()), tuple(r["columns"]))
        for r in spec.get("rules", [])
    )
    for rule in rules:
        unknown = set(rule.columns) - names
        if unknown:
            raise ValueError(f"rule {rule.name} names unknown columns {sorted(unknown)}")
    for column in columns:
        if column.reference and column.reference not in spec["reference"]:
            raise ValueError(f"column {column.name} names unknown reference {column.reference}")
    return Contract(
        name=spec["contract"],
        version=str(spec["version"]),
        title=spec["title"],
        description=" ".join(spec["description"].split()),
        file=spec["file"],
        reference=spec["reference"],
        columns=columns,
        rules=rules,
        privacy=privacy,
        base_dir=path.parent,
        warehouse={k: str(v) for k, v in spec["warehouse"].items()},
    )


def _column(spec: dict[str, Any]) -> Column:
    if spec["type"] not in COLUMN_TYPES:
        raise ValueError(f"column {spec['name']}: type must be one of {COLUMN_TYPES}")
    return Column(
        name=spec["name"],
        type=spec["type"],
        description=spec["description"],
        required=bool(spec.get("required", False)),
        values=tuple(str(v) for v in spec.get("values", ())),
        reference=spec.get("reference"),
        pattern=spec.get("pattern"),
        unique=bool(spec.get("unique", False)),
        required_when=spec.get("required_when"),
        rollup=dict(spec.get("rollup", {})),
        rollup_as=spec.get("rollup_as"),
        target_group=bool(spec.get("target_group", False)),
    )


@cache
def default_contract() -> Contract:
    """The trajectories contract in use, parsed once per process."""
    return load_contract()


@cache
def placements_contract() -> Contract:
    """The placements contract (issue 13), parsed once per process."""
    return load_contract(PLACEMENTS_CONTRACT_FILE)


def all_contracts() -> tuple[Contract, ...]:
    """Every extract contract, in the order a night loads a project's files: its
    trajectories before its placements, which are checked against them."""
    return default_contract(), placements_contract()


def contract_for(name: str) -> tuple[Contract, FileName] | None:
    """The contract whose file-name rule a file's name follows, with what the name says."""
    for contract in all_contracts():
        parsed = contract.parse_file_name(name)
        if parsed is not None:
            return contract, parsed
    return None
