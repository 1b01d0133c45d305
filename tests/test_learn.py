"""Learning term weights from feedback, the feedback simulator, and programme evaluation."""

import math
import re

import numpy as np
import pytest
from scipy import stats

from rm_match import People, Programme, match, rules, synthetic
from rm_match.errors import TableError, ValidationError
from rm_match.learn import (
    FEEDBACK_FIELDS,
    Evaluation,
    Feedback,
    LearnedWeights,
    evaluate_programme,
    learn_weights,
)

TRUE = {"learning": 0.4, "interests": 0.15, "language": 0.1, "timezone": 0.15, "diversity": 0.2}
PROG = Programme(weights=dict.fromkeys(TRUE, 1.0), diversity_attributes=("gender", "generation"))


def _pairs(mentors, mentees, rounds, seed):
    """``rounds`` random 1:1 matchings of a square cohort, one round each."""
    g = np.random.default_rng(seed)
    n = len(mentors)
    return [
        (mentors.ids[i], mentees.ids[j], r)
        for r in range(rounds)
        for i, j in enumerate(g.permutation(n))
    ]


@pytest.fixture(scope="module")
def recovery():
    mentors, mentees = synthetic.cohort(60, 60, rng=0)
    pairs = _pairs(mentors, mentees, 5, 100)  # 300 rated pairs
    fb = synthetic.feedback(mentors, mentees, pairs, weights=TRUE, programme=PROG, noise=0.5, rng=0)
    return mentors, mentees, fb, learn_weights(fb, mentors, mentees, PROG, rng=0)


# -- Feedback ----------------------------------------------------------------------------------


def _fb(**over):
    rec = {"mentor": "J1", "mentee": "S1", "mentor_rating": 4, "mentee_rating": 5}
    rec.update(over)
    return rec


def test_feedback_from_records_round_trip():
    recs = [
        _fb(round=0, gained=["ai_tools", "ai_tools"]),
        _fb(mentor="J2", mentee="S2", mentor_rating=None, round=0),
        _fb(round=1, mentee_rating=float("nan")),
    ]
    fb = Feedback.from_records(recs)
    assert len(fb) == fb.n == 3
    assert repr(fb) == "Feedback(n=3, rounds=2, mentor_ratings=2, mentee_ratings=2, scale=(1, 5))"
    assert fb.gained[0] == ("ai_tools",)
    assert fb.round.tolist() == [0, 0, 1]
    back = Feedback.from_records(fb.to_records())
    assert back.to_records() == fb.to_records()
    np.testing.assert_allclose(fb.scaled("mentor"), [0.75, np.nan, 0.75])
    np.testing.assert_allclose(fb.scaled("mentee"), [1.0, 1.0, np.nan])
    np.testing.assert_allclose(fb.scaled("both"), [0.875, 1.0, 0.75])
    assert set(fb.to_records()[0]) == set(FEEDBACK_FIELDS)


def test_feedback_is_immutable():
    fb = Feedback(["J1"], ["S1"], mentor_rating=[3])
    with pytest.raises(AttributeError, match="immutable"):
        fb.scale = (0, 1)
    with pytest.raises(ValueError, match="read-only"):
        fb.mentor_rating[0] = 1


def test_feedback_scale_and_int_ids():
    fb = Feedback([1, 2], [3, 4], mentee_rating=[0, 10], scale=(0, 10))
    assert fb.scaled("mentee").tolist() == [0.0, 1.0]
    mi, ei = fb.check(People([2, 1]), People(["3", "4"]))  # text ids match ints and back
    assert mi.tolist() == [1, 0] and ei.tolist() == [0, 1]


