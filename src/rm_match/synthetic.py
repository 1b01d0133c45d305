"""Synthetic reverse-mentoring cohorts: realistic, reproducible, and free of real people.

Juniors (the mentors) lead on digital skills and want strategic ones; seniors (the mentees)
the reverse. Both sides have departments, grades, an org chart (seniors manage seniors of the
same department one grade band up, and some juniors report to a senior in the programme),
generations, gender, offices with their time zone and language, and interests.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import check_int, check_rng
from .people import People

__all__ = [
    "DEPARTMENTS",
    "DIGITAL_SKILLS",
    "MAX_SIDE",
    "MAX_SKILLS",
    "SKILLS",
    "STRATEGIC_SKILLS",
    "cohort",
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
