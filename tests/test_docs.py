"""Cheap invariants of the documentation site (``docs/``); the build itself is CI's
``sphinx-build -W`` step, never run here.

- every public name of ``rm_match`` (its ``__all__``) is in the API reference;
- every gallery script has a sphinx-gallery title (a docstring opening with a title and its
  ``=`` underline);
- every Markdown page of ``docs/`` is in the site's table of contents;
- the ``docs`` extra and the CI step that builds the site with warnings as errors.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

import rm_match

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
API = DOCS / "api" / "index.rst"
GALLERY = DOCS / "gallery"


def _api_entries() -> set[str]:
    """The names the API reference lists: the entries of its autosummary tables and the
    targets of its ``.. data::`` directives."""
    entries: set[str] = set()
    in_table = False
    for line in API.read_text(encoding="utf-8").splitlines():
        if line.startswith(".. autosummary::"):
            in_table = True
        elif in_table and line and not line.startswith(" "):
            in_table = False
        elif in_table and line.strip() and not line.strip().startswith(":"):
            entries.add(line.strip())
        if m := re.match(r"\.\. data:: (\w+)\s*$", line):
            entries.add(m.group(1))
    return entries


def test_every_public_name_is_in_the_api_reference():
    entries = _api_entries()
    missing = [
        name
        for name in rm_match.__all__
        if name not in entries and f"rm_match.{name}" not in entries
    ]
    assert missing == [], f"add these to docs/api/index.rst: {missing}"


def test_the_api_reference_names_only_real_objects():
    for entry in _api_entries():
        name = entry.removeprefix("rm_match.")
        obj: object = rm_match
        for part in name.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                __import__(f"rm_match.{name}")  # a submodule not re-exported at the top
                break


GALLERY_SCRIPTS = sorted(GALLERY.glob("plot_*.py"))


def test_the_gallery_has_examples():
    assert len(GALLERY_SCRIPTS) >= 3
    assert (GALLERY / "GALLERY_HEADER.rst").is_file()


@pytest.mark.parametrize("script", GALLERY_SCRIPTS, ids=lambda p: p.name)
def test_gallery_script_has_a_title(script: Path):
    doc = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8")), clean=True)
    assert doc, f"{script.name} has no docstring"
    lines = doc.strip().splitlines()
    assert len(lines) >= 3, f"{script.name}: a title, its underline and a description"
    title, underline = lines[0], lines[1]
    assert title.strip() and set(underline) == {"="} and len(underline) == len(title), (
        f"{script.name}: the docstring must open with a title underlined by '=' of its length"
    )


def test_every_markdown_page_is_in_the_toctree():
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^([\w/]+)$", index, flags=re.M))
    pages = {p.stem for p in DOCS.glob("*.md")} - {"index"}
    assert pages <= listed, f"add to the toctree of docs/index.md: {sorted(pages - listed)}"


def test_docs_extra_and_ci_step():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extra = " ".join(project["project"]["optional-dependencies"]["docs"])
    for package in ("sphinx", "numpydoc", "myst-parser", "sphinx-gallery", "furo"):
        assert re.search(rf"(^|\s){re.escape(package)}\b", extra), package
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert '".[docs]"' in ci
    assert re.search(r"sphinx-build -W\b.* docs docs/_build/html", ci)
