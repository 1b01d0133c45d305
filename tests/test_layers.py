"""The package's layers only look down, and `import rm_match` stays light.

Every import statement of every module under ``src/rm_match`` (at module level or inside a
function: a lazy import is still a dependency) is read from the source, and each module's
layer must be at or below the importing module's. The layers, bottom first:

0. ``errors``, ``_checks``, ``results`` — plain data and checks
1. ``solvers`` — arrays only: never people, programmes, rules or goals
2. ``people``, ``cohort``
3. ``rules``, ``terms``, ``goals``, ``programme`` — declarative
4. ``problem``, ``screen``, ``explain`` — compile and explain
5. ``api``, ``verify``, ``synthetic`` — the entry points
6. ``cli`` (and later ``io``, ``report``, ``plot``) — the edges
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "rm_match"

LAYERS = {
    "errors": 0,
    "_checks": 0,
    "_toml": 0,
    "_progress": 0,
    "_html": 0,
    "results": 0,
    "solvers": 1,
    "people": 2,
    "cohort": 2,
    "preferences": 2,
    "rules": 3,
    "terms": 3,
    "goals": 3,
    "programme": 3,
    "problem": 4,
    "screen": 4,
    "sparse_goals": 4,
    "explain": 4,
    "api": 5,
    "verify": 5,
    "synthetic": 5,
    "rounds": 5,
    "state": 5,
    "learn": 5,
    "stability": 5,
    "sweeps": 5,
    "io": 6,
    "cli": 6,
    "plot": 6,
    "reporting": 6,
}


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if p.name != "__init__.py" or p.parent != SRC)


def _top(parts: tuple[str, ...]) -> str:
    """The top-level unit of a module path inside the package (``solvers/lp`` → ``solvers``)."""
    return parts[0].removesuffix(".py")


def _imports(path: Path) -> list[tuple[str, int]]:
    """(top-level unit imported, line) for every rm_match import in ``path``."""
    rel = path.relative_to(SRC).with_suffix("").parts
    package = rel[:-1]
    tree = ast.parse(path.read_text())
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if node.module and node.module.split(".")[0] == "rm_match":
                    parts = tuple(node.module.split(".")[1:])
                else:
                    continue
            else:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                parts = (*base, *(node.module.split(".") if node.module else ()))
            if not parts:  # `from . import x` at the top: x is the unit
                for alias in node.names:
                    out.append((alias.name, node.lineno))
            else:
                out.append((_top(parts), node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                names = alias.name.split(".")
                if names[0] == "rm_match" and len(names) > 1:
                    out.append((names[1], node.lineno))
    return out


def test_every_module_has_a_layer():
    units = {_top(p.relative_to(SRC).parts) for p in _modules()}
    assert units <= set(LAYERS), sorted(units - set(LAYERS))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_only_look_down(path):
    own = _top(path.relative_to(SRC).parts)
    bad = [
        f"line {line}: {own} (layer {LAYERS[own]}) imports {unit} (layer {LAYERS[unit]})"
        for unit, line in _imports(path)
        if unit in LAYERS and LAYERS[unit] > LAYERS[own]
    ]
    assert bad == []


def test_import_is_light():
    code = (
        "import sys, rm_match\n"
        "heavy = [m for m in ('ortools', 'networkx', 'pandas') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
