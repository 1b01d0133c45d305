"""Synthetic reverse-mentoring cohorts: realistic, reproducible, and free of real people.

Juniors (the mentors) lead on digital skills and want strategic ones; seniors (the mentees)
the reverse. Both sides have departments, grades, an org chart (seniors manage seniors of the
same department one grade band up, and some juniors report to a senior in the programme),
generations, gender, offices with their time zone and language, and interests.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ._checks import check_int, check_real, check_rng, is_collection
from .errors import ValidationError
from .people import People

if TYPE_CHECKING:  # pragma: no cover
    from .learn import Feedback
    from .preferences import Preferences
    from .programme import Programme

__all__ = [
    "DEPARTMENTS",
    "DIGITAL_SKILLS",
    "MAX_SIDE",
    "MAX_SKILLS",
    "SKILLS",
    "STRATEGIC_SKILLS",
    "cohort",
    "feedback",
    "skill_names",
]

#: The most participants per side (and regions) :func:`cohort` makes.
MAX_SIDE = 10_000_000

#: The most skills :func:`cohort` makes.
MAX_SKILLS = 10_000

DIGITAL_SKILLS = (
    "social_media",
    "ai_tools",
    "data_literacy",
    "collaboration_tools",
    "agile_practices",
)
STRATEGIC_SKILLS = (
    "strategy",
    "stakeholder_mgmt",
    "leadership",
    "negotiation",
    "industry_knowledge",
)
SKILLS = DIGITAL_SKILLS + STRATEGIC_SKILLS

DEPARTMENTS = (
    "Engineering",
    "Sales",
    "Marketing",
    "Finance",
    "HR",
    "Operations",
    "Legal",
    "Product",
)
_DEPT_P = np.array([0.25, 0.16, 0.12, 0.1, 0.07, 0.15, 0.05, 0.1])

# (time zone, local language, share of staff)
_OFFICES = (
    (0.0, "en", 0.3),
    (-5.0, "en", 0.2),
    (1.0, "de", 0.15),
    (1.0, "fr", 0.1),
    (5.5, "hi", 0.1),
    (8.0, "zh", 0.1),
    (-3.0, "pt", 0.05),
)
_INTERESTS = (
    "running",
    "chess",
    "photography",
    "cooking",
    "music",
    "travel",
    "gaming",
    "climbing",
    "reading",
    "volunteering",
    "sailing",
    "gardening",
    "film",
    "podcasts",
    "startups",
    "art",
)
_GENDERS = ("female", "male", "non-binary", None)
_GENDER_P = np.array([0.48, 0.48, 0.02, 0.02])


def skill_names(d: int) -> tuple[str, ...]:
    """``d`` skill names: the digital half first, then the strategic half.

    :data:`SKILLS` for ``d = 10``; otherwise as many of the named skills as fit, padded with
    ``digital_<k>`` / ``strategic_<k>``.

    Examples
    --------
    >>> skill_names(4)
    ('social_media', 'ai_tools', 'strategy', 'stakeholder_mgmt')
    >>> len(skill_names(32)), skill_names(32)[5]
    (32, 'digital_6')
    """
    n_dig, n_str = (d + 1) // 2, d // 2
    dig = DIGITAL_SKILLS[:n_dig] + tuple(
        f"digital_{k}" for k in range(len(DIGITAL_SKILLS) + 1, n_dig + 1)
    )
    strat = STRATEGIC_SKILLS[:n_str] + tuple(
        f"strategic_{k}" for k in range(len(STRATEGIC_SKILLS) + 1, n_str + 1)
    )
    return dig + strat


def _profile(
    rng: np.random.Generator, n: int, lead_digital: bool, d: int
) -> tuple[np.ndarray, ...]:
    """Offers and wants: the side that leads a skill group offers it and wants the other."""
    n_dig, n_str = (d + 1) // 2, d // 2
    lead, other = (n_dig, n_str) if lead_digital else (n_str, n_dig)
    strong = rng.beta(5.0, 2.0, size=(n, lead))
    weak = rng.beta(1.5, 5.0, size=(n, other))
    want_hi = rng.beta(4.0, 2.0, size=(n, other))
    want_lo = rng.beta(1.2, 5.0, size=(n, lead))
    if lead_digital:
        return np.hstack((strong, weak)), np.hstack((want_lo, want_hi))
    return np.hstack((weak, strong)), np.hstack((want_hi, want_lo))


def _side(rng: np.random.Generator, n: int, prefix: str, junior: bool, d: int) -> dict[str, Any]:
    width = max(4, len(str(n)))
    ids = [f"{prefix}{i:0{width}d}" for i in range(1, n + 1)]
    offers, wants = _profile(rng, n, lead_digital=junior, d=d)
    dept = rng.choice(len(DEPARTMENTS), size=n, p=_DEPT_P)
    if junior:
        grade = rng.choice([1, 2, 3, 4], size=n, p=[0.3, 0.35, 0.25, 0.1])
        gen = rng.choice(["gen_z", "millennial"], size=n, p=[0.55, 0.45])
    else:
        grade = rng.choice([5, 6, 7, 8, 9], size=n, p=[0.3, 0.3, 0.2, 0.13, 0.07])
        gen = rng.choice(["millennial", "gen_x", "boomer"], size=n, p=[0.25, 0.55, 0.2])
    gender = rng.choice(len(_GENDERS), size=n, p=_GENDER_P)
    office = rng.choice(len(_OFFICES), size=n, p=[o[2] for o in _OFFICES])
    speaks_en = rng.random(n) < 0.85
    languages = [
        {_OFFICES[o][1]} | ({"en"} if en else set())
        for o, en in zip(office.tolist(), speaks_en.tolist(), strict=True)
    ]
    # Juniors lean to the first half of the interest list, seniors to the second.
    w = np.linspace(2.0, 1.0, len(_INTERESTS)) if junior else np.linspace(1.0, 2.0, len(_INTERESTS))
    w /= w.sum()
    k = rng.integers(1, 5, size=n)
    interests = [set(rng.choice(_INTERESTS, size=int(j), replace=False, p=w)) for j in k]
    return {
        "ids": ids,
        "offers": offers,
        "wants": wants,
        "department": [DEPARTMENTS[d] for d in dept],
        "grade": grade.tolist(),
        "languages": languages,
        "timezone": [_OFFICES[o][0] for o in office.tolist()],
        "interests": interests,
        "attributes": {
            "gender": [_GENDERS[g] for g in gender.tolist()],
            "generation": gen.tolist(),
        },
    }


def _org_chart(
    rng: np.random.Generator, junior: dict[str, Any], senior: dict[str, Any]
) -> tuple[list, list]:
    """Managers: each senior reports to a higher-grade senior of the same department where
    there is one; about 60 % of juniors report to a senior of their department."""
    s_ids = np.array(senior["ids"], dtype=object)
    s_dept = np.array(senior["department"], dtype=object)
    s_grade = np.array(senior["grade"])
    j_dept = np.array(junior["department"], dtype=object)
    senior_mgr: list = [None] * len(s_ids)
    junior_mgr: list = [None] * len(j_dept)
    for d in DEPARTMENTS:
        members = np.flatnonzero(s_dept == d)
        if len(members):
            order = members[np.argsort(-s_grade[members], kind="stable")]
            g = -s_grade[order]
            higher = np.searchsorted(g, g, side="left")  # how many strictly above
            pick = np.floor(rng.random(len(order)) * higher).astype(np.int64)
            for pos, person in enumerate(order.tolist()):
                if higher[pos] > 0:
                    senior_mgr[person] = s_ids[order[pick[pos]]]
        juniors = np.flatnonzero(j_dept == d)
        if len(members) and len(juniors):
            boss = members[rng.integers(0, len(members), size=len(juniors))]
            reports = rng.random(len(juniors)) < 0.6
            for j, b, r in zip(juniors.tolist(), boss.tolist(), reports.tolist(), strict=True):
                if r:
                    junior_mgr[j] = s_ids[b]
    return junior_mgr, senior_mgr


def cohort(
    n_mentors: int,
    n_mentees: int,
    *,
    rng: Any = None,
    mentor_capacity: int = 1,
    regions: int = 0,
    skills: int = len(SKILLS),
) -> tuple[People, People]:
    """A synthetic cohort: junior mentors and senior mentees over :data:`SKILLS`.

    Parameters
    ----------
    n_mentors, n_mentees : int
        Sizes of the two sides, at most :data:`MAX_SIDE` each.
    rng : None, int or numpy.random.Generator, optional
        Seed or generator (``np.random.default_rng(rng)``); an int gives the same cohort
        every time.
    mentor_capacity : int, default 1
        Capacity of every mentor (1:k group formats).
    regions : int, default 0
        If positive, an attribute ``region`` (``"R1"`` … ``"R<regions>"``, uniformly at
        random) for in-person programmes (:class:`~rm_match.rules.SameGroup`). It is drawn
        after everything else, so the other columns are the same as without it.
    skills : int, default 10
        Number of skills ``d``, 1 to :data:`MAX_SKILLS` (:func:`skill_names`; the default is
        :data:`SKILLS`). Mentors
        lead on the first (digital) half, mentees on the second.

    Returns
    -------
    mentors, mentees : People
        Mentors have ids ``J0001…`` (juniors), mentees ``S0001…`` (seniors).

    Examples
    --------
    >>> from rm_match import synthetic
    >>> mentors, mentees = synthetic.cohort(50, 40, rng=3)
    >>> mentors
    People(n=50, skills=10, fields=['offers', 'wants', 'department', 'grade', 'manager', \
'languages', 'timezone', 'interests', 'capacity'], attributes=['gender', 'generation'])
    >>> bool(mentors.offers[:, :5].mean() > mentees.offers[:, :5].mean())
    True
    """
    # bounds keep a typo from allocating the machine away; real cohorts are far smaller
    n_mentors = check_int(n_mentors, "n_mentors", low=0, high=MAX_SIDE)
    n_mentees = check_int(n_mentees, "n_mentees", low=0, high=MAX_SIDE)
    mentor_capacity = check_int(mentor_capacity, "mentor_capacity", low=0, high=2**62)
    regions = check_int(regions, "regions", low=0, high=MAX_SIDE)
    skills = check_int(skills, "skills", low=1, high=MAX_SKILLS)
    gen = check_rng(rng)
    names = skill_names(int(skills))
    junior = _side(gen, int(n_mentors), "J", junior=True, d=len(names))
    senior = _side(gen, int(n_mentees), "S", junior=False, d=len(names))
    junior_mgr, senior_mgr = _org_chart(gen, junior, senior)
    if regions:
        labels = np.array([f"R{r + 1}" for r in range(int(regions))], dtype=object)
        for side in (junior, senior):
            n = len(side["ids"])
            side["attributes"]["region"] = labels[gen.integers(int(regions), size=n)]
    mentors = People(
        junior.pop("ids"), skills=names, manager=junior_mgr, capacity=mentor_capacity, **junior
    )
    mentees = People(senior.pop("ids"), skills=names, manager=senior_mgr, **senior)
    return mentors, mentees


def _feedback_pairs(pairs: object) -> list[tuple[Hashable, Hashable, int]]:
    """(mentor id, mentee id, round) triples from a Matching or a sequence of pairs or
    triples."""
    id_pairs = getattr(pairs, "id_pairs", None)
    if id_pairs is not None and not callable(id_pairs):
        pairs = id_pairs
    if not is_collection(pairs):
        raise ValidationError(
            "`pairs` must be a Matching or a sequence of (mentor id, mentee id[, round]); got "
            f"{type(pairs).__name__}.",
            argument="pairs",
        )
    out = []
    for p in pairs:
        items = list(p) if is_collection(p) else []
        if len(items) not in (2, 3):
            raise ValidationError(
                "`pairs` must hold (mentor id, mentee id) pairs or (mentor id, mentee id, "
                "round) triples.",
                argument="pairs",
            )
        r = check_int(items[2], "pairs[...][2] (round)") if len(items) == 3 else 0
        out.append((items[0], items[1], r))
    return out


def feedback(
    mentors: People,
    mentees: People,
    pairs: Any,
    *,
    weights: Mapping[str, float],
    noise: float = 0.5,
    rounds: int = 1,
    scale: tuple[float, float] = (1, 5),
    missing: float = 0.0,
    programme: Programme | None = None,
    preferences: Preferences | None = None,
    rng: Any = None,
) -> Feedback:
    """Simulated ratings of pairs from known term weights (for tests, docs and benchmarks).

    Each rating is ``lowest + (highest - lowest)·score + noise·N(0, 1)``, rounded to a whole
    point and clipped to the scale, where ``score`` is the pair score in [0, 1] under
    ``weights`` (the weighted mean of the terms, :mod:`rm_match.terms`); the mentor's and the
    mentee's ratings have independent noise. :func:`rm_match.learn.learn_weights` should
    recover ``weights`` (normalised) from enough of them.

    Parameters
    ----------
    mentors, mentees : People
    pairs : Matching or sequence of (mentor id, mentee id) or (mentor id, mentee id, round)
        The rated pairs (round 0 where not given).
    weights : mapping of str to float
        The true term weights.
    noise : float, default 0.5
        Standard deviation of the noise, in rating points.
    rounds : int, default 1
        Each pair is rated in ``rounds`` consecutive rounds (its own round, the next, ...),
        with fresh noise each time.
    scale : (float, float), default (1, 5)
    missing : float, default 0.0
        Share of rows (in [0, 1)) where one side, at random, gave no rating.
    programme : Programme, optional
        What the terms are (skill weights, λ, diversity attributes); its weights are
        replaced by ``weights``.
    preferences : Preferences, optional
        The participants' answers, for a ``preference`` term in ``weights``.
    rng : None, int or numpy.random.Generator, optional

    Returns
    -------
    Feedback
        With ``gained``: per row, the skills one side gained, each skill with probability
        ``offers·wants`` of the teacher and the learner.

    Examples
    --------
    >>> from rm_match import synthetic
    >>> mentors, mentees = synthetic.cohort(3, 3, rng=0)
    >>> fb = synthetic.feedback(mentors, mentees, list(zip(mentors.ids, mentees.ids)),
    ...                         weights={"learning": 1.0}, rounds=2, rng=1)
    >>> fb
    Feedback(n=6, rounds=2, mentor_ratings=6, mentee_ratings=6, scale=(1, 5))
    >>> fb.round.tolist()
    [0, 0, 0, 1, 1, 1]
    """
    import dataclasses

    from .learn import Feedback, _check_scale
    from .problem import Problem
    from .programme import Programme

    noise = check_real(noise, "noise", low=0)
    rounds = check_int(rounds, "rounds", low=1, high=10_000)
    missing = check_real(missing, "missing", low=0, high=1)
    if missing >= 1:
        raise ValidationError("`missing` must be below 1; got 1.", argument="missing")
    lo, hi = _check_scale(scale)
    gen = check_rng(rng)
    prog = dataclasses.replace(programme or Programme(), weights=weights)
    problem = Problem(mentors, mentees, prog, preferences=preferences)
    triples = _feedback_pairs(pairs)
    mi = np.array([mentors.index(m) for m, _, _ in triples], dtype=np.intp)
    ei = np.array([mentees.index(e) for _, e, _ in triples], dtype=np.intp)
    base = np.array([r for _, _, r in triples], dtype=np.int64)
    score = problem.scores(mi, ei, outer=False)
    n = len(triples)
    cols: dict[str, list[Any]] = {f: [] for f in ("mentor", "mentee", "round", "m", "e", "g")}
    skills = np.array(mentors.skills, dtype=object)
    for k in range(rounds):
        rated = []
        for _side in range(2):
            r = lo + (hi - lo) * score + noise * gen.standard_normal(n)
            rated.append(np.clip(np.rint(r), lo, hi))
        m_r, e_r = rated
        drop = gen.random(n) < missing
        which = gen.random(n) < 0.5
        m_r = np.where(drop & which, np.nan, m_r)
        e_r = np.where(drop & ~which, np.nan, e_r)
        learnt = gen.random((n, len(skills))) < np.maximum(
            mentors.offers[mi] * mentees.wants[ei], mentees.offers[ei] * mentors.wants[mi]
        )
        cols["mentor"] += [m for m, _, _ in triples]
        cols["mentee"] += [e for _, e, _ in triples]
        cols["round"] += (base + k).tolist()
        cols["m"] += [None if np.isnan(x) else float(x) for x in m_r.tolist()]
        cols["e"] += [None if np.isnan(x) else float(x) for x in e_r.tolist()]
        cols["g"] += [tuple(skills[row].tolist()) for row in learnt]
    return Feedback(
        cols["mentor"],
        cols["mentee"],
        mentor_rating=cols["m"],
        mentee_rating=cols["e"],
        round=cols["round"],
        gained=cols["g"],
        scale=(lo, hi),
    )
