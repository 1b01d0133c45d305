"""Stable matchings of people, and the blocking pairs of any matching.

Oracles: each side's preferences recomputed from the documented terms in plain numpy, and
stability checked pair by pair in plain Python; the best stable matching against every
stable matching enumerated on tiny cohorts."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rm_match as rm
from rm_match import Preferences, Problem, Programme, SolverError, ValidationError, goals, rules
from rm_match.solvers.registry import Needs, choose
from rm_match.stability import side_preferences
from rm_match.terms import TermSpec, pair_terms


def _order_key(pref_row: np.ndarray, k: int) -> tuple[float, int]:
    """The documented strict order: utility descending, then position ascending."""
    return (-float(pref_row[k]), k)


def _plain_blocking(pairs, mentor_pref, mentee_pref, acceptable, cap_m, cap_e):
    """Blocking pairs, pair by pair: both would rather (or have a free place)."""
    n_m, n_e = mentor_pref.shape
    partners_m = {i: [e for m, e in pairs if m == i] for i in range(n_m)}
    partners_e = {j: [m for m, e in pairs if e == j] for j in range(n_e)}
    chosen = set(map(tuple, pairs))
    out = []
    for i in range(n_m):
        for j in range(n_e):
            if not acceptable[i, j] or (i, j) in chosen:
                continue

            def wants(me_row, cand, current, cap):
                if len(current) < cap:
                    return True
                worst = max(current, key=lambda c: _order_key(me_row, c))
                return _order_key(me_row, cand) < _order_key(me_row, worst)

            if wants(mentor_pref[i], j, partners_m[i], cap_m[i]) and wants(
                mentee_pref[:, j], i, partners_e[j], cap_e[j]
            ):
                out.append((i, j))
    return out


def _plain_side_preferences(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Each side's view from the terms: the learning term split into its two directions."""
    n_m, n_e = problem.cohort.shape
    w = problem.weights
    total = sum(w.values())
    mi, ei = np.arange(n_m), np.arange(n_e)
    terms = problem.terms(mi, ei)
    both = sum(
        (terms[k] * (v / total) for k, v in w.items() if k not in ("learning", "preference")),
        np.zeros((n_m, n_e)),
    )
    spec = problem.spec
    one_way = TermSpec(spec.skill_weights, 0.0, spec.diversity_attributes, spec.learning_norm)
    forward = pair_terms(problem.cohort, one_way, mi, ei, terms=["learning"])["learning"]
    # the reverse direction: the mentee as teacher, through the same formula with sides swapped
    m, e = problem.mentors, problem.mentees
    reverse = np.zeros((n_m, n_e))
    for i in range(n_m):
        for j in range(n_e):
            wants = m.wants[i] * spec.skill_weights
            norm = wants.sum() if spec.learning_norm == "wants" else spec.skill_weights.sum()
            reverse[i, j] = (e.offers[j] * wants).sum() / norm if norm > 0 else 0.0
    mentor, mentee = both.copy(), both.copy()
    if "learning" in w:
        mentor += w["learning"] / total * reverse
        mentee += w["learning"] / total * forward
    if "preference" in w:
        b = problem.cohort.preferences
        assert b is not None
        mentor += w["preference"] / total * b.mentor_utility.toarray()
        mentee += w["preference"] / total * b.mentee_utility.toarray()
    return mentor, mentee


def _survey(mentors: rm.People, mentees: rm.People, seed: int) -> Preferences:
    rng = np.random.default_rng(seed)
    rankings = {
        e: [mentors.ids[i] for i in rng.permutation(mentors.n)[: min(3, mentors.n)]]
        for e in mentees.ids
    }
    vetoes = {mentors.ids[0]: [mentees.ids[-1]]}
    return Preferences.from_rankings(rankings, vetoes=vetoes)


