"""Participants' preferences: the answers, their mapping to utilities, the term and the rules."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rm_match as rm
from rm_match import Preferences, Problem, Programme, ValidationError, rules
from rm_match.preferences import Answer


def _cohort(n_m: int = 6, n_e: int = 5, seed: int = 0) -> tuple[rm.People, rm.People]:
    return rm.synthetic.cohort(n_m, n_e, rng=seed)


def _survey(mentors: rm.People, mentees: rm.People, seed: int = 0) -> Preferences:
    """Mentees rank up to 3 mentors; the first half of mentors rate 2 mentees; some vetoes."""
    rng = np.random.default_rng(seed)
    recs: list[dict[str, object]] = []
    for e in mentees.ids:
        k = int(rng.integers(0, min(3, mentors.n) + 1))
        for r, i in enumerate(rng.choice(mentors.n, k, replace=False), start=1):
            recs.append({"who": e, "about": mentors.ids[i], "rank": r})
    for m in mentors.ids[: mentors.n // 2]:
        for j in rng.choice(mentees.n, min(2, mentees.n), replace=False):
            recs.append({"who": m, "about": mentees.ids[j], "rating": int(rng.integers(1, 6))})
    vetoed = set()
    for _ in range(2):
        e = mentees.ids[int(rng.integers(mentees.n))]
        m = mentors.ids[int(rng.integers(mentors.n))]
        if any(r["who"] == e and r["about"] == m for r in recs) or (e, m) in vetoed:
            continue
        vetoed.add((e, m))
        recs.append({"who": e, "about": m, "veto": True})
    return Preferences.from_records(recs)


def _plain_term(prefs: Preferences, mentor: object, mentee: object) -> float:
    """The documented mapping, from the answers, one pair at a time."""

    def utility(who: object, about: object) -> float:
        mine = [a for a in prefs.answers if a.who == who and not a.veto]
        for a in mine:
            if a.about == about:
                if a.rank is not None:
                    length = max(len(mine), max(b.rank or 0 for b in mine))
                    return (length - a.rank + 1) / length
                lo, hi = prefs.scale
                assert a.rating is not None
                return (a.rating - lo) / (hi - lo)
        return 0.0

    s = prefs.mentor_share
    return s * utility(mentor, mentee) + (1 - s) * utility(mentee, mentor)


# -- answers and their utilities ------------------------------------------------------------


def test_rank_and_rating_utilities_follow_the_documented_mapping():
    m, e = _cohort(4, 3)
    prefs = Preferences.from_records(
        [
            {"who": e.ids[0], "about": m.ids[2], "rank": 1},
            {"who": e.ids[0], "about": m.ids[0], "rank": 2},
            {"who": e.ids[0], "about": m.ids[1], "rank": 4},  # a gap: L = 4
            {"who": m.ids[1], "about": e.ids[2], "rating": 4},
            {"who": m.ids[1], "about": e.ids[1], "rating": 1},
        ]
    )
    b = prefs.bind(m, e)
    u_e = b.mentee_utility.toarray()
    assert u_e[2, 0] == 1.0 and u_e[0, 0] == 0.75 and u_e[1, 0] == 0.25
    u_m = b.mentor_utility.toarray()
    assert u_m[1, 2] == 0.75 and u_m[1, 1] == 0.0
    assert b.mentor_listed.toarray()[1, 1]  # rated lowest is still listed
    term = b.term.toarray()
    assert term[1, 2] == pytest.approx(0.5 * 0.75)


def test_rankings_and_vetoes_from_mappings_round_trip_through_records():
    prefs = Preferences.from_rankings({"s1": ["j1", "j2"]}, vetoes={"j1": ["s2"]})
    again = Preferences.from_records(prefs.to_records())
    assert again == prefs
    assert [a.veto for a in prefs.answers] == [False, False, True]


def test_repr_carries_counts_only():
    prefs = Preferences.from_records([{"who": "s1", "about": "j1", "rating": 3.5}])
    text = repr(prefs)
    assert "3.5" not in text and "s1" not in text and "j1" not in text


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([{"who": "s1", "about": "j1"}], "exactly one of a rank, a rating or a veto"),
        ([{"who": "s1", "about": "j1", "rank": 1, "rating": 3}], r"exactly one .*\(got 2\)"),
        ([{"who": "s1", "about": "j1", "rank": 0}], "rank must be an integer ≥ 1"),
        ([{"who": "s1", "about": "j1", "rank": "first"}], "rank must be an integer"),
        ([{"who": "s1", "about": "j1", "rating": 6}], "rating must be a number from 1 to 5"),
        ([{"who": "s1", "about": "j1", "rating": "good"}], "rating must be a number"),
        ([{"who": "s1", "about": "j1", "veto": "maybe"}], "`veto` must be true or false"),
        ([{"who": None, "about": "j1", "rank": 1}], "`who` is missing"),
        ([{"who": "s1", "about": "j1", "rank": 1, "note": "x"}], "unknown key"),
        (
            [{"who": "s1", "about": "j1", "rank": 1}, {"who": "s1", "about": "j1", "rank": 2}],
            "answers about 'j1' twice",
        ),
        (
            [{"who": "s1", "about": "j1", "rank": 1}, {"who": "s1", "about": "j2", "rating": 2}],
            "both ranks and ratings",
        ),
        (["s1"], "record 1: must be a mapping"),
    ],
)
def test_malformed_answers_are_named(records, message):
    with pytest.raises(ValidationError, match=message) as err:
        Preferences.from_records(records)
    if records[0] != "s1" and records[0].get("who"):
        assert err.value.participant == "s1"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scale": (5, 1)}, "`scale` must be two finite numbers"),
        ({"scale": (1,)}, "`scale` must be two finite numbers"),
        ({"mentor_share": 1.5}, "mentor_share"),
    ],
)
def test_bad_options_are_named(kwargs, message):
    with pytest.raises(ValidationError, match=message):
        Preferences([Answer("s1", "j1", rank=1)], **kwargs)


def test_records_must_be_an_iterable_of_mappings():
    with pytest.raises(ValidationError, match="`records` must be an iterable"):
        Preferences.from_records({"who": "s1"})
    with pytest.raises(ValidationError, match="`rankings` must be a mapping"):
        Preferences.from_rankings([("s1", ["j1"])])  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match=r"`rankings\['s1'\]` must be a list"):
        Preferences.from_rankings({"s1": "j1"})


def test_unknown_and_same_side_ids_are_named_when_bound():
    m, e = _cohort(3, 3)
    unknown = Preferences.from_rankings({"nobody": [m.ids[0]]})
    with pytest.raises(ValidationError, match="'nobody' is neither a mentor nor a mentee") as err:
        rm.match(m, e, preferences=unknown)
    assert err.value.participant == "nobody"
    wrong = Preferences.from_rankings({e.ids[0]: ["ghost"]})
    with pytest.raises(ValidationError, match="'ghost' is none of the mentors"):
        rm.match(m, e, preferences=wrong)
    same = Preferences.from_rankings({e.ids[0]: [e.ids[1]]})
    with pytest.raises(ValidationError, match="is on the same side") as err:
        rm.match(m, e, preferences=same)
    assert err.value.participant == e.ids[0]
    with pytest.raises(ValidationError, match="`preferences` must be a Preferences"):
        rm.match(m, e, preferences={"s1": ["j1"]})  # type: ignore[arg-type]


# -- the term --------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), share=st.sampled_from([0.0, 0.3, 0.5, 1.0]))
def test_the_term_equals_the_documented_mapping_pair_by_pair(seed, share):
    m, e = _cohort(5, 4, seed % 7)
    base = _survey(m, e, seed)
    prefs = Preferences(base.answers, mentor_share=share)
    p = Problem(m, e, Programme(weights={"preference": 1.0}), preferences=prefs)
    got = p.terms(np.arange(m.n), np.arange(e.n))["preference"]
    want = np.array([[_plain_term(prefs, a, b) for b in e.ids] for a in m.ids])
    np.testing.assert_allclose(got, want, atol=1e-12)
    mi, ei = np.repeat(np.arange(m.n), e.n), np.tile(np.arange(e.n), m.n)
    np.testing.assert_allclose(p.terms(mi, ei, outer=False)["preference"], want.ravel())


def test_preferences_count_by_default_and_a_weight_needs_them():
    m, e = _cohort(4, 4)
    prefs = _survey(m, e)
    assert "preference" in Problem(m, e, preferences=prefs).weights
    assert "preference" not in Problem(m, e).weights
    with pytest.raises(ValidationError, match="needs the participants' preferences"):
        Problem(m, e, Programme(weights={"learning": 1.0, "preference": 1.0}))
    with pytest.raises(ValidationError, match="needs the participants' preferences"):
        Problem(m, e, Programme(rules=[rules.Vetoes()]))


def test_a_strong_preference_term_gives_people_their_first_choices():
    m, e = _cohort(6, 6, 2)
    # every mentee ranks one distinct mentor first: with the term alone, all get them
    firsts = {e.ids[k]: [m.ids[(k + 2) % 6]] for k in range(6)}
    prefs = Preferences.from_rankings(firsts)
    r = rm.match(m, e, Programme(weights={"preference": 1.0}), preferences=prefs)
    assert sorted(r.id_pairs) == sorted((v[0], k) for k, v in firsts.items())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_dense_and_sparse_paths_agree_with_preferences(seed):
    m, e = _cohort(60, 50, seed)
    prefs = _survey(m, e, seed)
    prog = Programme(rules=[rules.Vetoes(), rules.CrossDepartment()])
    problem = Problem(m, e, prog, preferences=prefs)
    dense = rm.match(m, e, prog, preferences=prefs, method="flow")
    sparse = rm.match(m, e, prog, preferences=prefs, method="sparse")
    assert dense.status == sparse.status == "optimal"
    assert sparse.objective == pytest.approx(dense.objective, abs=1e-9)
    assert rm.verify(dense, problem) == [] and rm.verify(sparse, problem) == []


# -- the rules -------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["auto", "flow", "sparse"])
def test_vetoed_pairs_are_never_chosen(method):
    m, e = _cohort(8, 8, 4)
    # veto the optimum's pairs: the new answer avoids every one
    first = rm.match(m, e)
    vetoes: dict[object, list[object]] = {}
    for a, b in first.id_pairs:
        vetoes.setdefault(b, []).append(a)
    prefs = Preferences.from_rankings({}, vetoes=vetoes)
    prog = Programme(rules=[rules.Vetoes()])
    again = rm.match(m, e, prog, preferences=prefs, method=method)
    assert not set(again.id_pairs) & set(first.id_pairs)
    assert rm.verify(again, Problem(m, e, prog, preferences=prefs)) == []
    # verify sees a vetoed pair
    bad = rm.verify(first.id_pairs, Problem(m, e, prog, preferences=prefs))
    assert {v.rule for v in bad} == {"vetoes"} and len(bad) == len(first)


def test_mutual_acceptability_allows_only_pairs_both_listed():
    m, e = _cohort(5, 5, 1)
    prefs = _survey(m, e, 3)
    prog = Programme(rules=[rules.MutuallyAcceptable()])
    arrays = Problem(m, e, prog, preferences=prefs).compile()
    b = prefs.bind(m, e)
    want = (b.mentor_listed.toarray() & b.mentee_listed.toarray()) & ~b.vetoed.toarray()
    np.testing.assert_array_equal(arrays.feasible, want)
    r = rm.match(m, e, prog, preferences=prefs)
    assert all(want[m.index(a), e.index(c)] for a, c in r.id_pairs)


def test_the_rules_and_the_weight_save_in_programme_files():
    prog = Programme(
        rules=[rules.Vetoes(), rules.MutuallyAcceptable()],
        weights={"learning": 1.0, "preference": 0.5},
    )
    text = prog.to_toml()
    assert 'rule = "vetoes"' in text and 'rule = "mutually_acceptable"' in text
    assert Programme.from_toml(text) == prog


def test_preferences_that_change_nothing_warn():
    m, e = _cohort(4, 4)
    prefs = _survey(m, e)
    with pytest.warns(UserWarning, match="change nothing"):
        Problem(m, e, Programme(weights={"learning": 1.0}), preferences=prefs)


@pytest.mark.parametrize("seed", [0, 1])
def test_mutual_acceptability_on_the_sparse_path_agrees_with_dense(seed):
    m, e = _cohort(80, 70, seed)
    prefs = _survey(m, e, seed)
    prog = Programme(rules=[rules.MutuallyAcceptable()], weights={"learning": 1.0})
    dense = rm.match(m, e, prog, preferences=prefs, method="flow")
    sparse = rm.match(m, e, prog, preferences=prefs, method="sparse")
    assert sparse.objective == pytest.approx(dense.objective, abs=1e-9)
    assert len(sparse) == len(dense)
    assert rm.verify(sparse, Problem(m, e, prog, preferences=prefs)) == []


def test_ids_read_as_text_find_whole_number_ids_and_vetoes_must_be_bools():
    m = rm.People([1, 2], skills=["a"], offers=[[1], [0]], wants=[[0], [1]])
    e = rm.People([3, 4], skills=["a"], offers=[[1], [0]], wants=[[0], [1]])
    prefs = Preferences.from_records([{"who": "3", "about": "1", "rank": 1}])
    assert prefs.bind(m, e).mentee_utility.toarray().tolist() == [[1.0, 0.0], [0.0, 0.0]]
    with pytest.raises(ValidationError, match="`veto` must be True or False"):
        Preferences([Answer("s1", "j1", veto="no")])  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="`rankings` must be a mapping"):
        Preferences.from_rankings(None)  # type: ignore[arg-type]


def test_the_preference_term_stays_out_of_reasons_and_reprs():
    m, e = _cohort(5, 5, 2)
    prefs = Preferences.from_rankings({e.ids[k]: [m.ids[k]] for k in range(5)})
    r = rm.match(m, e, Programme(weights={"learning": 1.0, "preference": 1.0}), preferences=prefs)
    for pair in r.pairs:
        assert "preference" in pair.terms
        assert "preference" not in pair.reason and "preference" not in repr(pair)


def test_rotations_and_rematches_take_the_answers():
    m, e = _cohort(8, 8, 5)
    first = rm.match(m, e)
    vetoes: dict[object, list[object]] = {}
    for a, b in first.id_pairs:
        vetoes.setdefault(b, []).append(a)
    prefs = Preferences.from_rankings({}, vetoes=vetoes)
    prog = Programme(rules=[rules.Vetoes()])
    rot = rm.rotate(m, e, prog, rounds=3, preferences=prefs)
    problem = Problem(m, e, prog, preferences=prefs)
    assert rm.verify_rounds(rot, problem) == []
    every = {(p.mentor, p.mentee) for r in rot.rounds for p in r.pairs}
    assert not every & set(first.id_pairs)
    # a rematch after a mentor left: their answers (and answers about them) are dropped
    gone = first.id_pairs[0][0]
    again = rm.rematch(first, m, e, prog, left=[gone], preferences=prefs)
    assert not set(again.matching.id_pairs) & set(first.id_pairs)
    with pytest.raises(ValidationError, match="`preferences` must be a Preferences"):
        rm.rematch(first, m, e, prog, preferences={"x": 1})  # type: ignore[arg-type]


def test_among_keeps_the_answers_between_people_present():
    m, e = _cohort(3, 3)
    prefs = Preferences.from_rankings(
        {e.ids[0]: [m.ids[0], "gone"], "gone too": [m.ids[1]]}, vetoes={m.ids[2]: [e.ids[1]]}
    )
    kept = prefs.among(m, e)
    assert [(a.who, a.about) for a in kept.answers] == [(e.ids[0], m.ids[0]), (m.ids[2], e.ids[1])]


def test_survey_ids_in_another_letter_case_are_found_and_every_unknown_id_is_named():
    m = rm.People(["Ana@X.org", "bo@x.org"], skills=["a"], offers=[[1], [0]], wants=[[0], [1]])
    e = rm.People(["cy@x.org", "di@x.org"], skills=["a"], offers=[[1], [0]], wants=[[0], [1]])
    prefs = Preferences.from_records([{"who": " CY@x.org", "about": "ana@x.org", "rank": 1}])
    assert prefs.bind(m, e).mentee_utility.toarray()[0, 0] == 1.0
    bad = Preferences.from_records(
        [
            {"who": "nobody@x.org", "about": "ana@x.org", "rank": 1},
            {"who": "cy@x.org", "about": "ghost@x.org", "rank": 1},
        ]
    )
    with pytest.raises(rm.TableError, match="2 answers name nobody here") as err:
        bad.bind(m, e)
    assert [p.participant for p in err.value.problems] == ["nobody@x.org", "cy@x.org"]


def test_the_default_weights_spread_into_a_programme_without_preferences():
    m, e = _cohort(4, 4)
    prog = Programme(weights={**rm.DEFAULT_WEIGHTS, "diversity": 0.0})
    assert rm.match(m, e, prog).status == "optimal"
    assert "preference" in Problem(m, e, preferences=_survey(m, e)).weights
