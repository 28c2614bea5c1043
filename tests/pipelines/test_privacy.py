"""The privacy guard's rules, one by one, including what it must not flag."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from werkpad.contract import default_contract
from werkpad.pipelines.findings import RefusedFile
from werkpad.pipelines.macros import install_macros
from werkpad.pipelines.privacy import check_privacy, personal_columns
from werkpad.sample_data.faulty import iban_be, insz_number

CONTRACT = default_contract()


def _guard(cells: list[str]) -> set[str]:
    con = duckdb.connect()
    install_macros(con, CONTRACT)
    con.execute("CREATE TABLE extract (trajectory_id VARCHAR)")
    con.executemany("INSERT INTO extract VALUES (?)", [(c,) for c in cells])
    try:
        check_privacy(con, ["trajectory_id"], CONTRACT)
    except RefusedFile as refused:
        return {f.rule for f in refused.findings}
    return set()


@pytest.mark.parametrize(
    "birth",
    [dt.date(1950, 1, 31), dt.date(1999, 12, 1), dt.date(2000, 2, 29), dt.date(2004, 6, 15)],
)
def test_valid_insz_refused_in_both_centuries(birth):
    number = insz_number(birth, 997)
    assert "privacy.insz" in _guard(["ANT-2021-0000001", number])
    assert "privacy.insz" in _guard([number.replace(".", "").replace("-", "")])


def test_insz_with_a_wrong_check_is_not_an_insz():
    number = insz_number(dt.date(1985, 3, 12), 123)
    wrong = number[:-2] + f"{(int(number[-2:]) + 1) % 97:02d}"
    assert "privacy.insz" not in _guard([wrong])


@pytest.mark.parametrize(
    "cell, rule",
    [
        ("jan.peeters@telenet.be", "privacy.email"),
        ("contact: info@ocmw-gent.be", "privacy.email"),
        ("0472 12 34 56", "privacy.phone"),
        ("+32 9 123 45 67", "privacy.phone"),
        ("0032471123456", "privacy.phone"),
        ("011/23.45.67", "privacy.phone"),
        (iban_be(987654321), "privacy.iban"),
        (iban_be(987654321).replace(" ", ""), "privacy.iban"),
    ],
)
def test_personal_cells_refused(cell, rule):
    assert rule in _guard(["ANT-2021-0000001", cell])


@pytest.mark.parametrize(
    "cell",
    [
        "ANT-2021-0000042",
        "2023-05-31",
        "31/05/2023",
        "9f86d081884c7d659a2feaa0c55ad015",
        "ANT-ANT-MEN1",
        "WGTW-LIM",
        "step_to_work",
        "55-64",
        "0",
    ],
)
def test_ordinary_codes_pass(cell):
    assert _guard([cell]) == set()


def test_personal_column_names():
    columns = [
        *CONTRACT.column_names,
        "Voornaam",
        "E-mail adres",
        "Geboortedatum",
        "Rijksregisternummer",
        "Opmerkingen",
        "extra_flag",
    ]
    assert personal_columns(columns, CONTRACT) == [
        "Voornaam",
        "E-mail adres",
        "Geboortedatum",
        "Rijksregisternummer",
        "Opmerkingen",
    ]