@pytest.mark.parametrize(
    ("recs", "message", "row", "column", "participant"),
    [
        (
            [_fb(mentor_rating=7)],
            "record 0, column 'mentor_rating', participant 'J1': rating 7 is outside the scale "
            "1 to 5.",
            0,
            "mentor_rating",
            "J1",
        ),
        (
            [_fb(), _fb(mentee="S2", mentee_rating="good")],
            r"record 1, column 'mentee_rating', participant 'S2': the rating is not a number "
            r"\(str\)\.",
            1,
            "mentee_rating",
            "S2",
        ),
        (
            [_fb(mentor_rating=None, mentee_rating=None)],
            "both ratings are missing",
            0,
            "mentor_rating",
            "J1",
        ),
        (
            [_fb(round=2), _fb(round=2)],
            r"record 1, column 'mentee', participant 'J1': the pair \('J1', 'S1'\) is rated twice "
            r"in round 2 \(first at record 0\)",
            1,
            "mentee",
            "J1",
        ),
        ([_fb(), _fb()], "rated twice with no round given", 1, "mentee", "J1"),
        ([_fb(round=-1)], "the round must be a whole number ≥ 0", 0, "round", "J1"),
        ([_fb(round=1.5)], "the round must be a whole number ≥ 0", 0, "round", "J1"),
        (
            [_fb(mentor=None)],
            "record 0, column 'mentor': the mentor id is missing.",
            0,
            "mentor",
            None,
        ),
        ([_fb(mentee=2.5)], "the mentee id is not a text or an integer", 0, "mentee", None),
        (
            [_fb(gained="ai_tools")],
            "`gained` must be a collection of skill names",
            0,
            "gained",
            "J1",
        ),
        (
            [_fb(mentor_rating=True)],
            "the rating is not a number \\(bool\\)",
            0,
            "mentor_rating",
            "J1",
        ),
    ],
)
def test_feedback_errors(recs, message, row, column, participant):
    with pytest.raises(ValidationError, match=message) as info:
        Feedback.from_records(recs)
    err = info.value
    assert (err.row, err.column, err.participant) == (row, column, participant)


def test_feedback_collects_every_problem():
    with pytest.raises(TableError, match=r"2 problem\(s\) in the feedback") as info:
        Feedback.from_records([_fb(mentor_rating=9), _fb(mentee="S2", mentee_rating=0)])
    assert [p.row for p in info.value.problems] == [0, 1]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: Feedback.from_records(3), "`records` must be an iterable of mappings"),
        (lambda: Feedback.from_records([["J1"]]), "record 0: must be a mapping"),
        (lambda: Feedback.from_records([_fb(score=3)]), "record 0: unknown key 'score'"),
        (lambda: Feedback.from_records([_fb()], scale=(5, 1)), "`scale` must be a pair"),
        (lambda: Feedback.from_records([_fb()], scale=3), "`scale` must be a pair"),
        (lambda: Feedback(["J1"], ["S1", "S2"], mentor_rating=[1]), "`mentee` has 2 values"),
        (lambda: Feedback(["J1"], ["S1"]), "no ratings: give `mentor_rating`"),
        (lambda: Feedback(None, ["S1"], mentor_rating=[1]), "`mentor` and `mentee` ids must"),
        (lambda: Feedback("J1", ["S1"], mentor_rating=[1]), "`mentor` must be a sequence"),
    ],
)
def test_feedback_argument_errors(call, message):
    with pytest.raises(ValidationError, match=message):
        call()


def test_feedback_check_errors():
    fb = Feedback.from_records([_fb(), _fb(mentor="X9", mentee="J1", round=1)])
    mentors, mentees = People(["J1", "J2"], skills=["ai"]), People(["S1"], skills=["ai"])
    with pytest.raises(TableError) as info:
        fb.check(mentors, mentees)
    first, second = info.value.problems
    assert re.search(
        r"record 1, column 'mentor', participant 'X9': unknown mentor id 'X9'\.", str(first)
    )
    assert "unknown mentee id 'J1' (it is a mentor id: are the columns swapped?)" in str(second)
    with pytest.raises(ValidationError, match="unknown skill 'strategy'; the skills are"):
        Feedback.from_records([_fb(gained=["strategy"])]).check(mentors, mentees)
    with pytest.raises(ValidationError, match="`mentors` must be a People table"):
        fb.check(None, mentees)


# -- learn_weights -----------------------------------------------------------------------------


def test_recovery_of_known_weights(recovery):
    """300 ratings (noise sd 0.5 point, rounded): every learnt weight within 0.15 of the truth,
    and the truth inside the 90 % bootstrap interval for at least 4 of the 5 terms.

    Over 40 seeds of this set-up the largest error per fit has median 0.06 and 90th percentile
    0.12 (the learning term varies least across pairs, so it is the least sure: sd 0.08; the
    others 0.02 to 0.05), with no bias; the intervals cover the truth 84 % of the time."""
    *_, fit = recovery
    assert set(fit.weights) == set(TRUE)
    assert math.isclose(sum(fit.weights.values()), 1.0)
    for t, w in TRUE.items():
        assert abs(fit.weights[t] - w) <= 0.15, (t, fit.weights[t])
    inside = [fit.intervals[t][0] <= w <= fit.intervals[t][1] for t, w in TRUE.items()]
    assert sum(inside) >= 4
    assert all(fit.intervals[t][0] <= fit.weights[t] + 1e-9 for t in TRUE)
    assert fit.n_pairs == 300 and fit.n_bootstrap == 200
    cv = fit.cv
    assert cv["learned"]["r2"] > 0.3 > cv["constant"]["r2"]
    assert cv["learned"]["rmse"] < cv["constant"]["rmse"]
    assert fit.previous == dict.fromkeys(TRUE, 0.2)


