"""Sphinx configuration of the rm_match documentation.

Build (from the repository root, after ``pip install ".[docs]"``)::

    sphinx-build -W --keep-going -b html docs docs/_build/html

The build works offline (no intersphinx) and executes the gallery scripts in
``docs/gallery/``; their output goes to ``docs/auto_examples/`` (not tracked).
"""

from __future__ import annotations

import logging
import os
import re
import sys
import warnings
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
try:  # the package as installed in the build environment (CI: pip install ".[docs]")
    import rm_match
except ImportError:  # a checkout without an install: the source tree
    sys.path.insert(0, str(ROOT / "src"))
    import rm_match

os.environ.setdefault("MPLBACKEND", "Agg")

project = "rm_match"
author = "rm_match developers"
copyright = "rm_match developers"
release = rm_match.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "_templates",
    "gallery/GALLERY_HEADER.rst",
    "Thumbs.db",
    ".DS_Store",
]

# offline build: no intersphinx, nothing fetched
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}

# -- autodoc / autosummary ---------------------------------------------------------------
autosummary_generate = True
autosummary_ignore_module_all = False  # a module's page lists exactly its __all__
autosummary_imported_members = False
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
autodoc_inherit_docstrings = True
add_module_names = False


def _reexported() -> dict[str, list[str]]:
    """For each module of the package, the names of its ``__all__`` that are the very object
    of the same name at the top level: a module page links those to their top-level page
    instead of documenting them a second time."""
    import importlib
    import pkgutil

    out: dict[str, list[str]] = {}
    for info in pkgutil.walk_packages(rm_match.__path__, "rm_match."):
        try:
            module = importlib.import_module(info.name)
        except Exception:  # an optional dependency missing: not documented
            continue
        out[info.name] = [
            n
            for n in getattr(module, "__all__", ())
            if n in rm_match.__all__ and getattr(rm_match, n) is getattr(module, n, None)
        ]
    return out


autosummary_context = {"reexported": _reexported()}


def _filename_map() -> dict[str, str]:
    """Page names that differ only in letter case (``Report`` and ``report``) collide on
    case-insensitive file systems: the function's page gets a suffix."""
    names = {n.casefold(): n for n in rm_match.__all__ if n[:1].isupper()}
    return {
        f"rm_match.{n}": f"rm_match.{n}-function"
        for n in rm_match.__all__
        if n[:1].islower() and n.casefold() in names
    }


autosummary_filename_map = _filename_map()

# -- numpydoc ----------------------------------------------------------------------------
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_show_inherited_class_members = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# -- MyST (the Markdown pages: README, guide, goals, data, ...) ---------------------------
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 4  # "data.md#missing-values" style links

# -- sphinx-gallery ----------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": ["gallery"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",  # every plot_*.py is executed at build time
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    "show_memory": False,
    "plot_gallery": True,
}

# matplotlib's Agg backend: no "non-interactive backend" warnings from plt.show()
warnings.filterwarnings(
    "ignore", category=UserWarning, message=".*Matplotlib is currently using agg.*"
)
warnings.filterwarnings("ignore", category=UserWarning, message=".*FigureCanvasAgg.*")

# furo's dependency accessible-pygments calls logging.basicConfig(level=INFO) on import, which
# would print every INFO record of the library (solver choices, timings) into the build log
try:
    import a11y_pygments  # noqa: F401
except ImportError:
    pass
else:
    _root = logging.getLogger()
    for _handler in list(_root.handlers):
        _fmt = getattr(_handler.formatter, "_fmt", "") or ""
        if _fmt.startswith("# %(asctime)s"):
            _root.removeHandler(_handler)
    _root.setLevel(logging.WARNING)

# -- HTML --------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"rm_match {release}"
html_static_path: list[str] = []
html_show_sourcelink = False


# -- Markdown links to files outside the documentation -------------------------------------
# The Markdown pages link to benchmark results (``../benchmarks/results/*.md``), which render
# on the repository host but are not pages of this site: there they become the plain path.
_OUTSIDE_MD_LINK = re.compile(r"\[([^\]]+)\]\(((?:\.\./)+(?!docs/)[^)\s]+\.md)(#[^)]*)?\)")


def _outside_links(app, docname, source):
    def plain(m: re.Match[str]) -> str:
        path = m.group(2)
        while path.startswith("../"):
            path = path[3:]
        return f"{m.group(1)} (``{path}`` in the repository)"

    source[0] = _OUTSIDE_MD_LINK.sub(plain, source[0])


def setup(app):
    app.connect("source-read", _outside_links)
    return {"parallel_read_safe": True}
