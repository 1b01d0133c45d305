"""Fast screens of a :class:`~rm_match.Problem`, block by block, for the sparse path.

The exact score is computed pair-wise by :mod:`rm_match.terms`. For screening billions of
pairs, :class:`ProblemSource` turns as much of it as it can into **one float32 matrix
product** per block (BLAS on every core, no elementwise pass per term):

- the learning term, ``offers·wants`` both ways, is a product of the two skill profiles;
- every other term, and every *keyed* hard rule (one that looks only at the two people's
  fields: department, grade, time zone, languages, attributes), depends on each side only
  through a few fields. People with equal values of those fields share a *key*, and the
  component is a table over (mentor key, mentee key) — computed exactly, once. When one side
  has at most :data:`_ONE_HOT` keys, the table joins the product exactly: that side gets a
  one-hot column per key and the other side the table's row (a forbidden pair gets
  ``-PENALTY``);
- the interests term (Jaccard similarity of two sets, whose keys are many) is replaced by its
  upper bound, the cosine similarity ``|A ∩ B| / sqrt(|A|·|B|)`` — a product of the two
  normalised indicator vectors. The screen is then an upper bound on the score, within
  :attr:`ProblemSource.looseness` of it;
- what remains (a component with many keys on both sides) is evaluated per pair of keys and
  gathered to the pairs, as before;
- the ``preference`` term (participants' answers: a few per person) is a sparse matrix,
  added exactly to each block; the rules on the answers (vetoes, mutual acceptability) are
  sparse masks too, each forbidden pair pushed down by ``PENALTY``.

So for every allowed pair ``exact - δ ≤ screen ≤ exact + δ + looseness`` with ``δ =
error(scale)``, and a pair a keyed rule forbids screens at most
:data:`~rm_match.solvers.sparse.INFEASIBLE`. Rules that look at identities (reporting lines,
pair lists) are not screened: the sparse path checks them exactly on every pair it keeps
(:meth:`ProblemSource.exact`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from .rules import MutuallyAcceptable, Vetoes
from .solvers.decompose import components
from .solvers.sparse import FORBIDDEN, INFEASIBLE, _fast
from .terms import TERM_FIELDS, fused_scores, packed_sets, pair_terms, scaled_wants

if TYPE_CHECKING:
    from .cohort import Cohort
    from .problem import Problem
    from .rules import Rule

__all__ = ["ProblemSource", "keyed_parts"]

#: Added for each keyed rule a pair breaks; scores lie in [0, 1].
PENALTY = 1024.0
#: Most cells (mentor keys × mentee keys) in a table computed once.
_MAX_TABLE = 1 << 24
#: Pairs per chunk in exact pair-wise evaluation (bounds temporary memory).
_EXACT_CHUNK = 1 << 20
#: Most keys on the smaller side for a component to join the matrix product (one column each).
_ONE_HOT = 64

#: A component of the score or of the rules: its values for mentors × mentees (keys or
#: people), as a block.
_Component = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _key_columns(cohort: Cohort, name: str, side: int) -> np.ndarray:
    """The values a component looks at on one side (0 mentors, 1 mentees), as float columns."""
    people = cohort.mentors if side == 0 else cohort.mentees
    col: np.ndarray | None
    if name == "department":
        col = cohort.departments[side]
    elif name == "grade":
        col = people.grade
    elif name == "timezone":
        col = people.timezone
    elif name == "languages":
        return np.asarray(cohort.languages[side], dtype=np.float64)
    elif name == "interests":
        return np.asarray(cohort.interests[side], dtype=np.float64)
    else:
        col = cohort.attribute_codes(name)[side]
    a = np.asarray(col, dtype=np.float64)
    # one column per scalar field; explicit widths: reshape(0, -1) is ambiguous
    return a[:, None] if a.ndim == 1 else a.reshape(len(a), int(np.prod(a.shape[1:])))


def _keys(columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(code per row, one representative row per distinct key)."""
    if columns.shape[1] == 0:
        return np.zeros(len(columns), dtype=np.intp), np.zeros(min(len(columns), 1), np.intp)
    _, first, inverse = np.unique(columns, axis=0, return_index=True, return_inverse=True)
    return inverse.reshape(-1).astype(np.intp), first.astype(np.intp)