def test_learnt_programme_is_usable(recovery):
    mentors, mentees, _, fit = recovery
    assert fit.programme.weights == fit.weights
    assert fit.programme.diversity_attributes == PROG.diversity_attributes
    result = match(mentors, mentees, fit.programme)
    assert result.status == "optimal"
    assert isinstance(fit, LearnedWeights)
    assert repr(fit).startswith("LearnedWeights(n_pairs=300, target='both', weights={")


def test_summary_says_what_changed_and_how_sure(recovery):
    *_, fit = recovery
    text = fit.summary()
    assert "learnt from 300 rated pairs" in text
    assert re.search(r"learning\s+0\.200\s+0\.\d{3}\s+\[0\.\d{3}, 0\.\d{3}\]", text)
    assert "previous weights" in text and "constant (mean)" in text
    assert "warning: only" not in text


def test_learning_is_reproducible(recovery):
    mentors, mentees, fb, fit = recovery
    again = learn_weights(fb, mentors, mentees, PROG, n_bootstrap=200, rng=0)
    assert again.weights == fit.weights and again.intervals == fit.intervals


def test_better_than_previous_weights():
    mentors, mentees = synthetic.cohort(40, 40, rng=1)
    fb = synthetic.feedback(
        mentors, mentees, _pairs(mentors, mentees, 4, 1), weights={"timezone": 1}, noise=0.3, rng=1
    )
    prog = Programme(weights={"learning": 1.0, "timezone": 0.01})
    fit = learn_weights(fb, mentors, mentees, prog, n_bootstrap=30, rng=1)
    assert fit.weights["timezone"] > 0.9
    assert fit.cv["learned"]["r2"] > fit.cv["previous"]["r2"] + 0.2
    assert fit.coefficients["timezone"] > 2  # rating points from far apart to same zone


def test_targets_and_few_pairs_warning():
    mentors, mentees = synthetic.cohort(20, 20, rng=2)
    fb = synthetic.feedback(
        mentors,
        mentees,
        _pairs(mentors, mentees, 2, 2),
        weights={"learning": 1, "timezone": 1},
        missing=0.5,
        rng=2,
    )
    n_m = int(np.sum(~np.isnan(fb.mentor_rating)))
    fit = learn_weights(fb, mentors, mentees, target="mentor", n_bootstrap=10, rng=2)
    assert fit.n_pairs == n_m < 40 and fit.target == "mentor"
    assert any(w.startswith(f"only {n_m} rated pairs") for w in fit.warnings)
    assert f"warning: only {n_m} rated pairs" in fit.summary()


def test_constant_term_keeps_its_share():
    n = 30
    g = np.random.default_rng(3)
    people = {
        "skills": ["ai", "strategy"],
        "languages": [["en"]] * n,
        "timezone": g.choice([-5.0, 0.0, 1.0, 8.0], n).tolist(),
    }
    mentors = People(
        [f"J{i}" for i in range(n)], offers=g.random((n, 2)), wants=g.random((n, 2)), **people
    )
    mentees = People(
        [f"S{i}" for i in range(n)], offers=g.random((n, 2)), wants=g.random((n, 2)), **people
    )
    prog = Programme(weights={"learning": 1.0, "language": 1.0, "timezone": 2.0})
    fb = synthetic.feedback(
        mentors, mentees, _pairs(mentors, mentees, 3, 3), weights={"timezone": 1}, noise=0.3, rng=3
    )
    fit = learn_weights(fb, mentors, mentees, prog, n_bootstrap=20, rng=3)
    assert fit.fixed == ("language",)
    assert fit.weights["language"] == pytest.approx(0.25)  # its previous share
    assert fit.weights["timezone"] > 0.6
    assert any("no variation among the rated pairs in language" in w for w in fit.warnings)
    assert "(no variation: kept)" in fit.summary()