# -- each side's preferences -----------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("survey", [False, True])
def test_side_preferences_split_the_learning_term_by_direction(seed, survey):
    m, e = rm.synthetic.cohort(7, 6, rng=seed)
    prefs = _survey(m, e, seed) if survey else None
    prog = Programme(diversity_attributes=("gender",), learning_norm=("wants", "skills")[seed])
    problem = Problem(m, e, prog, preferences=prefs)
    got = side_preferences(problem)
    want = _plain_side_preferences(problem)
    np.testing.assert_allclose(got[0], want[0], atol=1e-12)
    np.testing.assert_allclose(got[1], want[1], atol=1e-12)
    # with λ = 1 the two views average to the pair score (without a survey)
    if not survey:
        sym = Problem(m, e, Programme(reverse_weight=1.0))
        a, b = side_preferences(sym)
        scores = sym.compile().scores
        np.testing.assert_allclose((a + b) / 2, scores, atol=1e-12)


# -- stable matchings ------------------------------------------------------------------------


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_m=st.integers(1, 7),
    n_e=st.integers(1, 7),
    proposer=st.sampled_from(["mentees", "mentors"]),
    cap=st.sampled_from([1, 2]),
)
def test_stable_match_has_no_blocking_pair_by_the_plain_checker(seed, n_m, n_e, proposer, cap):
    m, e = rm.synthetic.cohort(n_m, n_e, rng=seed)
    m = m.with_column("capacity", np.full(n_m, cap))
    prefs = _survey(m, e, seed)
    prog = Programme(rules=[rules.Vetoes(), rules.SeniorityDirection(1)])
    s = rm.stable_match(m, e, prog, preferences=prefs, proposer=proposer)
    problem = Problem(m, e, prog, preferences=prefs)
    assert s.status == "stable" and s.method == "deferred_acceptance"
    assert rm.verify(s, problem) == []
    mp, ep = side_preferences(problem)
    acceptable = problem.compile().feasible
    pairs = [(m.index(a), e.index(b)) for a, b in s.id_pairs]
    assert _plain_blocking(pairs, mp, ep, acceptable, m.capacity, e.capacity) == []
    assert s.stability is not None and s.stability.blocking_pairs == 0
    assert s.stability.kind == f"{proposer[:-1]}-optimal"
    assert rm.blocking_pairs(s, m, e, prog, preferences=prefs) == []


def _all_stable(mp, ep, acceptable):
    """Every stable 1:1 matching of a tiny cohort, by enumeration."""
    n_m, n_e = mp.shape
    cells = [(i, j) for i in range(n_m) for j in range(n_e) if acceptable[i, j]]
    out = []
    for k in range(min(n_m, n_e) + 1):
        for chosen in itertools.combinations(cells, k):
            if len({i for i, _ in chosen}) < k or len({j for _, j in chosen}) < k:
                continue
            if not _plain_blocking(list(chosen), mp, ep, acceptable, [1] * n_m, [1] * n_e):
                out.append(chosen)
    return out


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 4))
def test_best_stable_and_the_extremes_match_enumeration(seed, n):
    m, e = rm.synthetic.cohort(n, n, rng=seed)
    prog = Programme(rules=[rules.SeniorityDirection(1)])
    problem = Problem(m, e, prog)
    mp, ep = side_preferences(problem)
    acceptable = problem.compile().feasible
    scores = problem.compile().scores
    stable = _all_stable(mp, ep, acceptable)
    assert stable  # a stable matching always exists

    def total(pairs):
        return sum(scores[i, j] for i, j in pairs)

    best = rm.stable_match(m, e, prog, objective="score")
    assert best.objective == pytest.approx(max(map(total, stable)), abs=1e-9)
    assert best.method == "stable_optimal" and best.stability.kind == "best score"
    for proposer, col in (("mentees", 1), ("mentors", 0)):
        s = rm.stable_match(m, e, prog, proposer=proposer)
        got = {(m.index(a), e.index(b)) for a, b in s.id_pairs}
        assert tuple(sorted(got)) in {tuple(sorted(x)) for x in stable}
        # proposer-optimal: no stable matching gives a proposer a better partner
        pref = ep if col == 1 else mp.T
        mine = {p[col]: p[1 - col] for p in got}
        for other in stable:
            for p in other:
                me, them = p[col], p[1 - col]
                assert me in mine, "the same people are matched in every stable matching"
                assert _order_key(pref[:, me], mine[me]) <= _order_key(pref[:, me], them)
    egal = rm.stable_match(m, e, prog, objective="egalitarian")
    got = {(m.index(a), e.index(b)) for a, b in egal.id_pairs}
    assert tuple(sorted(got)) in {tuple(sorted(x)) for x in stable}


