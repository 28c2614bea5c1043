"""site.yaml: a site's name, language, thresholds, freshness and status bands, checked.

A setting a site gets wrong must stop a command with the key and the rule, never publish with
a half-read value; whatever a file holds, the reader answers with settings or that error.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from werkpad.site import Settings, Site, SiteSettingsError, StatusBands, read_settings

WERKPAD = [sys.executable, "-m", "werkpad.cli"]


def _site(tmp_path: Path, text: str) -> Site:
    (tmp_path / "site.yaml").write_text(text, encoding="utf-8")
    return Site(tmp_path)


def test_without_site_yaml_the_product_defaults_hold(tmp_path):
    assert read_settings(Site(tmp_path), Settings()) == Settings()


def test_site_yaml_overrides_each_setting(tmp_path):
    site = _site(
        tmp_path,
        "name: Provincie Limburg\nlanguage: fr\nsuppression_threshold: 8\n"
        "report_threshold: 12\nstale_after_hours: 72\nbands: {behind: 0.3, above: 0.05}\n",
    )
    got = read_settings(site, Settings())
    assert got == Settings(
        name="Provincie Limburg",
        language="fr",
        suppression_threshold=8,
        report_threshold=12,
        stale_after_hours=72.0,
        bands=StatusBands(behind=0.3, at_risk=0.10, above=0.05),
    )


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("language: de\n", "language"),
        ("suppression_threshold: 1\n", "suppression_threshold"),
        ("suppression_threshold: 4\n", "suppression_threshold"),  # below the product's 5
        ("suppression_threshold: 8\nsuppression_threshold: 3\n", "set twice"),
        ("bands: {behind: 0.3, behind: 0.2}\n", "set twice"),
        ("suppression_threshold: 5.5\n", "suppression_threshold"),
        ("suppression_threshold: true\n", "suppression_threshold"),
        ("report_threshold: 4\n", "report_threshold"),  # below the dashboard's 5
        ("stale_after_hours: .nan\n", "stale_after_hours"),
        ("stale_after_hours: '48'\n", "stale_after_hours"),
        ("bands: {behind: 2}\n", "bands.behind"),
        ("bands: {at_risk: 0.5}\n", "bands.at_risk"),  # above behind's 0.25
        ("bands: {late: 0.1}\n", "bands"),
        ("name: ''\n", "name"),
        ("colour: red\n", "colour"),
        ("- a list\n", "mapping"),
        ("name: [unclosed\n", "YAML"),
    ],
)
def test_a_wrong_setting_is_refused_by_name(tmp_path, text, names):
    with pytest.raises(SiteSettingsError, match=names) as caught:
        read_settings(_site(tmp_path, text), Settings())
    assert "site.yaml" in str(caught.value)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=6,
)
keys = st.sampled_from(
    ["name", "language", "suppression_threshold", "report_threshold", "stale_after_hours",
     "bands", "other"]
)  # fmt: skip


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(keys, yaml_values, max_size=4) | yaml_values)
def test_any_site_yaml_gives_settings_or_a_named_refusal(tmp_path, spec):
    site = _site(tmp_path, yaml.safe_dump(spec, allow_unicode=True))
    try:
        got = read_settings(site, Settings())
    except SiteSettingsError as error:
        assert str(error).startswith(str(site.settings_file))
        return
    # what is accepted is within range, whatever the file said
    assert 5 <= got.suppression_threshold <= got.report_threshold <= 1000
    assert got.language in ("nl", "fr", "en")
    assert 0 <= got.bands.at_risk <= got.bands.behind <= 1


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200))
def test_any_bytes_give_settings_or_a_named_refusal(tmp_path, raw):
    (tmp_path / "site.yaml").write_bytes(raw)
    try:
        got = read_settings(Site(tmp_path), Settings())
    except SiteSettingsError as error:
        assert "site.yaml" in str(error)
    else:
        assert isinstance(got, Settings)


def _werkpad(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("WERKPAD_SITE", "WERKPAD_USERS")}
    return subprocess.run(
        [*WERKPAD, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_a_wrong_site_yaml_stops_every_command_with_one_line(tmp_path):
    site = tmp_path / "site"
    (site / "reference").mkdir(parents=True)
    (site / "site.yaml").write_text("suppression_threshold: 1\n", encoding="utf-8")
    done = _werkpad("metrics", "--site", str(site), cwd=tmp_path)
    assert done.returncode == 2
    assert "suppression_threshold must be from 5 to 1000" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