def test_no_term_predicts_keeps_weights():
    mentors, mentees = synthetic.cohort(10, 10, rng=4)
    pairs = _pairs(mentors, mentees, 2, 4)
    fb = Feedback(
        [p[0] for p in pairs],
        [p[1] for p in pairs],
        mentee_rating=[3] * 20,
        round=[p[2] for p in pairs],
    )
    fit = learn_weights(fb, mentors, mentees, n_bootstrap=5, rng=4)
    assert fit.weights == fit.previous
    assert "no term predicts the ratings: the weights are left as they were." in fit.warnings
    assert math.isnan(fit.cv["learned"]["r2"])


def test_learn_skill_weights():
    """With the skills norm the per-skill model is exact: the skill that drives the ratings
    gets the largest weight."""
    mentors, mentees = synthetic.cohort(60, 60, rng=5, skills=4)
    truth = Programme(
        weights={"learning": 1.0},
        skill_weights={"ai_tools": 4.0},
        learning_norm="skills",
        reverse_weight=0.0,
    )
    fb = synthetic.feedback(
        mentors,
        mentees,
        _pairs(mentors, mentees, 5, 5),
        weights={"learning": 1},
        programme=truth,
        noise=0.2,
        rng=5,
    )
    start = Programme(weights={"learning": 1.0}, learning_norm="skills", reverse_weight=0.0)
    fit = learn_weights(
        fb,
        mentors,
        mentees,
        start,
        skills=True,
        terms=["learning", "timezone"],
        n_bootstrap=30,
        rng=5,
    )
    sw = fit.skill_weights
    assert sw is not None and set(sw) == set(mentors.skills)
    assert max(sw, key=sw.get) == "ai_tools"
    assert sw["ai_tools"] > 2 * np.mean([v for k, v in sw.items() if k != "ai_tools"])
    assert np.mean(list(sw.values())) == pytest.approx(1.0)
    assert fit.programme.skill_weights == sw
    assert set(fit.skill_intervals) == set(sw)
    assert "ai_tools" in fit.summary()
    assert set(fit.weights) == {"learning", "timezone"} and fit.weights["learning"] > 0.8


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": "boss"}, "`target` must be one of 'both', 'mentor', 'mentee'"),
        ({"alpha": -1}, "`alpha` must be a finite number ≥ 0"),
        ({"folds": 1}, "`folds` must be an integer ≥ 2"),
        ({"folds": 500}, r"`folds` must be at most the number of rated pairs \(40\)"),
        ({"n_bootstrap": -1}, "`n_bootstrap` must be an integer ≥ 0"),
        ({"skills": 1}, "`skills` must be True or False"),
        ({"terms": ["luck"]}, "unknown score term 'luck' in `terms`"),
        ({"terms": []}, "`terms` must be a non-empty sequence"),
        ({"level": 1.5}, "`level` must be a finite number > 0 and ≤ 1"),
        ({"rng": "x"}, "`rng` must be None"),
        ({"skills": True, "terms": ["timezone"]}, "`skills=True` needs the learning term"),
    ],
)
def test_learn_option_errors(kwargs, message):
    mentors, mentees = synthetic.cohort(20, 20, rng=6)
    fb = synthetic.feedback(
        mentors, mentees, _pairs(mentors, mentees, 2, 6), weights={"learning": 1}, rng=6
    )
    with pytest.raises(ValidationError, match=message):
        learn_weights(fb, mentors, mentees, **kwargs)


def test_learn_needs_enough_pairs():
    mentors, mentees = synthetic.cohort(5, 5, rng=7)
    fb = synthetic.feedback(
        mentors,
        mentees,
        list(zip(mentors.ids, mentees.ids, strict=True)),
        weights={"learning": 1},
        rng=7,
    )
    with pytest.raises(
        ValidationError,
        match=r"`feedback` has 5 rated pair\(s\) with a both rating; learning 4 term "
        r"weight\(s\) needs at least 6\.",
    ) as info:
        learn_weights(fb, mentors, mentees)
    assert info.value.argument == "feedback"
    with pytest.raises(ValidationError, match="`feedback` must be a Feedback table"):
        learn_weights([], mentors, mentees)


# -- synthetic.feedback ------------------------------------------------------------------------