def test_the_price_of_stability_is_against_the_optimum():
    m, e = rm.synthetic.cohort(40, 40, rng=5)
    prog = Programme(rules=[rules.CrossDepartment()])
    s = rm.stable_match(m, e, prog)
    opt = rm.match(m, e, prog)
    st_ = s.stability
    assert st_ is not None and st_.optimum == pytest.approx(opt.objective)
    assert st_.optimum_pairs == len(opt)
    assert st_.price == pytest.approx((opt.objective - s.objective) / opt.objective)
    assert 0 <= st_.price < 1
    assert st_.optimum_blocking_pairs == len(rm.blocking_pairs(opt, m, e, prog))
    assert s.report is not None and s.report.stability == st_.as_dict()
    assert s.to_dict()["report"]["stability"]["blocking_pairs"] == 0
    quick = rm.stable_match(m, e, prog, compare=False)
    assert quick.stability.optimum is None and quick.stability.price is None
    assert quick.id_pairs == s.id_pairs


def test_survey_answers_lead_each_sides_preferences():
    m, e = rm.synthetic.cohort(5, 5, rng=2)
    # every mentee's first choice is a distinct mentor, and that mentor rates them top
    firsts = {e.ids[k]: [m.ids[(k + 1) % 5]] for k in range(5)}
    answers = [{"who": m.ids[(k + 1) % 5], "about": e.ids[k], "rating": 5} for k in range(5)] + [
        {"who": who, "about": ids[0], "rank": 1} for who, ids in firsts.items()
    ]
    prefs = Preferences.from_records(answers)
    prog = Programme(weights={"learning": 0.2, "preference": 1.0})
    for proposer in ("mentees", "mentors"):
        s = rm.stable_match(m, e, prog, preferences=prefs, proposer=proposer)
        assert sorted(s.id_pairs) == sorted((v[0], k) for k, v in firsts.items())
        assert s.stability.preferences == "data + survey"


# -- blocking pairs of any matching ----------------------------------------------------------


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_blocking_pairs_agree_with_the_plain_checker_on_any_matching(seed):
    rng = np.random.default_rng(seed)
    m, e = rm.synthetic.cohort(6, 7, rng=seed)
    prefs = _survey(m, e, seed)
    prog = Programme(rules=[rules.Vetoes()])
    problem = Problem(m, e, prog, preferences=prefs)
    acceptable = problem.compile().feasible
    # a random matching of acceptable pairs (a "spreadsheet's")
    pairs, used_m, used_e = [], set(), set()
    for i, j in zip(rng.permutation(6).tolist(), rng.permutation(7).tolist(), strict=False):
        if acceptable[i, j] and rng.random() < 0.8:
            pairs.append((i, j))
            used_m.add(i)
            used_e.add(j)
    id_pairs = [(m.ids[i], e.ids[j]) for i, j in pairs]
    got = rm.blocking_pairs(id_pairs, m, e, prog, preferences=prefs)
    mp, ep = side_preferences(problem)
    want = _plain_blocking(pairs, mp, ep, acceptable, m.capacity, e.capacity)
    assert sorted((b.mentor, b.mentee) for b in got) == sorted(
        (m.ids[i], e.ids[j]) for i, j in want
    )
    for b in got:
        i, j = m.index(b.mentor), e.index(b.mentee)
        if i not in used_m:
            assert b.mentor_reason == "has a free place"
        else:
            assert b.mentor_reason.startswith(f"ranks {b.mentee!r} ")
        if j not in used_e:
            assert b.mentee_reason == "has a free place"
    if len(got) > 1:
        assert len(rm.blocking_pairs(id_pairs, m, e, prog, preferences=prefs, limit=1)) == 1


