"""Goals on who takes part: :class:`EveryoneMatched`, :class:`Coverage` (each mentee
group meets mentors from several groups) and :class:`Representation` (each group's share
of the chosen)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

import numpy as np

from .._checks import check_choice
from ..errors import GroupConflict, ValidationError
from ..solvers.constrained.model import Row, by_participant
from .base import (
    Goal,
    GoalCheck,
    GoalContext,
    GroupGoal,
    _count,
    _each,
    _flag,
    _goal_check,
    _ratio,
    _row,
    _share_within,
)

__all__ = ["Coverage", "EveryoneMatched", "Representation"]


@dataclass(frozen=True)
class EveryoneMatched(Goal):
    """Every participant of ``side`` with capacity gets at least one partner.

    Examples
    --------
    >>> EveryoneMatched().name
    'everyone_matched_mentee'
    """

    side: str = "mentee"
    kind: ClassVar[str] = "everyone_matched"

    @property
    def name(self) -> str:
        return f"{self.kind}_{self.side}"

    def validate(self) -> None:
        check_choice(self.side, "EveryoneMatched.side", ("mentor", "mentee"))

    def _who(self, ctx: GoalContext) -> tuple[int, np.ndarray]:
        col = 0 if self.side == "mentor" else 1
        cap = ctx.m_cap if col == 0 else ctx.e_cap
        n = ctx.n_m if col == 0 else ctx.n_e
        placed = np.zeros(n, dtype=bool)
        placed[ctx.fixed[:, col]] = True
        return col, (cap > 0) & ~placed

    def compile(self, ctx: GoalContext, index: int) -> list[Row]:
        col, need = self._who(ctx)
        order, bounds = by_participant(ctx.mi if col == 0 else ctx.ei, len(need))
        return [
            _row(
                index,
                order[bounds[p] : bounds[p + 1]],
                np.ones(bounds[p + 1] - bounds[p]),
                1,
                label=ctx.who(self.side, int(p)),
            )
            for p in np.flatnonzero(need)
        ]

    def explain(self, ctx: GoalContext) -> str | None:
        from ..solvers import ArrayProblem, solve

        col, need = self._who(ctx)
        if not need.any():
            return None
        side = ctx.mi if col == 0 else ctx.ei
        ok = need[side]
        w = np.zeros((ctx.n_m, ctx.n_e))
        w[ctx.mi[ok], ctx.ei[ok]] = 1.0
        caps = [ctx.m_cap, ctx.e_cap]
        caps[col] = np.minimum(caps[col], 1)
        a = solve(
            ArrayProblem(w, w > 0, caps[0], caps[1], "max_score", None, np.random.default_rng(0))
        )
        if a.n_matched < int(need.sum()):
            return (
                f"{self.name}: at most {a.n_matched} of the {int(need.sum())} {self.side}s "
                "can have a partner at once"
            )
        return None

    def check(
        self,
        ctx: GoalContext,
        mi: np.ndarray,
        ei: np.ndarray,
        scores: np.ndarray | None = None,
    ) -> GoalCheck:
        col = 0 if self.side == "mentor" else 1
        cap = ctx.m_cap if col == 0 else ctx.e_cap
        n = ctx.n_m if col == 0 else ctx.n_e
        got = np.zeros(n, dtype=bool)
        got[(mi if col == 0 else ei)] = True
        placed = np.zeros(n, dtype=bool)
        placed[ctx.fixed[:, col]] = True
        need = (cap > 0) | placed
        missing = int((need & ~got).sum())
        # counts of a whole side, which the matching lists person by person: never suppressed
        return GoalCheck(
            self.name,
            f"all {int(need.sum())} {self.side}s matched",
            f"{int(need.sum()) - missing} matched",
            missing == 0,
            value=float(int(need.sum()) - missing),
            at_least=float(need.sum()),
        )


@dataclass(frozen=True, repr=False)
class Coverage(GroupGoal):
    """Each mentee group meets mentors from at least ``k`` distinct mentor groups.

    Parameters
    ----------
    groups : str or (array, array)
        Attribute (e.g. ``"department"``) or, at the array level, group codes per side.
    k : int
        Distinct mentor groups each mentee group must meet; a group whose mentees can take
        fewer than ``k`` partners in all must meet as many groups as it has partners.
    exclude_own : bool, default True
        Mentors of the mentee group's own group do not count.

    Examples
    --------
    >>> Coverage("department", k=3).name
    'coverage_department'
    """

    groups: Any = "department"
    k: int = 1
    exclude_own: bool = True
    kind: ClassVar[str] = "coverage"

    def validate(self) -> None:
        _count(self.k, "Coverage.k")
        _flag(self.exclude_own, "Coverage.exclude_own")

    def _targets(self, ctx: GoalContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        c_m, c_e, _ = ctx.groups(self.groups, self.name)
        present = np.unique(c_e[(c_e >= 0) & (ctx.e_cap > 0)])
        return c_m, c_e, present

    def compile(self, ctx: GoalContext, index: int) -> list[Row]:
        c_m, c_e, present = self._targets(ctx)
        gm, ge = c_m[ctx.mi], c_e[ctx.ei]
        fm, fe = c_m[ctx.fixed[:, 0]], c_e[ctx.fixed[:, 1]]
        rows = []
        for g in present.tolist():
            y_idx, const = [], 0
            mentor_groups = np.unique(gm[(ge == g) & (gm >= 0)])
            for h in mentor_groups.tolist():
                if self.exclude_own and h == g:
                    continue
                y = ctx.indicator(
                    np.flatnonzero((ge == g) & (gm == h)), bool(((fe == g) & (fm == h)).any())
                )
                if y is None:
                    const += 1
                else:
                    y_idx.append(y)
            fixed_only = set(fm[(fe == g) & (fm >= 0)].tolist()) - set(mentor_groups.tolist())
            const += len(fixed_only - ({g} if self.exclude_own else set()))
            rows.append(
                _row(
                    index,
                    [],
                    [],
                    self._need(ctx, c_e, g) - const,
                    y_idx=y_idx,
                    y_val=[1] * len(y_idx),
                    label=self.handle("mentee", g),
                )
            )
        return rows

    def conflicts(self, ctx: GoalContext) -> tuple[GroupConflict, ...]:
        """Each mentee group with feasible pairs (or required ones) with fewer mentor groups
        than it must meet, by counting."""
        c_m, c_e, present = self._targets(ctx)
        _, _, labels = ctx.groups(self.groups, self.name)
        gm, ge = c_m[ctx.mi], c_e[ctx.ei]
        fm, fe = c_m[ctx.fixed[:, 0]], c_e[ctx.fixed[:, 1]]
        out = []
        for g in present.tolist():
            hs = set(gm[(ge == g) & (gm >= 0)].tolist()) | set(fm[(fe == g) & (fm >= 0)].tolist())
            if self.exclude_own:
                hs.discard(g)
            need = self._need(ctx, c_e, g)
            if len(hs) < need:
                out.append(
                    GroupConflict(
                        goal=self.name,
                        attribute=self.attribute,
                        side="mentee",
                        code=int(g),
                        label=labels[g] if g < len(labels) else g,
                        size=int((c_e == g).sum()),
                        have=len(hs),
                        need=need,
                    )
                )
        return tuple(out)

    def explain(self, ctx: GoalContext) -> str | None:
        """The first mentee group short of mentor groups, by its handle (code and size,
        never its label; :meth:`conflicts` has the label)."""
        short = self.conflicts(ctx)
        if not short:
            return None
        c = short[0]
        more = f" ({len(short) - 1} more mentee group(s) fall short too)" if len(short) > 1 else ""
        return (
            f"{self.name}: {self.handle('mentee', c.code, c.size)} has feasible pairs with "
            f"only {c.have} mentor group(s); it needs {c.need}{more}"
        )

    def _need(self, ctx: GoalContext, c_e: np.ndarray, g: int) -> int:
        """``k``, or fewer for a group that cannot take ``k`` partners in all."""
        fe = c_e[ctx.fixed[:, 1]]
        room = int(np.minimum(ctx.e_cap[c_e == g], ctx.n_m).sum()) + int((fe == g).sum())
        return min(self.k, room)

    def check(
        self,
        ctx: GoalContext,
        mi: np.ndarray,
        ei: np.ndarray,
        scores: np.ndarray | None = None,
    ) -> GoalCheck:
        c_m, c_e, present = self._targets(ctx)
        a, b = c_m[mi], c_e[ei]
        worst, ok = None, True
        for g in present.tolist():
            hs = set(a[(b == g) & (a >= 0)].tolist())
            if self.exclude_own:
                hs.discard(g)
            ok &= len(hs) >= self._need(ctx, c_e, g)
            worst = len(hs) if worst is None else min(worst, len(hs))
        counted = int(((c_e >= 0) & (ctx.e_cap > 0)).sum())  # the mentees `present` is of
        return _goal_check(
            self.name,
            f"{_each(len(present), counted, 'mentee groups')} meets ≥ {self.k} mentor groups "
            "(or as many as it can take)",
            f"fewest {0 if worst is None else worst}",
            bool(ok),
            value=None if worst is None else float(worst),
            over=len(mi),
            at_least=float(self.k),
        )


@dataclass(frozen=True, repr=False)
class Representation(GroupGoal):
    """Each group's share of the *chosen* participants of ``side`` (those with a partner) is at
    least its share of the applicants (those with capacity), or a given floor — rounded down:
    with ``K`` chosen, a group with share ``p`` gets at least ``⌊p·K⌋``.

    Parameters
    ----------
    groups : str or (array, array)
    side : {"mentor", "mentee"}, default "mentor"
    floor : float or mapping of group to float, optional
        A floor for every group, or per group (groups not listed keep the applicants' share).

    Examples
    --------
    >>> Representation("gender").name
    'representation_gender'
    """

    groups: Any = "gender"
    side: str = "mentor"
    floor: Any = None
    kind: ClassVar[str] = "representation"

    def validate(self) -> None:
        check_choice(self.side, "Representation.side", ("mentor", "mentee"))
        if isinstance(self.floor, Mapping):
            for v in self.floor.values():
                _ratio(v, "Representation.floor")
        elif self.floor is not None:
            _ratio(self.floor, "Representation.floor")

    def _targets(self, ctx: GoalContext) -> tuple[int, np.ndarray, np.ndarray, dict[int, Fraction]]:
        c_m, c_e, labels = ctx.groups(self.groups, self.name)
        col = 0 if self.side == "mentor" else 1
        codes, cap = (c_m, ctx.m_cap) if col == 0 else (c_e, ctx.e_cap)
        placed = np.zeros(len(codes), dtype=bool)
        placed[ctx.fixed[:, col]] = True
        applicants = (cap > 0) | placed
        if isinstance(self.floor, Mapping):
            present = {labels[g] if g < len(labels) else g for g in np.unique(codes[codes >= 0])}
            unknown = sum(1 for k in self.floor if k not in present)
            if unknown:  # a typo would otherwise leave a group without its floor, silently
                raise ValidationError(
                    f"goal {self.name}: `floor` names {unknown} group(s) that no {self.side} "
                    "belongs to.",
                    argument="Representation.floor",
                )
        out: dict[int, Fraction] = {}
        n_app = int(applicants.sum())
        for g in np.unique(codes[applicants & (codes >= 0)]).tolist():
            share = Fraction(int((applicants & (codes == g)).sum()), max(n_app, 1))
            if isinstance(self.floor, Mapping):
                label = labels[g] if g < len(labels) else g
                if label in self.floor:
                    share = _ratio(self.floor[label], "floor")
            elif self.floor is not None:
                share = _ratio(self.floor, "floor")
            # exact for every count of chosen participants up to the side's size
            out[g] = _share_within(share, len(codes), up=False)
        return col, codes, placed, out

    def compile(self, ctx: GoalContext, index: int) -> list[Row]:
        col, codes, placed, floors = self._targets(ctx)
        side = ctx.mi if col == 0 else ctx.ei
        cap = ctx.m_cap if col == 0 else ctx.e_cap
        # "chosen" as a linear term: 1 with a fixed partner; with capacity 1, the
        # participant's own edges; otherwise an indicator over them
        order, bounds = by_participant(side, len(codes))
        x_edges = order[(~placed[side] & (cap[side] <= 1))[order]]
        y_people = np.flatnonzero((np.diff(bounds) > 0) & ~placed & (cap > 1))
        y_idx = np.array(
            [ctx.indicator(order[bounds[i] : bounds[i + 1]], False) for i in y_people.tolist()],
            dtype=np.int64,
        )
        c_people = np.flatnonzero(placed)
        rows = []
        for g, p in floors.items():
            den, num = p.denominator, p.numerator
            xv = den * (codes[side[x_edges]] == g) - num
            yv = den * (codes[y_people] == g) - num
            const = int((den * (codes[c_people] == g) - num).sum())
            kx, ky = xv != 0, yv != 0
            rows.append(
                _row(index, x_edges[kx], xv[kx], -den + 1 - const, y_idx=y_idx[ky], y_val=yv[ky])
            )
        return rows

    def check(
        self,
        ctx: GoalContext,
        mi: np.ndarray,
        ei: np.ndarray,
        scores: np.ndarray | None = None,
    ) -> GoalCheck:
        col, codes, placed, floors = self._targets(ctx)
        cap = ctx.m_cap if col == 0 else ctx.e_cap
        applicants = int((((cap > 0) | placed) & (codes >= 0)).sum())
        chosen = np.unique(mi if col == 0 else ei)
        k = len(chosen)
        worst, ok = None, True
        for g, p in floors.items():
            have = int((codes[chosen] == g).sum())
            need = p.numerator * k // p.denominator
            ok &= have >= need
            short = have - need
            worst = short if worst is None else min(worst, short)
        return _goal_check(
            self.name,
            f"{_each(len(floors), applicants, 'groups')} ≥ its floor share of "
            f"the {k} chosen {self.side}s",
            f"smallest margin {0 if worst is None else worst}",
            bool(ok),
            value=None if worst is None else float(worst),
            over=k,
            unit=f"chosen {self.side}s",
            at_least=0.0,
        )