def keyed_parts(
    problem: Problem, m_ok: np.ndarray, e_ok: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """Independent parts of a large problem, found without an n × n mask.

    The keyed rules (those that look only at the two people's fields) are tabulated once per
    pair of distinct keys; the connected components of that key × key graph, mapped back to
    the participants who can still take a partner (``m_ok``, ``e_ok``), are parts no allowed
    pair crosses. Rules on identities only remove pairs, so they can split a part further
    but never join two. Returns ``None`` when the table would exceed :data:`_MAX_TABLE`
    cells; otherwise the parts as in :func:`~rm_match.solvers.decompose.components`.
    """
    cohort = problem.cohort
    keyed = [r for r in problem.programme.rules if r.keyed]
    m_idx, e_idx = np.flatnonzero(m_ok), np.flatnonzero(e_ok)
    if not keyed or not len(m_idx) or not len(e_idx):
        return [(m_idx, e_idx)] if len(m_idx) and len(e_idx) else []
    fields = sorted({f for r in keyed for f in r.fields})
    sides = []
    for side, idx in ((0, m_idx), (1, e_idx)):
        cols = np.hstack([_key_columns(cohort, f, side) for f in fields])[idx]
        sides.append(_keys(cols))
    (codes_m, reps_m), (codes_e, reps_e) = sides
    if len(reps_m) * len(reps_e) > _MAX_TABLE:
        return None
    table = np.ones((len(reps_m), len(reps_e)), dtype=bool)
    for r in keyed:
        table &= r.allowed(cohort, m_idx[reps_m], e_idx[reps_e], outer=True)
    parts = []
    for km, ke in components(table):
        rows = m_idx[np.isin(codes_m, km)]
        cols = e_idx[np.isin(codes_e, ke)]
        parts.append((rows, cols))
    parts.sort(key=lambda p: -len(p[0]) * len(p[1]))
    return parts


class _Group:
    """Components sharing one key: a code per participant, one representative per key.

    When both sides have few keys the whole key × key table is computed once (exactly, by
    the components on the representatives); otherwise a mentor-key × mentee table per block.
    """

    def __init__(
        self, cols_m: np.ndarray, cols_e: np.ndarray, components: list[_Component]
    ) -> None:
        self.cols_m, self.cols_e = cols_m, cols_e
        self.codes_m, self.reps_m = _keys(cols_m)
        self.codes_e, self.reps_e = _keys(cols_e)
        self.components = components
        self.full: np.ndarray | None = None

    @property
    def cells(self) -> int:
        return len(self.reps_m) * len(self.reps_e)

    def evaluate(self, mi: np.ndarray, ei: np.ndarray) -> np.ndarray:
        """The sum of the components over mentors ``mi`` × mentees ``ei`` (float64)."""
        acc = None
        for fn in self.components:
            part = fn(mi, ei)
            acc = part if acc is None else acc + part
        return np.asarray(acc, dtype=np.float64)

    def prepare(self) -> None:
        if self.cells <= _MAX_TABLE:
            self.full = self.evaluate(self.reps_m, self.reps_e).astype(np.float32)

    def block(self, codes_m: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """The group's values for mentors with ``codes_m`` × mentees ``cols``."""
        # np.take: a quarter faster than fancy indexing on these shapes
        if self.full is not None:
            return np.take(np.take(self.full, self.codes_e[cols], axis=1), codes_m, axis=0)
        return np.take(self.evaluate(self.reps_m, cols).astype(np.float32), codes_m, axis=0)


def _group(cohort: Cohort, fields: tuple[str, ...], components: list[_Component]) -> _Group:
    """The components looking at ``fields``, keyed on both sides."""
    sides = []
    for side in (0, 1):
        cols = [_key_columns(cohort, f, side) for f in fields]
        sides.append(np.hstack(cols) if cols else np.zeros((cohort.shape[side], 0)))
    return _Group(sides[0], sides[1], components)


#: Set bits of each byte value (``np.bitwise_count`` needs numpy 2; we support 1.26).
def _one_hot(codes: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros((len(codes), n))
    out[np.arange(len(codes)), codes] = 1.0
    return out


class ProblemSource:
    """A :class:`~rm_match.solvers.sparse.ScoreSource` over a compiled-on-demand problem.

    Parameters
    ----------
    problem : Problem
    fixed : ndarray of int, shape (k, 2)
        Required pairs already placed (excluded from the candidates).

    Examples
    --------
    >>> import numpy as np
    >>> from rm_match import Problem, synthetic
    >>> from rm_match.screen import ProblemSource
    >>> p = Problem(*synthetic.cohort(50, 40, rng=0))
    >>> src = ProblemSource(p, np.empty((0, 2), dtype=int))
    >>> block = src.screen(None, np.arange(40), None, None)
    >>> exact = p.scores(np.arange(50), np.arange(40))
    >>> over = block - exact  # the screen never falls below the score (beyond rounding)
    >>> bool(over.min() >= -src.error(0.0)), bool(over.max() <= src.looseness + src.error(0.0))
    (True, True)
    """

    def __init__(self, problem: Problem, fixed: np.ndarray) -> None:
        self.problem = problem
        cohort, prog = problem.cohort, problem.programme
        self.shape = cohort.shape
        n_m, n_e = self.shape
        weights = problem.weights
        total_w = sum(weights.values()) or 1.0
        # factors of the matrix product: mentor side F, mentee side G (float64 until the end)
        f_parts: list[np.ndarray] = [np.zeros((n_m, 0))]
        g_parts: list[np.ndarray] = [np.zeros((n_e, 0))]
        #: Most the screen may exceed the exact score by (besides rounding).
        self.looseness = 0.0
        # (weight, packed sets and sizes per side)
        self._interests: (
            tuple[float, tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None
        ) = None
        # learning: [offers_m, ŵants_m] against c·[ŵants_e, λ·offers_e], with ŵants the
        # wants weighted and scaled as the term's `learning_norm` says
        if "learning" in weights:
            spec = problem.spec
            lam = spec.reverse_weight
            c = weights["learning"] / total_w / (1.0 + lam)
            m, e = cohort.mentors, cohort.mentees
            f_parts.append(np.hstack((m.offers, scaled_wants(m.wants, spec))))
            g_parts.append(np.hstack((scaled_wants(e.wants, spec), lam * e.offers)) * c)
        # keyed components, grouped by the fields they look at
        by_fields: dict[tuple[str, ...], list[_Component]] = {}
        #: the preference term, weighted (sparse, exact), or None
        self._pref = None
        for term, wt in weights.items():
            if term == "preference":
                assert cohort.preferences is not None  # required of an active term
                self._pref = (cohort.preferences.term * (wt / total_w)).astype(np.float32)
                continue
            if term == "learning":
                continue
            fields = TERM_FIELDS[term] or tuple(prog.diversity_attributes)
            by_fields.setdefault(fields, []).append(self._term_fn(term, wt / total_w))
        #: the rules on the participants' answers, as sparse 0/1 masks: vetoed pairs, and
        #: (for MutuallyAcceptable) the pairs allowed
        self._vetoed: list[sp.csr_array] = []
        self._allowed_only: list[sp.csr_array] = []
        for rule in prog.rules:  # rules on identities are left to `exact`
            if rule.keyed:
                by_fields.setdefault(tuple(rule.fields), []).append(self._rule_fn(rule))
            elif isinstance(rule, Vetoes | MutuallyAcceptable):
                assert cohort.preferences is not None  # checked by the rule
                if isinstance(rule, Vetoes):
                    self._vetoed.append(cohort.preferences.vetoed.astype(np.float32))
                else:
                    self._allowed_only.append(cohort.preferences.mutual.astype(np.float32))
        gathered: list[_Group] = []
        for fields, comps in by_fields.items():
            g = _group(cohort, fields, comps)
            if g.cells <= _MAX_TABLE and min(len(g.reps_m), len(g.reps_e)) <= _ONE_HOT:
                table = g.evaluate(g.reps_m, g.reps_e)
                if len(g.reps_m) <= len(g.reps_e):
                    f_parts.append(_one_hot(g.codes_m, len(g.reps_m)))
                    g_parts.append(table.T[g.codes_e])
                else:
                    f_parts.append(table[g.codes_m])
                    g_parts.append(_one_hot(g.codes_e, len(g.reps_e)))
            elif fields == ("interests",) and len(comps) == 1 and "interests" in weights:
                # the term alone (no rule looks at interests): its cosine upper bound
                wt = weights["interests"] / total_w
                (bits_m, a), (bits_e, b) = (packed_sets(x) for x in cohort.interests)
                i_m, i_e = (np.asarray(x, dtype=np.float64) for x in cohort.interests)
                f_parts.append(i_m / np.sqrt(np.maximum(a, 1.0))[:, None])
                g_parts.append(wt * i_e / np.sqrt(np.maximum(b, 1.0))[:, None])
                self.looseness += wt
                self._interests = (wt, (bits_m, a), (bits_e, b))
            else:
                gathered.append(g)
        self._fm = np.hstack(f_parts).astype(np.float32)
        self._ge = np.hstack(g_parts).astype(np.float32)
        self._groups = self._merge(gathered)
        self._fixed = np.unique(fixed[:, 0] * max(n_e, 1) + fixed[:, 1]) if len(fixed) else None
        self._cache: dict[
            tuple[int | None, int | None, bool],
            tuple[np.ndarray | None, np.ndarray | None, tuple[np.ndarray, list[np.ndarray]]],
        ] = {}

    def _term_fn(self, term: str, weight: float) -> _Component:
        cohort, spec = self.problem.cohort, self.problem.spec
        return lambda reps, cols: weight * pair_terms(cohort, spec, reps, cols, terms=[term])[term]

    def _rule_fn(self, rule: Rule) -> _Component:
        cohort = self.problem.cohort
        return lambda reps, cols: np.where(rule.allowed(cohort, reps, cols), 0.0, -PENALTY)

    @staticmethod
    def _merge(groups: list[_Group]) -> list[_Group]:
        """The groups (one per set of fields), merged while the key × key table stays small."""
        items = sorted(groups, key=lambda g: g.cells)
        merged: list[_Group] = []
        for g in items:
            if merged:
                last = merged[-1]
                trial = _Group(
                    np.hstack((last.cols_m, g.cols_m)),
                    np.hstack((last.cols_e, g.cols_e)),
                    last.components + g.components,
                )
                if trial.cells <= _MAX_TABLE:
                    merged[-1] = trial
                    continue
            merged.append(g)
        for g in merged:
            g.prepare()
        return merged

    # -- ScoreSource ----------------------------------------------------------------------------

    def _mentor_side(
        self, rows: np.ndarray | None, u: np.ndarray | None, shifted: bool
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        key = (None if rows is None else id(rows), None if u is None else id(u), shifted)
        hit = self._cache.get(key)
        if hit is not None and hit[0] is rows and hit[1] is u:
            return hit[2]
        fm = self._fm if rows is None else self._fm[rows]
        if shifted:
            uu = np.zeros(len(fm)) if u is None else (u if rows is None else u[rows])
            fm = np.hstack((fm, -uu[:, None].astype(np.float32), np.ones((len(fm), 1), np.float32)))
        codes = [g.codes_m if rows is None else g.codes_m[rows] for g in self._groups]
        if len(self._cache) > 8:
            self._cache.clear()
        self._cache[key] = (rows, u, (fm, codes))
        return fm, codes

    def screen(
        self, rows: np.ndarray | None, cols: np.ndarray, u: np.ndarray | None, v: np.ndarray | None
    ) -> np.ndarray:
        shifted = u is not None or v is not None
        fm, codes = self._mentor_side(rows, u, shifted)
        ge = self._ge[cols]
        if shifted:
            vv = np.zeros(len(cols)) if v is None else v[cols]
            ge = np.hstack(
                (ge, np.ones((len(cols), 1), np.float32), -vv[:, None].astype(np.float32))
            )
        # a C-ordered right factor: BLAS runs about twice as fast on it here
        out = (
            fm @ np.ascontiguousarray(ge.T)
            if fm.shape[1]
            else np.zeros((len(fm), len(cols)), dtype=np.float32)
        )
        for g, c in zip(self._groups, codes, strict=True):
            out += g.block(c, cols)
        if self._pref is not None:
            part = self._pref if rows is None else self._pref[rows]
            out += part[:, cols].toarray()
        # the answers' rules: 0 or -PENALTY exactly, so an allowed pair's screen is unchanged
        for mask in self._vetoed:
            part = mask if rows is None else mask[rows]
            out -= PENALTY * part[:, cols].toarray()
        for mask in self._allowed_only:
            part = mask if rows is None else mask[rows]
            out += PENALTY * (part[:, cols].toarray() - 1.0)
        return out

    def error(self, scale: float) -> float:
        # float32 rounding of a sum of k products whose magnitudes add up to at most
        # 2 + scale on an allowed pair (the terms' weights sum to one; the cosine bound
        # adds at most the interests weight; a one-hot block contributes one entry)
        k = self._fm.shape[1] + 2 + 2 * len(self._groups) + 4
        return 2.0 * k * float(np.finfo(np.float32).eps) * (2.0 + scale)

    def refine(self, mi: np.ndarray, ei: np.ndarray, screened: np.ndarray) -> np.ndarray:
        """Takes off what the cosine bound adds to the interests term (pair-wise, cheap)."""
        if self._interests is None or len(mi) == 0:
            return screened
        wt, (bits_m, a), (bits_e, b) = self._interests
        inter = _fast.POPCOUNT[bits_m[mi] & bits_e[ei]].sum(axis=1, dtype=np.float64)
        a, b = a[mi], b[ei]
        union = a + b - inter
        jaccard = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
        cosine = inter / np.sqrt(np.maximum(a, 1.0) * np.maximum(b, 1.0))
        return screened - wt * (cosine - jaccard)

    def exact(self, mi: np.ndarray, ei: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mi = np.asarray(mi, dtype=np.intp)
        ei = np.asarray(ei, dtype=np.intp)
        scores = np.empty(len(mi))
        ok = np.empty(len(mi), dtype=bool)
        p = self.problem
        # the compiled scorer (the fast extra) on large sources: 5-8x the numpy terms
        fused = _fast.use_scorer(self.shape[0] * self.shape[1])
        for s in range(0, len(mi), _EXACT_CHUNK):
            a, b = mi[s : s + _EXACT_CHUNK], ei[s : s + _EXACT_CHUNK]
            if fused:
                scores[s : s + len(a)] = fused_scores(p.cohort, p.spec, p.weights, a, b)
            else:
                scores[s : s + len(a)] = p.scores(a, b, outer=False)
            ok[s : s + len(a)] = p.permitted(a, b)
        if self._fixed is not None:
            ok &= ~np.isin(mi * max(self.shape[1], 1) + ei, self._fixed)
        return scores, ok


assert -PENALTY + 1.0 <= FORBIDDEN < INFEASIBLE  # a forbidden pair screens below the floor