def test_blocking_pair_reasons_name_ranks_and_the_partner_dropped():
    mentors = rm.People(["j1", "j2"], skills=["ai"], offers=[[1.0], [0.2]], wants=[[0], [0]])
    mentees = rm.People(["s1", "s2"], skills=["ai"], offers=[[0.0], [0.0]], wants=[[1], [1]])
    prefs = Preferences.from_rankings({"j1": ["s1", "s2"], "j2": ["s1", "s2"]})
    prog = Programme(weights={"learning": 1.0, "preference": 1.0})
    # j1 teaches best and both mentors rank s1 first: (j1, s1) blocks j1-s2 / j2-s1
    got = rm.blocking_pairs([("j1", "s2"), ("j2", "s1")], mentors, mentees, prog, preferences=prefs)
    assert [(b.mentor, b.mentee) for b in got] == [("j1", "s1")]
    assert got[0].mentor_reason == "ranks 's1' 1st, above 's2' (2nd)"
    assert got[0].mentee_reason == "ranks 'j1' 1st, above 'j2' (2nd)"


@pytest.mark.parametrize(
    ("matching", "message"),
    [
        ([("ghost", "S0001")], "'ghost' is not a mentor"),
        ([("J0001", "ghost")], "'ghost' is not a mentee"),
        ([("J0001", "S0001"), ("J0001", "S0001")], "lists the pair .* twice"),
        ([("J0001", "S0001"), ("J0001", "S0002")], "has 2 partners, above their capacity 1"),
        (["J0001"], "must be a \\(mentor id, mentee id\\) pair"),
        ("J0001", "`matching` must be a Matching or an iterable"),
    ],
)
def test_bad_matchings_are_named(matching, message):
    m, e = rm.synthetic.cohort(3, 3, rng=0)
    with pytest.raises(ValidationError, match=message):
        rm.blocking_pairs(matching, m, e)


def test_a_pair_breaking_a_rule_is_named():
    m, e = rm.synthetic.cohort(4, 4, rng=0)
    prefs = Preferences.from_rankings({}, vetoes={e.ids[0]: [m.ids[0]]})
    with pytest.raises(ValidationError, match="breaks a hard rule"):
        rm.blocking_pairs(
            [(m.ids[0], e.ids[0])], m, e, Programme(rules=[rules.Vetoes()]), preferences=prefs
        )


# -- options and the registry ----------------------------------------------------------------


def test_bad_options_and_goals_are_refused():
    m, e = rm.synthetic.cohort(4, 4, rng=0)
    with pytest.raises(ValidationError, match="`proposer`"):
        rm.stable_match(m, e, proposer="seniors")
    with pytest.raises(ValidationError, match="`objective`"):
        rm.stable_match(m, e, objective="fair")
    with pytest.raises(ValidationError, match="`compare`"):
        rm.stable_match(m, e, compare="yes")  # type: ignore[arg-type]
    prog = Programme(goals=[goals.Share(cross="gender", at_least=0.5)])
    with pytest.raises(SolverError, match="does not take cohort goals"):
        rm.stable_match(m, e, prog)


def test_the_registry_holds_the_stable_backend_apart():
    assert choose(Needs(10, 10, stable=True)).name == "stable"
    assert choose(Needs(10, 10)).name != "stable"
    with pytest.raises(SolverError, match="not optimal assignments"):
        rm.assign(np.ones((3, 3)), method="stable")
    with pytest.raises(SolverError, match="not stable matchings"):
        choose(Needs(10, 10, stable=True), "flow")


def test_required_pairs_are_fixed_alike_in_stable_match_and_blocking_pairs():
    m, e = rm.synthetic.cohort(6, 6, rng=3)
    prog = Programme(rules=[rules.RequiredPairs([(m.ids[0], e.ids[0]), (m.ids[1], e.ids[1])])])
    for kw in ({}, {"proposer": "mentors"}, {"objective": "score"}):
        s = rm.stable_match(m, e, prog, **kw)
        assert (m.ids[0], e.ids[0]) in s.id_pairs and (m.ids[1], e.ids[1]) in s.id_pairs
        assert s.stability.blocking_pairs == 0
        assert rm.blocking_pairs(s, m, e, prog) == []
    opt = rm.match(m, e, prog)
    s = rm.stable_match(m, e, prog)
    assert s.stability.optimum_blocking_pairs == len(rm.blocking_pairs(opt, m, e, prog))
