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
            "record 0, column 'mentor_rating', participant 'J1': the rating is outside the "
            "scale 1 to 5.",
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


def test_rating_is_never_shown():
    """A rating is a person's opinion: an out-of-scale rating is reported without its value."""
    with pytest.raises(TableError) as info:
        Feedback.from_records([_fb(mentor_rating=7), _fb(mentee="S2", mentee_rating=0.25)])
    texts = [str(p) for p in info.value.problems]
    assert all(t.endswith("the rating is outside the scale 1 to 5.") for t in texts)
    assert not any("7" in t or "0.25" in t for t in texts)


def test_bad_round_is_not_also_a_duplicate():
    """A row whose round is bad gets that one error, not also "rated twice with no round"."""
    with pytest.raises(ValidationError, match="the round must be a whole number ≥ 0") as info:
        Feedback.from_records([_fb(round=-1), _fb()])
    assert not isinstance(info.value, TableError) and info.value.row == 0
    with pytest.raises(ValidationError, match="the round must be") as info:
        Feedback.from_records([_fb(), _fb(round=1.5), _fb(round="x")])
    assert isinstance(info.value, TableError)
    assert [(p.row, p.column) for p in info.value.problems] == [(1, "round"), (2, "round")]
    # a real duplicate is still reported
    with pytest.raises(ValidationError, match="rated twice with no round given"):
        Feedback.from_records([_fb(round=-1), _fb(), _fb()])


def test_ratings_as_numeric_text():
    """Ratings given as text (as csv.DictReader gives them) are read like Preferences reads
    them: stripped and parsed; a blank text is no rating; other text is rejected."""
    fb = Feedback.from_records(
        [
            _fb(mentor_rating="4", mentee_rating=" 3.5 "),
            _fb(mentee="S2", mentor_rating="", mentee_rating="2"),
        ]
    )
    np.testing.assert_array_equal(fb.mentor_rating, [4.0, np.nan])
    np.testing.assert_array_equal(fb.mentee_rating, [3.5, 2.0])
    for text in ("4 stars", "four", "nan", "inf"):
        with pytest.raises(ValidationError, match=r"the rating is not a number \(str\)\."):
            Feedback.from_records([_fb(mentor_rating=text)])
    with pytest.raises(ValidationError, match="the rating is outside the scale 1 to 5"):
        Feedback.from_records([_fb(mentor_rating="6")])


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


def test_constant_ratings_leave_weights_and_r2_undefined():
    """Ratings that do not vary: nothing to learn, R² not defined (None, "n/a"), one clear
    warning, and no spurious "no better than previous" or bootstrap warnings."""
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
    assert fit.programme.weights == fit.weights
    assert all(fit.cv[m]["r2"] is None for m in ("learned", "previous", "constant"))
    assert all(fit.cv[m]["rmse"] == pytest.approx(0.0) for m in fit.cv)
    assert (
        "the ratings do not vary: nothing can be learnt from them; the weights are left as "
        "they were." in fit.warnings
    )
    assert not any("no term predicts" in w or "no better" in w for w in fit.warnings)
    assert not any("bootstrap" in w for w in fit.warnings) and fit.intervals == {}
    text = fit.summary()
    assert "nan" not in text
    assert re.search(r"learnt weights\s+n/a\s+0\.000", text)
    assert "cv_r2=None" in repr(fit)


