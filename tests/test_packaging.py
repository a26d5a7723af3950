"""The files that travel with the package agree with it: licence, citation, changelog, version."""

from __future__ import annotations

import datetime
import tomllib
from pathlib import Path

import yaml

import iwm

ROOT = Path(__file__).resolve().parent.parent


def test_one_version_everywhere():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert project["version"] == iwm.__version__ == str(citation["version"])
    assert f"## [{iwm.__version__}]" in (ROOT / "CHANGELOG.md").read_text()


def test_citation_has_the_keys_cff_1_2_requires():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0"
    assert {"message", "title", "authors"} <= set(citation)
    assert all("name" in a or "family-names" in a for a in citation["authors"])
    datetime.date.fromisoformat(str(citation["date-released"]))  # an ISO date, quoted or not


def test_licence_is_the_mit_licence_pyproject_declares():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "the iwm team" in text
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == {"text": "MIT"}


def test_changelog_keeps_an_unreleased_section_first():
    headings = [line for line in (ROOT / "CHANGELOG.md").read_text().splitlines() if line.startswith("## ")]
    assert headings[0] == "## [Unreleased]"