def test_synthetic_feedback():
    mentors, mentees = synthetic.cohort(30, 30, rng=8)
    result = match(mentors, mentees, Programme(rules=[rules.CrossDepartment()]))
    fb = synthetic.feedback(
        mentors,
        mentees,
        result,
        weights={"learning": 1},
        rounds=3,
        missing=0.3,
        scale=(0, 10),
        rng=8,
    )
    n = len(result.id_pairs)
    assert len(fb) == 3 * n and sorted(set(fb.round.tolist())) == [0, 1, 2]
    both = np.vstack((fb.mentor_rating, fb.mentee_rating))
    assert np.nanmin(both) >= 0 and np.nanmax(both) <= 10
    assert np.all(np.isnan(both) | (both == np.rint(both)))
    assert 0.15 < np.mean(np.isnan(both).any(axis=0)) < 0.45
    assert not np.isnan(both).all(axis=0).any()
    skills = set(mentors.skills)
    assert all(set(g) <= skills for g in fb.gained) and any(fb.gained)
    fb.check(mentors, mentees)
    again = synthetic.feedback(
        mentors,
        mentees,
        result,
        weights={"learning": 1},
        rounds=3,
        missing=0.3,
        scale=(0, 10),
        rng=8,
    )
    assert again.to_records() == fb.to_records()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pairs": 3}, "`pairs` must be a Matching or a sequence"),
        ({"pairs": [("J0001",)]}, "`pairs` must hold"),
        ({"pairs": [("J0001", "S0001", -1)]}, "round"),
        ({"pairs": [("X", "S0001")]}, "unknown participant id 'X'"),
        ({"missing": 1.0}, "`missing` must be below 1"),
        ({"noise": -1}, "`noise` must be a finite number ≥ 0"),
        ({"rounds": 0}, "`rounds` must be an integer ≥ 1"),
        ({"weights": {"luck": 1}}, "unknown score term 'luck'"),
        ({"scale": (3, 3)}, "`scale` must be a pair"),
    ],
)
def test_synthetic_feedback_errors(kwargs, message):
    mentors, mentees = synthetic.cohort(3, 3, rng=9)
    args = {"pairs": [("J0001", "S0001")], "weights": {"learning": 1}} | kwargs
    with pytest.raises(ValidationError, match=message):
        synthetic.feedback(mentors, mentees, **args)


# -- evaluate_programme ------------------------------------------------------------------------

PRE = [0.2, 0.4, 0.1, 0.5, 0.3, 0.6, 0.2]
POST = [0.5, 0.45, 0.4, 0.5, 0.7, 0.65, 0.3]


def test_growth_matches_scipy():
    pre = {f"E{i}": {"ai": v} for i, v in enumerate(PRE)}
    post = {f"E{i}": {"ai": v} for i, v in enumerate(POST)}
    ev = evaluate_programme((None, pre), (None, post))
    assert isinstance(ev, Evaluation)
    rows = {r["skill"]: r for r in ev.table}
    row = rows["ai"]
    a, b = np.array(PRE), np.array(POST)
    d = b - a
    assert row["n"] == 7 and row["side"] == "mentee" and not row["suppressed"]
    assert row["mean_change"] == pytest.approx(d.mean())
    assert row["mean_pre"] == pytest.approx(a.mean()) and row["mean_post"] == pytest.approx(
        b.mean()
    )
    assert row["relative_change_pct"] == pytest.approx(100 * d.mean() / a.mean())
    assert row["cohens_dz"] == pytest.approx(d.mean() / d.std(ddof=1))
    assert row["t_pvalue"] == pytest.approx(stats.ttest_rel(b, a).pvalue)
    assert row["wilcoxon_pvalue"] == pytest.approx(stats.wilcoxon(d).pvalue)
    # hand-computed: mean change 0.2 / 7 ..., t = mean / (sd / sqrt(n))
    t = d.mean() / (d.std(ddof=1) / math.sqrt(7))
    assert row["t_pvalue"] == pytest.approx(2 * stats.t.sf(abs(t), 6))
    assert rows["(all)"]["mean_change"] == pytest.approx(d.mean())