def test_no_term_predicts_keeps_weights():
    """Ratings that vary but fall as the (only) term rises: β = 0, the weight is kept."""
    mentors, mentees = synthetic.cohort(30, 30, rng=4)
    pairs = _pairs(mentors, mentees, 2, 4)
    from rm_match import Problem

    mi = np.array([mentors.index(p[0]) for p in pairs])
    ei = np.array([mentees.index(p[1]) for p in pairs])
    tz = Problem(mentors, mentees, Programme(weights={"timezone": 1.0})).terms(mi, ei, outer=False)[
        "timezone"
    ]
    fb = Feedback(
        [p[0] for p in pairs],
        [p[1] for p in pairs],
        mentee_rating=(5 - 4 * tz).tolist(),
        round=[p[2] for p in pairs],
    )
    prog = Programme(weights={"learning": 1.0, "timezone": 3.0})
    fit = learn_weights(fb, mentors, mentees, prog, terms=["timezone"], n_bootstrap=5, rng=4)
    assert fit.weights == fit.previous == {"timezone": 1.0}
    assert "no term predicts the ratings: the weights are left as they were." in fit.warnings
    assert fit.cv["learned"]["r2"] is not None


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
        ({"folds": 500}, r"`folds` must be at most the number of distinct rated pairs \(39\)"),
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
        match=r"`feedback` has 5 rated pair\(s\) with a rating from either side; learning 4 "
        r"term weight\(s\) needs at least 6\.",
    ) as info:
        learn_weights(fb, mentors, mentees)
    assert info.value.argument == "feedback"
    with pytest.raises(ValidationError, match="5 rated pair\\(s\\) with a mentee rating;"):
        learn_weights(fb, mentors, mentees, target="mentee")
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
    for small in (1, 4):  # the privacy floor
        with pytest.raises(
            ValidationError, match=rf"`min_group` must be at least 5 .*; got {small}\."
        ) as info:
            evaluate_programme((None, {}), (None, {}), min_group=small)
        assert info.value.argument == "min_group"
    assert evaluate_programme((None, {}), (None, {}), min_group=8).min_group == 8


# -- review fixes: skill summary, preferences, terms, resampling by pair, predictors per person


def _simulate(mentors, mentees, pairs, weights, *, preferences=None, noise=0.3, seed=0):
    """Ratings of ``pairs`` (mentor, mentee, round) from known weights, like
    :func:`synthetic.feedback` but with the participants' preferences available to the
    ``preference`` term: both sides rate ``1 + 4·score + noise``, rounded and clipped."""
    from rm_match import Problem

    problem = Problem(mentors, mentees, Programme(weights=weights), preferences=preferences)
    mi = np.array([mentors.index(p[0]) for p in pairs])
    ei = np.array([mentees.index(p[1]) for p in pairs])
    score = problem.scores(mi, ei, outer=False)
    g = np.random.default_rng(seed)

    def rate():
        return np.clip(np.rint(1 + 4 * score + g.normal(0, noise, len(pairs))), 1, 5).tolist()

    return Feedback(
        [p[0] for p in pairs],
        [p[1] for p in pairs],
        mentor_rating=rate(),
        mentee_rating=rate(),
        round=[p[2] for p in pairs],
    )


