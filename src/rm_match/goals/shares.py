"""Goals on how many pairs have a property: :class:`Share`, :class:`Count`, and
:class:`Spread` (no two groups share too many pairs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ..errors import ValidationError
from ..solvers.constrained.model import PairTable, Row
from .base import (
    Goal,
    GoalCheck,
    GoalContext,
    GroupGoal,
    _bounds_text,
    _check_bounds,
    _check_property,
    _count,
    _flag,
    _goal_check,
    _most_pairs,
    _pct,
    _ratio,
    _row,
    _share_met,
    _share_within,
)


def _float(x: object) -> float | None:
    return None if x is None else float(x)  # type: ignore[arg-type]


__all__ = ["Count", "Share", "Spread"]


@dataclass(frozen=True)
class Share(Goal):
    """At least / at most a fraction of all pairs have a property.

    Parameters
    ----------
    cross : str, optional
        Attribute (or ``"department"``) on which the two must differ (both known).
    same : str, optional
        Attribute on which the two must agree (both known).
    pairs : bool array (n_mentors, n_mentees), optional
        The property as a mask (array level).
    at_least, at_most : float in [0, 1], optional
        Bounds on the share of pairs with the property, kept exactly as written (a float
        is read as its decimal: 0.4 means 2/5, 0.12345 means 2469/20000; a
        :class:`fractions.Fraction` as itself). An empty programme meets any share.

    Examples
    --------
    >>> Share(cross="gender", at_least=0.4).name
    'share_cross_gender'
    """

    cross: str | None = None
    same: str | None = None
    pairs: Any = field(default=None, repr=False, compare=False)
    at_least: float | None = None
    at_most: float | None = None
    kind: ClassVar[str] = "share"

    def validate(self) -> None:
        _check_property(self)
        if self.cross is None and self.same is None and self.pairs is None:
            raise ValidationError(
                "Share needs a pair property: `cross`, `same` or `pairs`.", argument="pairs"
            )
        _check_bounds(self, _ratio)

    def compile(self, ctx: GoalContext, index: int) -> list[Row]:
        table = ctx.flag_table(self)
        flag = (
            ctx.pair_flags(self, ctx.mi, ctx.ei) if table is None else table.on(ctx.mi, ctx.ei)
        ).astype(np.int64)
        fflag = ctx.pair_flags(self, ctx.fixed[:, 0], ctx.fixed[:, 1]).astype(np.int64)
        edges = np.arange(len(flag))
        rows = []
        most = _most_pairs(ctx)
        for bound, lower in ((self.at_least, True), (self.at_most, False)):
            if bound is None:
                continue
            p = _share_within(_ratio(bound, "share"), most, up=lower)
            # den·(pairs with the property) − num·(all pairs) ≥ (or ≤) 0, fixed pairs included
            const = int((p.denominator * fflag - p.numerator).sum())
            on = flag > 0
            rows.append(
                _row(
                    index,
                    edges[on],
                    np.full(int(on.sum()), p.denominator),
                    -const if lower else None,
                    None if lower else -const,
                    total=-p.numerator,
                    keyed=None if table is None else table.times(p.denominator),
                )
            )
        return rows

    def check(
        self,
        ctx: GoalContext,
        mi: np.ndarray,
        ei: np.ndarray,
        scores: np.ndarray | None = None,
    ) -> GoalCheck:
        n = len(mi)
        k = int(ctx.pair_flags(self, mi, ei).sum())
        share = k / n if n else 0.0
        ok = True
        if self.at_least is not None:
            ok &= n == 0 or _share_met(k, n, _ratio(self.at_least, "share"), at_least=True)
        if self.at_most is not None:
            ok &= n == 0 or _share_met(k, n, _ratio(self.at_most, "share"), at_least=False)
        return _goal_check(
            self.name,
            _bounds_text(self, _pct) + " of pairs",
            _pct(share),
            bool(ok),
            value=share if n else None,
            over=n,
            at_least=_float(self.at_least),
            at_most=_float(self.at_most),
        )


@dataclass(frozen=True)
class Count(Goal):
    """At least / at most a number of pairs (with a property, if one is given).

    Examples
    --------
    >>> Count(at_least=10).name, Count(cross="generation", at_least=5).name
    ('count', 'count_cross_generation')
    """

    cross: str | None = None
    same: str | None = None
    pairs: Any = field(default=None, repr=False, compare=False)
    at_least: int | None = None
    at_most: int | None = None
    kind: ClassVar[str] = "count"

    def validate(self) -> None:
        _check_property(self)
        _check_bounds(self, _count)

    def compile(self, ctx: GoalContext, index: int) -> list[Row]:
        table = ctx.flag_table(self)
        flag = ctx.pair_flags(self, ctx.mi, ctx.ei) if table is None else table.on(ctx.mi, ctx.ei)
        const = int(ctx.pair_flags(self, ctx.fixed[:, 0], ctx.fixed[:, 1]).sum())
        edges = np.flatnonzero(flag)
        lo = None if self.at_least is None else self.at_least - const
        hi = None if self.at_most is None else self.at_most - const
        return [_row(index, edges, np.ones(len(edges)), lo, hi, keyed=table)]

    def check(
        self,
        ctx: GoalContext,
        mi: np.ndarray,
        ei: np.ndarray,
        scores: np.ndarray | None = None,
    ) -> GoalCheck:
        c = int(ctx.pair_flags(self, mi, ei).sum())
        ok = (self.at_least is None or c >= self.at_least) and (
            self.at_most is None or c <= self.at_most
        )
        # without a pair property the count is the number of pairs, which the matching
        # lists anyway: never suppressed; with one, it is a figure on the pairs' people
        has_property = self.cross is not None or self.same is not None or self.pairs is not None
        return _goal_check(
            self.name,
            _bounds_text(self, str) + " pairs",
            str(c),
            ok,
            value=float(c),
            over=len(mi) if has_property else 0,
            at_least=_float(self.at_least),
            at_most=_float(self.at_most),
        )


@dataclass(frozen=True, repr=False)
class Spread(GroupGoal):
    """No two groups share more than ``at_most`` pairs (or ``at_most_share`` of all pairs).

    Parameters
    ----------
    groups : str or (array, array)
    at_most : int, optional
        Most pairs between any two groups.
    at_most_share : float in [0, 1], optional
        Most pairs between any two groups, as a share of all pairs.
    symmetric : bool, default True
        Count mentor-group A → mentee-group B and B → A together (the two groups *share* the
        pairs); ``False`` bounds each direction separately. Pairs within one group count too.

    Examples
    --------
    >>> Spread("department", at_most=4).name
    'spread_department'
    """

    groups: Any = "department"
    at_most: int | None = None
    at_most_share: float | None = None
    symmetric: bool = True
    kind: ClassVar[str] = "spread"

    def validate(self) -> None:
        if (self.at_most is None) == (self.at_most_share is None):
            raise ValidationError(
                "Spread needs exactly one of `at_most` and `at_most_share`.", argument="at_most"
            )
        if self.at_most is not None:
            _count(self.at_most, "Spread.at_most")
        else:
            _ratio(self.at_most_share, "Spread.at_most_share")
        _flag(self.symmetric, "Spread.symmetric")

    def _cells(
        self, c_m: np.ndarray, c_e: np.ndarray, mi: np.ndarray, ei: np.ndarray
    ) -> np.ndarray:
        a, b = c_m[mi], c_e[ei]
        known = (a >= 0) & (b >= 0)
        if self.symmetric:
            a, b = np.minimum(a, b), np.maximum(a, b)
        top = int(max(c_m.max(initial=0), c_e.max(initial=0))) + 1
        return np.where(known, a * top + b, -1)

    def compile(self, ctx: GoalContext, index: int) -> list[Row]:
        c_m, c_e = (np.maximum(c, -1) for c in ctx.groups(self.groups, self.name)[:2])
        # each pair's cell as a table over the two group codes (-1, unknown, first)
        top = int(max(c_m.max(initial=0), c_e.max(initial=0))) + 1
        grid = np.arange(-1, top)
        g_m, g_e = np.meshgrid(np.arange(top + 1), np.arange(top + 1), indexing="ij")
        cells = self._cells(grid, grid, g_m.ravel(), g_e.ravel()).reshape(top + 1, top + 1)
        cell = cells[c_m[ctx.mi] + 1, c_e[ctx.ei] + 1]
        fcell = self._cells(c_m, c_e, ctx.fixed[:, 0], ctx.fixed[:, 1])
        most = _most_pairs(ctx)
        rows = []
        row_m, row_e = c_m + 1, c_e + 1  # the tables' rows and columns (shared by every row)
        for c in np.unique(cell[cell >= 0]).tolist():
            inside = cell == c
            f_in = int((fcell == c).sum())
            keyed = PairTable(row_m, row_e, cells, match=c)  # one table for every row
            if self.at_most is not None:
                if int(inside.sum()) + f_in <= self.at_most:
                    continue  # cannot be broken
                rows.append(
                    _row(
                        index,
                        np.flatnonzero(inside),
                        np.ones(int(inside.sum())),
                        hi=self.at_most - f_in,
                        keyed=keyed,
                    )
                )
            else:
                p = _share_within(_ratio(self.at_most_share, "share"), most, up=False)
                const = p.denominator * f_in - p.numerator * len(fcell)
                rows.append(
                    _row(
                        index,
                        np.flatnonzero(inside),
                        np.full(int(inside.sum()), p.denominator),
                        hi=-const,
                        total=-p.numerator,
                        keyed=keyed.times(p.denominator),
                    )
                )
        return rows

    def check(
        self,
        ctx: GoalContext,
        mi: np.ndarray,
        ei: np.ndarray,
        scores: np.ndarray | None = None,
    ) -> GoalCheck:
        c_m, c_e, _ = ctx.groups(self.groups, self.name)
        cell = self._cells(c_m, c_e, mi, ei)
        top = int(np.bincount(cell[cell >= 0]).max(initial=0)) if len(cell) else 0
        if self.at_most is not None:
            return _goal_check(
                self.name,
                f"≤ {self.at_most} pairs per group pair",
                f"most {top}",
                top <= self.at_most,
                value=float(top),
                over=len(mi),
                at_most=float(self.at_most),
            )
        assert self.at_most_share is not None  # validate: one of the two is given
        share = top / len(mi) if len(mi) else 0.0
        ok = _share_met(top, len(mi), _ratio(self.at_most_share, "share"), at_least=False)
        return _goal_check(
            self.name,
            f"≤ {_pct(self.at_most_share)} of pairs per group pair",
            f"most {_pct(share)}",
            ok,
            value=share if len(mi) else None,
            over=len(mi),
            at_most=_float(self.at_most_share),
        )