def test_small_groups_are_suppressed():
    mentors, mentees = synthetic.cohort(4, 8, rng=10)
    after = People(mentees.ids, skills=mentees.skills, offers=np.clip(mentees.offers + 0.1, 0, 1))
    ev = evaluate_programme((mentors, mentees), {"mentor": mentors, "mentee": after})
    mentor_rows = [r for r in ev.table if r["side"] == "mentor"]
    assert mentor_rows and all(r["suppressed"] and r["n"] == 4 for r in mentor_rows)
    assert all(
        r["mean_change"] is None and r["t_pvalue"] is None and r["cohens_dz"] is None
        for r in mentor_rows
    )
    mentee_rows = [r for r in ev.table if r["side"] == "mentee"]
    assert all(not r["suppressed"] and r["mean_change"] >= 0 for r in mentee_rows)
    assert "suppressed (fewer than 5)" in ev.summary()
    # a skill assessed by fewer than 5 of the group is suppressed on its own
    pre = {f"E{i}": {"ai": 0.1, **({"law": 0.2} if i < 3 else {})} for i in range(6)}
    post = {f"E{i}": {"ai": 0.1 + 0.01 * i, **({"law": 0.4} if i < 3 else {})} for i in range(6)}
    rows = {r["skill"]: r for r in evaluate_programme((None, pre), (None, post)).table}
    assert rows["law"]["suppressed"] and rows["law"]["n"] == 3 and not rows["ai"]["suppressed"]
    assert repr(evaluate_programme((None, pre), (None, post))) == (
        "Evaluation(rows=3, sides=['mentee'], suppressed=1, predictors=0)"
    )


def test_predictors_of_growth():
    mentors, mentees = synthetic.cohort(60, 60, rng=11)
    prog = Programme(weights={"learning": 1.0, "timezone": 1.0})
    pairs = list(zip(mentors.ids, np.random.default_rng(11).permutation(mentees.ids), strict=True))
    from rm_match import Problem

    problem = Problem(mentors, mentees, prog)
    mi = np.array([mentors.index(m) for m, _ in pairs])
    ei = np.array([mentees.index(e) for _, e in pairs])
    learning = problem.terms(mi, ei, outer=False)["learning"]
    noise = np.random.default_rng(12).normal(0, 0.02, len(pairs))
    pre = {e: {"strategy": 0.3} for _, e in pairs}
    post = {
        e: {"strategy": 0.3 + 0.5 * v + z}
        for (_, e), v, z in zip(pairs, learning, noise, strict=True)
    }
    ev = evaluate_programme(
        {"mentee": pre},
        {"mentee": post},
        pairs=pairs,
        mentors=mentors,
        mentees=mentees,
        programme=prog,
    )
    rows = {r["term"]: r for r in ev.predictors}
    assert set(rows) == {"learning", "timezone"}
    lr = rows["learning"]
    growth = np.array([post[e]["strategy"] - 0.3 for _, e in pairs])
    assert lr["r"] == pytest.approx(stats.pearsonr(learning, growth).statistic)
    assert lr["r_low"] < lr["r"] < lr["r_high"] and lr["r_low"] > 0.5
    assert lr["beta_low"] > 0.5 and rows["timezone"]["beta_low"] < 0 < rows["timezone"]["beta_high"]
    assert lr["n"] == 60
    assert "Which pair terms predicted growth (90% intervals)" in ev.summary()
    pytest.importorskip("pandas")
    frame = ev.to_frame("predictors")
    assert list(frame["term"]) == ["learning", "timezone"]
    assert len(ev.to_frame()) == len(ev.table)


def test_evaluation_errors():
    with pytest.raises(ValidationError, match="`pre` must be a pair"):
        evaluate_programme(3, (None, None))
    with pytest.raises(
        ValidationError, match=r"`pre\['mentee'\]` must be a People table or a mapping"
    ):
        evaluate_programme((None, [1]), (None, {}))
    with pytest.raises(ValidationError, match=r"participant 'E1' must map to a mapping"):
        evaluate_programme((None, {"E1": 3}), (None, {}))
    with pytest.raises(
        ValidationError,
        match=r"participant 'E1', skill 'ai': the level must be a finite number \(str given\)\.",
    ) as info:
        evaluate_programme((None, {"E1": {"ai": "high"}}), (None, {}))
    assert "high" not in str(info.value) and info.value.participant == "E1"
    with pytest.raises(ValidationError, match="`pairs` needs the cohort"):
        evaluate_programme((None, {}), (None, {}), pairs=[("J1", "S1")])
    mentors, mentees = synthetic.cohort(3, 3, rng=0)
    with pytest.raises(ValidationError, match=r"`pairs` must hold \(mentor id, mentee id\) pairs"):
        evaluate_programme(
            (None, {}), (None, {}), pairs=[("J0001",)], mentors=mentors, mentees=mentees
        )
    with pytest.raises(ValidationError, match="`min_group` must be an integer ≥ 1"):
        evaluate_programme((None, {}), (None, {}), min_group=0)