def test_summary_shows_the_previous_skill_weights():
    """The summary's "previous" skill column is the programme's weights before learning (it
    printed the learnt ones), and the learnt weights keep the previous total."""
    mentors, mentees = synthetic.cohort(60, 60, rng=5, skills=4)
    skills = list(mentors.skills)
    truth = Programme(
        weights={"learning": 1.0},
        skill_weights={skills[0]: 4.0},
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
    before = {skills[1]: 2.0, skills[2]: 0.5}
    start = Programme(
        weights={"learning": 1.0, "timezone": 0.5},
        skill_weights=before,
        learning_norm="skills",
        reverse_weight=0.0,
    )
    fit = learn_weights(fb, mentors, mentees, start, skills=True, n_bootstrap=0, rng=5)
    prev = fit.previous_skill_weights
    assert prev == {s: before.get(s, 1.0) for s in skills}
    sw = fit.skill_weights
    assert sw is not None and sw != prev
    assert sum(sw.values()) == pytest.approx(sum(prev.values()))  # the previous total
    text = fit.summary()
    for s in skills:
        assert re.search(rf"{s}\s+{prev[s]:.3f}\s+{sw[s]:.3f}", text), s


@pytest.fixture(scope="module")
def with_preferences():
    from rm_match import Preferences

    mentors, mentees = synthetic.cohort(50, 50, rng=21)
    g = np.random.default_rng(21)
    rankings = {e: list(g.permutation(mentors.ids)[:25]) for e in mentees.ids}
    rankings |= {m: list(g.permutation(mentees.ids)[:25]) for m in mentors.ids}
    prefs = Preferences.from_rankings(rankings)
    pairs = _pairs(mentors, mentees, 6, 21)  # 300 rated pairs
    truth = {"learning": 0.5, "timezone": 0.2, "preference": 0.3}
    fb = _simulate(mentors, mentees, pairs, truth, preferences=prefs, seed=21)
    return mentors, mentees, prefs, fb, truth


def test_preference_term_is_learnt(with_preferences):
    mentors, mentees, prefs, fb, truth = with_preferences
    prog = Programme(weights=dict.fromkeys(truth, 1.0))
    with pytest.raises(ValidationError, match="preference needs the participants' preferences"):
        learn_weights(fb, mentors, mentees, prog, n_bootstrap=0)
    fit = learn_weights(fb, mentors, mentees, prog, preferences=prefs, n_bootstrap=50, rng=1)
    assert set(fit.weights) == set(truth)
    for t, w in truth.items():
        assert abs(fit.weights[t] - w) <= 0.1, (t, fit.weights[t])
    lo, hi = fit.intervals["preference"]
    assert lo > 0.1 and lo <= fit.weights["preference"] <= hi
    assert fit.cv["learned"]["r2"] > fit.cv["previous"]["r2"]
    assert fit.programme.weights == fit.weights
    assert match(mentors, mentees, fit.programme, preferences=prefs).status == "optimal"


def test_default_programme_keeps_the_preference_term(with_preferences):
    """The default programme weights `preference`: given the preferences it is learnt and
    kept in the returned programme (it was silently dropped)."""
    mentors, mentees, prefs, fb, _ = with_preferences
    fit = learn_weights(fb, mentors, mentees, preferences=prefs, n_bootstrap=0, rng=1)
    assert "preference" in fit.weights and "preference" in fit.programme.weights
    assert fit.weights["preference"] > 0.15
    assert "preference" in fit.previous
    # only that term, with the others kept: no warning that the preferences go unused
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        part = learn_weights(
            fb,
            mentors,
            mentees,
            Programme(weights={"learning": 1.0, "timezone": 1.0}),
            terms=["preference", "learning"],
            preferences=prefs,
            n_bootstrap=0,
            rng=1,
        )
    assert set(part.programme.weights) == {"learning", "timezone", "preference"}


def test_learning_some_terms_keeps_the_others():
    """``terms=``: ``previous`` is normalised over the chosen terms; the others keep their
    shares and the learnt ones split the share the chosen terms held before."""
    mentors, mentees = synthetic.cohort(40, 40, rng=1)
    truth = {"learning": 0.6, "interests": 0.2, "timezone": 0.2}
    fb = synthetic.feedback(
        mentors, mentees, _pairs(mentors, mentees, 4, 2), weights=truth, noise=0.3, rng=3
    )
    prog = Programme(weights={"learning": 2.0, "interests": 1.0, "timezone": 1.0, "language": 1.0})
    fit = learn_weights(
        fb, mentors, mentees, prog, terms=["learning", "timezone"], n_bootstrap=0, rng=4
    )
    assert fit.previous == {"learning": pytest.approx(2 / 3), "timezone": pytest.approx(1 / 3)}
    assert sum(fit.weights.values()) == pytest.approx(1.0)
    w = fit.programme.weights
    assert set(w) == {"learning", "interests", "timezone", "language"}
    assert sum(w.values()) == pytest.approx(1.0)
    assert w["interests"] == pytest.approx(0.2) and w["language"] == pytest.approx(0.2)
    assert w["learning"] + w["timezone"] == pytest.approx(0.6)  # their share before
    assert w["learning"] / w["timezone"] == pytest.approx(
        fit.weights["learning"] / fit.weights["timezone"]
    )
    # terms that held no weight: given the share of as many average terms, with a warning
    fit2 = learn_weights(
        fb,
        mentors,
        mentees,
        Programme(weights={"learning": 1.0, "language": 1.0}),
        terms=["interests", "timezone"],
        n_bootstrap=0,
        rng=4,
    )
    assert fit2.previous == {"interests": 0.5, "timezone": 0.5}
    w2 = fit2.programme.weights
    assert w2["learning"] == pytest.approx(0.25) and w2["language"] == pytest.approx(0.25)
    assert w2["interests"] + w2["timezone"] == pytest.approx(0.5)
    assert any("none of the terms learnt was weighted before" in m for m in fit2.warnings)


def test_resampling_and_folds_go_by_pair():
    """A pair rated in several rounds is one unit of the bootstrap and the folds: the same
    ratings repeated in four rounds give the intervals and the cross-validated fit of one
    round (row resampling would make them look four times surer)."""
    mentors, mentees = synthetic.cohort(40, 40, rng=1)
    once = _pairs(mentors, mentees, 1, 2)
    fb1 = synthetic.feedback(
        mentors, mentees, once, weights={"learning": 0.6, "timezone": 0.4}, noise=0.6, rng=3
    )
    recs = fb1.to_records()
    fb4 = Feedback.from_records([{**r, "round": k} for k in range(4) for r in recs])
    prog = Programme(weights={"learning": 1.0, "interests": 1.0, "timezone": 1.0})
    kw = {"alpha": 0.0, "n_bootstrap": 100, "folds": 5}
    fit1 = learn_weights(fb1, mentors, mentees, prog, rng=9, **kw)
    fit4 = learn_weights(fb4, mentors, mentees, prog, rng=9, **kw)
    assert fit4.n_pairs == 4 * fit1.n_pairs
    for t in fit1.intervals:
        assert fit4.intervals[t] == pytest.approx(fit1.intervals[t])
    for m in fit1.cv:
        assert fit4.cv[m]["r2"] == pytest.approx(fit1.cv[m]["r2"])
        assert fit4.cv[m]["rmse"] == pytest.approx(fit1.cv[m]["rmse"])
    with pytest.raises(ValidationError, match=r"distinct rated pairs \(40\); got 41"):
        learn_weights(fb4, mentors, mentees, prog, folds=41)


def _mentor_growth(n_mentors, per_mentor, seed):
    """A cohort where each mentor has ``per_mentor`` mentees, and mentor growth that follows
    the mean learning term of their pairs."""
    from rm_match import Problem

    mentors, mentees = synthetic.cohort(n_mentors, n_mentors * per_mentor, rng=seed)
    pairs = [
        (mentors.ids[i], mentees.ids[i * per_mentor + j])
        for i in range(n_mentors)
        for j in range(per_mentor)
    ]
    prog = Programme(weights={"learning": 1.0, "interests": 0.2})
    mi = np.array([mentors.index(m) for m, _ in pairs])
    ei = np.array([mentees.index(e) for _, e in pairs])
    terms = Problem(mentors, mentees, prog).terms(mi, ei, outer=False)
    g = np.random.default_rng(seed)
    mean_learning = terms["learning"].reshape(n_mentors, per_mentor).mean(axis=1)
    pre = {m: {"ai_tools": 0.3} for m in mentors.ids}
    post = {
        m: {"ai_tools": 0.3 + 0.4 * v + float(g.normal(0, 0.02))}
        for m, v in zip(mentors.ids, mean_learning, strict=True)
    }
    return mentors, mentees, pairs, prog, pre, post, mean_learning


def test_predictors_count_people_not_pairs():
    """Each mentor is one observation (growth against the mean of their pairs' terms), and
    ``n`` is people: 2 mentors with 3 mentees each are suppressed like the growth table."""
    mentors, mentees, pairs, prog, pre, post, mean_learning = _mentor_growth(12, 3, 31)
    ev = evaluate_programme(
        {"mentor": pre},
        {"mentor": post},
        pairs=pairs,
        mentors=mentors,
        mentees=mentees,
        programme=prog,
    )
    rows = {r["term"]: r for r in ev.predictors}
    assert rows["learning"]["n"] == 12 and not rows["learning"]["suppressed"]
    growth = np.array([post[m]["ai_tools"] - 0.3 for m in mentors.ids])
    assert rows["learning"]["r"] == pytest.approx(stats.pearsonr(mean_learning, growth).statistic)
    # two mentors (capacity 3): 2 people, suppressed, whatever the 6 pairs
    mentors, mentees, pairs, prog, pre, post, _ = _mentor_growth(2, 3, 32)
    pre_e = {e: {"ai_tools": 0.2 + 0.05 * k} for k, e in enumerate(mentees.ids)}
    post_e = {e: {"ai_tools": 0.3 + 0.07 * k} for k, e in enumerate(mentees.ids)}
    ev = evaluate_programme(
        (pre, pre_e),
        (post, post_e),
        pairs=pairs,
        mentors=mentors,
        mentees=mentees,
        programme=prog,
    )
    growth_rows = [r for r in ev.table if r["side"] == "mentor"]
    assert all(r["suppressed"] for r in growth_rows)
    mentor_rows = [r for r in ev.predictors if r["side"] == "mentor"]
    assert mentor_rows and all(r["suppressed"] and r["n"] == 2 for r in mentor_rows)
    assert all(r["r"] is None and r["beta"] is None for r in mentor_rows)
    mentee_rows = [r for r in ev.predictors if r["side"] == "mentee"]
    assert all(r["n"] == 6 and not r["suppressed"] for r in mentee_rows)
    # a pair listed twice counts once
    again = evaluate_programme(
        (pre, pre_e),
        (post, post_e),
        pairs=pairs + pairs[:1],
        mentors=mentors,
        mentees=mentees,
        programme=prog,
    )
    assert again.predictors == ev.predictors


def test_evaluate_with_preferences(with_preferences):
    mentors, mentees, prefs, _, _ = with_preferences
    pairs = list(zip(mentors.ids, mentees.ids, strict=True))
    pre = {e: {"ai_tools": 0.2} for e in mentees.ids}
    post = {e: {"ai_tools": 0.2 + 0.01 * k} for k, e in enumerate(mentees.ids)}
    prog = Programme(weights={"learning": 1.0, "preference": 1.0})
    kw = {"pairs": pairs, "mentors": mentors, "mentees": mentees, "programme": prog}
    with pytest.raises(ValidationError, match="preference needs the participants' preferences"):
        evaluate_programme((None, pre), (None, post), **kw)
    ev = evaluate_programme((None, pre), (None, post), preferences=prefs, **kw)
    assert [r["term"] for r in ev.predictors] == ["learning", "preference"]
    assert all(r["n"] == 50 for r in ev.predictors)


def test_numpy_nan_level_is_not_assessed():
    pre = {f"E{i}": {"ai": 0.1 * i, "law": np.float32("nan") if i == 0 else 0.5} for i in range(6)}
    post = {f"E{i}": {"ai": 0.1 * i + 0.1, "law": 0.6} for i in range(6)}
    rows = {r["skill"]: r for r in evaluate_programme((None, pre), (None, post)).table}
    assert rows["law"]["n"] == 5 and rows["ai"]["n"] == 6


def test_synthetic_feedback_simulates_the_preference_term():
    import rm_match as rm

    m, e = rm.synthetic.cohort(12, 12, rng=0)
    prefs = rm.Preferences.from_rankings({e.ids[k]: [m.ids[k]] for k in range(12)})
    pairs = [(m.ids[k], e.ids[k]) for k in range(12)] + [
        (m.ids[k], e.ids[(k + 1) % 12]) for k in range(12)
    ]
    fb = rm.synthetic.feedback(
        m, e, pairs, weights={"preference": 1.0}, noise=0.0, preferences=prefs, rng=0
    )
    rated = {(r["mentor"], r["mentee"]): r["mentee_rating"] for r in fb.to_records()}
    # with the preference term alone and no noise: first choices rate above the others
    assert min(rated[(m.ids[k], e.ids[k])] for k in range(12)) > max(
        rated[(m.ids[k], e.ids[(k + 1) % 12])] for k in range(12)
    )
