"""A reader for the printed PuLP models of the public mentoring survey
(``../shared/external-data/mentoring/``, see its README): objective coefficients are the pair
scores, every ``pair_('mentor_i',_'mentee_j')`` variable an allowed pair, and the
``*_max_mentees`` rows the mentor capacities (mentees take one mentor each)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "shared" / "external-data"
MENTORING = DATA / "mentoring"

_PAIR = re.compile(r"pair_\('mentor_(\d+)',_'mentee_(\d+)'\)")
_TERM = re.compile(r"(?:([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\*)?" + _PAIR.pattern)


def read_pulp_model(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(scores, feasible, mentor_capacity)`` of a printed PuLP mentoring model, mentors and
    mentees in their 1-based numbering (``scores[i - 1, j - 1]``)."""
    text = path.read_text()
    head, rest = text.split("SUBJECT TO", 1)
    body, variables = rest.split("VARIABLES", 1)
    pairs = [(int(a), int(b)) for a, b in _PAIR.findall(variables)]
    n_m = max(a for a, _ in pairs)
    n_e = max(b for _, b in pairs)
    scores = np.zeros((n_m, n_e))
    feasible = np.zeros((n_m, n_e), dtype=bool)
    for a, b in pairs:
        feasible[a - 1, b - 1] = True
    objective = head.split("MAXIMIZE", 1)[1]
    for coef, a, b in _TERM.findall(objective):
        scores[int(a) - 1, int(b) - 1] += float(coef) if coef else 1.0
    cap = np.zeros(n_m, dtype=np.int64)
    for name, expr in re.findall(r"^(\w+):(.*?)(?=^\s*$)", body, flags=re.M | re.S):
        found = re.match(r"Mentor_mentor_(\d+)_max_mentees", name)
        if found:
            cap[int(found.group(1)) - 1] = int(re.search(r"<=\s*(\d+)\s*$", expr.strip()).group(1))
    return scores, feasible, cap
