"""Programmes as plain data and files: ``to_dict``/``from_dict``, TOML, JSON, ``save``/``load``,
the errors a hand-written file meets, and the TOML writer (:mod:`rm_match._toml`).

Every rule and goal kind goes round every path with parameters away from their defaults;
every misspelling, unknown kind and wrong type is a :class:`~rm_match.ValidationError` that
names it (never a TypeError or KeyError); the writer is checked by hand on awkward data and
by a hypothesis round trip through :mod:`tomllib`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import math
import textwrap
import tomllib
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rm_match import Programme, ValidationError, goals, rules
from rm_match._toml import dumps
from rm_match.programme import GOAL_KINDS, PROGRAMME_KEYS, RULE_KINDS

# -- every kind, every parameter away from its default -----------------------------------------

RULES = [
    rules.CrossDepartment(),
    rules.NoReportingLine(depth=3),
    rules.SeniorityDirection(min_gap=-1),
    rules.MaxTimezoneDiff(hours=2.5),
    rules.CommonLanguage(),
    rules.SameGroup("home office"),
    rules.ForbiddenPairs([("M1", "E2"), (3, 4)]),
    rules.RequiredPairs([("M 1", 'E"2\\n'), ("Łukasz", "ß")]),
    rules.ExcludePrevious([("M1", "E1"), ("M2", "E2")]),
    rules.Vetoes(),
    rules.MutuallyAcceptable(),
]

GOALS = [
    goals.Share(cross="gender", at_least=0.4, at_most=0.9),
    goals.Share(same="region", at_least=Fraction(1, 3)),
    goals.Share(cross="generation", at_most=Fraction(1, 2)),
    goals.Count(cross="generation", at_least=5, at_most=20),
    goals.Count(same="office", at_most=3),
    goals.Count(at_least=10),
    goals.Coverage("division", k=3, exclude_own=False),
    goals.Spread("gender", at_most=4, symmetric=False),
    goals.Spread("department", at_most_share=0.25),
    goals.Representation(
        "gender", side="mentee", floor={"F": 0.3, "non-binary": Fraction(1, 7), "x y.z": 0}
    ),
    goals.Representation("generation", floor=1e-9),
    goals.EveryoneMatched(side="mentor"),
    goals.MinPairScore(weight=10.0),
    goals.MinPairScore(weight=Fraction(1, 3)),
    goals.MinPairScore(),
]

FULL = Programme(
    rules=RULES,
    goals=GOALS,
    weights={"learning": 1.0, "diversity": 0.25, "timezone": 0.1},
    skill_weights={"ai_tools": 2.0, "stakeholder mgmt": 0.5, "data.literacy": 0.0},
    reverse_weight=0.3,
    diversity_attributes=["gender", "generation"],
    learning_norm="wants",
)


def _round_trips(p: Programme, tmp_path) -> list[Programme]:
    """``p`` through every path: dict, JSON text of the dict, TOML, JSON, and files."""
    out = [
        Programme.from_dict(p.to_dict()),
        Programme.from_dict(json.loads(json.dumps(p.to_dict(), allow_nan=False))),
        Programme.from_dict(tomllib.loads(dumps(p.to_dict()))),
        Programme.from_toml(p.to_toml()),
        Programme.from_json(p.to_json()),
    ]
    for name in ("p.toml", "p.json", "P.TOML"):
        p.save(tmp_path / name)
        out.append(Programme.load(tmp_path / name))
        out.append(Programme.load(str(tmp_path / name)))
    return out


def _plain(x) -> bool:
    """Only str, int, float, bool, list and dict (str keys) all the way down."""
    if isinstance(x, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in x.items())
    if isinstance(x, list):
        return all(_plain(v) for v in x)
    return type(x) in (str, int, float, bool)


def test_every_kind_has_a_case():
    assert {rules_kind(r) for r in RULES} == set(RULE_KINDS)
    assert {g.kind for g in GOALS} == set(GOAL_KINDS)
    # and every parameter of every kind is set away from its default somewhere
    for cls, cases in [(type(r), RULES) for r in RULES] + [(type(g), GOALS) for g in GOALS]:
        for f in dataclasses.fields(cls):
            if f.name == "pairs" and issubclass(cls, goals.Goal):
                continue  # a mask: code only, cannot be saved
            assert any(type(c) is cls and getattr(c, f.name) != f.default for c in cases), (
                cls.__name__,
                f.name,
            )


def rules_kind(rule: rules.Rule) -> str:
    return next(k for k, c in RULE_KINDS.items() if c is type(rule))


@pytest.mark.parametrize("item", RULES + GOALS, ids=repr)
def test_round_trip_each_kind(item, tmp_path):
    p = (
        Programme(rules=[item])
        if isinstance(item, rules.Rule)
        else Programme(goals=[item], reverse_weight=2, learning_norm="wants")
    )
    assert _plain(p.to_dict())
    for q in _round_trips(p, tmp_path):
        assert q == p
        assert [type(x) for x in (*q.rules, *q.goals)] == [type(item)]


def test_round_trip_full_programme(tmp_path):
    d = FULL.to_dict()
    assert _plain(d)
    assert set(d) == set(PROGRAMME_KEYS)
    assert d["rules"][6] == {"rule": "forbidden_pairs", "pairs": [["M1", "E2"], [3, 4]]}
    assert d["goals"][1]["at_least"] == "1/3"  # an exact share no float holds, as text
    assert d["goals"][2]["at_most"] == 0.5  # one a float holds, as the float
    for q in _round_trips(FULL, tmp_path):
        assert q == FULL
        assert q.rule_names == FULL.rule_names
        assert [g.name for g in q.goals] == [g.name for g in FULL.goals]


def test_empty_programme_and_omitted_defaults():
    assert Programme.from_dict({}) == Programme()
    assert Programme.from_toml("") == Programme()
    assert Programme.from_json("{}") == Programme()
    assert Programme.from_dict(Programme().to_dict()) == Programme()
    p = Programme.from_dict(
        {
            "rules": [{"rule": "no_reporting_line"}, {"rule": "max_timezone_diff"}],
            "goals": [{"goal": "coverage"}, {"goal": "spread", "at_most": 2}],
        }
    )
    assert p == Programme(
        rules=[rules.NoReportingLine(), rules.MaxTimezoneDiff()],
        goals=[goals.Coverage(), goals.Spread(at_most=2)],
    )
    # defaults and nulls written out are accepted too
    assert Programme.from_json(
        '{"weights": null, "skill_weights": null, "rules": null, "goals": [{"goal": "share", '
        '"cross": "gender", "same": null, "at_least": 0.5, "at_most": null}], '
        '"reverse_weight": 0.5, "learning_norm": "skills", "diversity_attributes": []}'
    ) == Programme(goals=[goals.Share(cross="gender", at_least=0.5)], learning_norm="skills")


def test_none_versus_explicit_weights():
    # weights=None (defaults, dropping terms without data) is not the explicit defaults
    assert "weights" not in Programme().to_dict()
    p = Programme(weights={"learning": 1.0}, skill_weights={})
    assert Programme.from_toml(p.to_toml()) == p
    assert Programme.from_toml(p.to_toml()).skill_weights == {}


def test_shares_as_fraction_text_are_exact():
    p = Programme.from_toml('[[goals]]\ngoal = "share"\ncross = "gender"\nat_least = "2/7"\n')
    assert p.goals[0] == goals.Share(cross="gender", at_least=Fraction(2, 7))
    q = Programme.from_dict({"goals": [{"goal": "representation", "floor": {"F": " 1/3 "}}]})
    assert q.goals[0].floor == {"F": Fraction(1, 3)}
    r = Programme.from_dict({"goals": [{"goal": "count", "at_least": "3"}]})
    assert r.goals[0] == goals.Count(at_least=3) and type(r.goals[0].at_least) is int


def test_docstring_example_is_a_programme_file():
    doc = Programme.__doc__
    assert doc is not None
    block = doc.split("same keys and values)::\n", 1)[1].split("\n    Each ``[[rules]]``")[0]
    p = Programme.from_toml(textwrap.dedent(block))
    assert p.rule_names == ("cross_department", "no_reporting_line", "forbidden_pairs")
    assert [g.name for g in p.goals] == ["share_cross_gender", "representation_gender"]
    assert p.goals[1].floor == {"F": 0.3}
    assert p.skill_weights == {"ai_tools": 2.0, "stakeholder management": 0.5}
    assert p.learning_norm == "wants"


def test_toml_reads_like_the_notes():
    text = Programme(
        rules=[rules.NoReportingLine(depth=1)],
        goals=[goals.Representation("gender", floor={"F": 0.3})],
    ).to_toml()
    assert '[[rules]]\nrule = "no_reporting_line"\ndepth = 1\n' in text
    assert '[[goals]]\ngoal = "representation"\ngroups = "gender"\nside = "mentor"\n' in text
    assert "[goals.floor]\nF = 0.3\n" in text


# -- errors --------------------------------------------------------------------------------


def _raises(data, match: str, argument: str | None = None) -> ValidationError:
    with pytest.raises(ValidationError, match=match) as info:
        Programme.from_dict(data)
    if argument is not None:
        assert info.value.argument == argument
    return info.value


def test_unknown_top_level_key():
    e = _raises({"rule": []}, r"unknown key 'rule' in the programme \(did you mean 'rules'\?\)")
    assert e.argument == "rule"
    for k in PROGRAMME_KEYS:
        assert repr(k) in str(e)
    _raises({"reverse_wieght": 1}, "did you mean 'reverse_weight'", "reverse_wieght")
    _raises({"colour": 1}, r"unknown key 'colour' in the programme; the valid keys", "colour")
    _raises({"programme": {}}, "pass the programme's own table", "programme")


def test_unknown_kinds():
    e = _raises(
        {"rules": [{"rule": "cross_departments"}]},
        r"`rules\[0\]`: unknown rule kind 'cross_departments' \(did you mean "
        r"'cross_department'\?\); the kinds are",
        "rules[0].rule",
    )
    assert all(repr(k) in str(e) for k in RULE_KINDS)
    e = _raises(
        {"goals": [{"goal": "share", "cross": "g", "at_least": 0.1}, {"goal": "quota"}]},
        r"`goals\[1\]`: unknown goal kind 'quota'; the kinds are",
        "goals[1].goal",
    )
    assert all(repr(k) in str(e) for k in GOAL_KINDS)
    _raises({"rules": [{"rule": 3}]}, "unknown rule kind 3", "rules[0].rule")


def test_misspelt_parameters():
    _raises(
        {"rules": [{"rule": "no_reporting_line", "detph": 2}]},
        r"`rules\[0\]`: unknown parameter 'detph' of rule no_reporting_line "
        r"\(did you mean 'depth'\?\); its parameters are \['depth'\]",
        "rules[0].detph",
    )
    _raises(
        {"goals": [{"goal": "share", "cross": "gender", "at_leats": 0.4}]},
        r"unknown parameter 'at_leats' of goal share \(did you mean 'at_least'\?\); its "
        r"parameters are \['cross', 'same', 'at_least', 'at_most'\]",
        "goals[0].at_leats",
    )
    _raises(
        {"rules": [{"rule": "cross_department", "depth": 2}]},
        "unknown parameter 'depth' of rule cross_department; it takes no parameters",
        "rules[0].depth",
    )


def test_missing_kind_and_required_parameter():
    _raises({"rules": [{"depth": 2}]}, r"`rules\[0\]` has no `rule` key: name its kind", "rules[0]")
    _raises({"goals": [{"k": 2}]}, r"`goals\[0\]` has no `goal` key", "goals[0]")
    _raises(
        {"rules": [{"rule": "same_group"}]},
        r"`rules\[0\]`: rule same_group needs the parameter 'attribute'",
        "rules[0].attribute",
    )


def test_wrong_types():
    _raises([("rules", [])], "a programme must be a table", "programme")
    _raises({"rules": "cross_department"}, "`rules` must be a list of tables", "rules")
    _raises({"rules": {"rule": "cross_department"}}, "got one table", "rules")
    _raises({"goals": 3}, "`goals` must be a list of tables", "goals")
    _raises(
        {"rules": ["cross_department"]},
        r"`rules\[0\]` must be a table with a `rule` key naming its kind; got 'cross_department'",
        "rules[0]",
    )
    _raises({"goals": [[("goal", "share")]]}, r"`goals\[0\]` must be a table", "goals[0]")
    _raises(
        {"goals": [{"goal": "coverage", "groups": [[0, 1], [1, 0]]}]},
        r"`goals\[0\].groups` of goal coverage must be an attribute name",
        "goals[0].groups",
    )
    _raises(
        {"goals": [{"goal": "share", "pairs": [[True]], "at_least": 0.1}]},
        r"goal share takes `pairs` \(a boolean mask\) in code only.*cross = \"gender\"",
        "goals[0].pairs",
    )
    _raises(
        {"goals": [{"goal": "share", "cross": "g", "at_least": "most"}]},
        r"`goals\[0\].at_least` must be a number, or a fraction in text",
        "goals[0].at_least",
    )
    _raises(
        {"rules": [{"rule": "forbidden_pairs", "pairs": [["m1", 1.5]]}]},
        r"participant ids must be strings or integers; got float",
        "rules[0].pairs",
    )


def test_values_the_rule_or_programme_rejects_propagate():
    _raises(
        {"rules": [{"rule": "no_reporting_line", "depth": 0}]},
        "`depth` of no_reporting_line must be an integer ≥ 1",
        "depth",
    )
    _raises({"rules": [{"rule": "forbidden_pairs", "pairs": [["m1"]]}]}, "entry 0 is not")
    _raises({"goals": [{"goal": "spread"}]}, "Spread needs exactly one of")
    _raises({"weights": {"learnin": 1.0}}, "unknown score term 'learnin'", "weights")
    _raises({"learning_norm": "want"}, "`learning_norm` must be one of", "learning_norm")
    _raises({"reverse_weight": "0.5"}, "`reverse_weight` must be a finite number", None)


_ODD_VALUES = [
    "x",
    "",
    [1, 2],
    [[1, 2], [3]],
    [["a", "b", "c"]],
    {"a": 1},
    dt.date(2020, 1, 1),
    True,
    -1,
    1.5,
    math.inf,
    None,
    [{"x": None}],
]


@pytest.mark.parametrize(
    ("kind_key", "kind", "param"),
    [("rule", k, p) for k, c in RULE_KINDS.items() for p in [f.name for f in dataclasses.fields(c)]]
    + [("goal", k, f.name) for k, c in GOAL_KINDS.items() for f in dataclasses.fields(c)],
)
def test_odd_values_are_never_a_type_error(kind_key, kind, param):
    for value in _ODD_VALUES:
        entry = {kind_key: kind, param: value}
        if kind == "same_group" and param != "attribute":
            entry["attribute"] = "region"
        with contextlib.suppress(ValidationError):  # anything else fails the test
            Programme.from_dict({f"{kind_key}s": [entry]})


def test_malformed_toml_and_json():
    with pytest.raises(ValidationError, match=r"malformed TOML: .*line 3") as info:
        Programme.from_toml('reverse_weight = 0.5\n\n[[rules]\nrule = "x"\n')
    assert info.value.row == 3 and info.value.argument == "text"
    with pytest.raises(ValidationError, match=r"malformed JSON at line 2, column \d+: ") as info:
        Programme.from_json('{"reverse_weight": 0.5,\n "rules": [}')
    assert info.value.row == 2
    with pytest.raises(ValidationError, match=r"must be a TOML document as a str \(decode it"):
        Programme.from_toml(b"reverse_weight = 1")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="a programme must be a table"):
        Programme.from_json("[1, 2]")


def test_cannot_save_arrays():
    mask = np.ones((2, 2), dtype=bool)
    codes = (np.array([0, 1]), np.array([1, 0]))
    cases = [
        (goals.Share(pairs=mask, at_least=0.5), "share_pairs", "pairs"),
        (goals.Count(pairs=mask, at_least=1), "count_pairs", "pairs"),
        (goals.Share(cross=codes, at_least=0.5), "share_cross", "cross"),
        (goals.Coverage(groups=codes, k=1), "coverage", "groups"),
        (goals.Representation(groups=codes), "representation", "groups"),
    ]
    for goal, name, param in cases:
        p = Programme(goals=[goals.Count(at_least=1), goal])
        for write in (p.to_dict, p.to_toml, p.to_json):
            with pytest.raises(
                ValidationError,
                match=rf"goal {name} cannot be saved: its `{param}`.*use an attribute name",
            ) as info:
                write()
            assert info.value.argument == f"goals[1].{param}"


def test_cannot_save_other_things(tmp_path):
    class MyRule(rules.CrossDepartment):
        pass

    with pytest.raises(ValidationError, match=r"`rules\[0\]` cannot be saved: a MyRule"):
        Programme(rules=[MyRule()]).to_dict()
    with pytest.raises(ValidationError, match="participant ids must be str or int; got tuple"):
        Programme(rules=[rules.ForbiddenPairs([(("a", 1), "e")])]).to_dict()
    with pytest.raises(ValidationError, match="keys it by group labels as strings; got a int"):
        Programme(goals=[goals.Representation("grade", floor={3: 0.2})]).to_dict()
    with pytest.raises(ValidationError, match="skill names must be strings"):
        Programme(skill_weights={1: 2.0}).to_dict()
    with pytest.raises(ValidationError, match="that no float holds exactly"):
        Programme(rules=[rules.MaxTimezoneDiff(hours=Fraction(1, 3))]).to_dict()
    # a numpy scalar is written as the plain number it is
    p = Programme(rules=[rules.SeniorityDirection(min_gap=np.int64(2))])
    assert p.to_dict()["rules"] == [{"rule": "seniority_direction", "min_gap": 2}]
    assert type(p.to_dict()["rules"][0]["min_gap"]) is int


def test_file_suffix_and_file_errors(tmp_path):
    p = Programme(rules=[rules.CrossDepartment()])
    for name in ("p.yaml", "p"):
        with pytest.raises(ValidationError, match=r"`path` must end in \.toml or \.json") as info:
            p.save(tmp_path / name)
        assert info.value.argument == "path"
        assert not (tmp_path / name).exists()
        with pytest.raises(ValidationError, match=r"`path` must end in \.toml or \.json"):
            Programme.load(tmp_path / name)
    with pytest.raises(ValidationError, match="`path` must be a file path"):
        Programme.load(3)  # type: ignore[arg-type]
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rules]]\nrule = "no_reporting_line"\ndetph = 2\n', encoding="utf-8")
    with pytest.raises(ValidationError, match=r"bad.toml: `rules\[0\]`: unknown parameter") as info:
        Programme.load(bad)
    assert info.value.file == str(bad) and info.value.argument == "rules[0].detph"
    broken = tmp_path / "broken.json"
    broken.write_text("{\n\n  nope\n}", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"broken.json: malformed JSON at line 3") as info:
        Programme.load(broken)
    assert info.value.row == 3 and info.value.file == str(broken)
    latin = tmp_path / "latin.toml"
    latin.write_bytes("reverse_weight = 1 # é\n".encode("latin-1"))
    with pytest.raises(ValidationError, match="not UTF-8"):
        Programme.load(latin)
    with pytest.raises(FileNotFoundError):
        Programme.load(tmp_path / "missing.toml")
    # a programme that cannot be saved leaves no file behind
    with pytest.raises(ValidationError):
        Programme(goals=[goals.Share(pairs=np.ones((1, 1), bool), at_least=0.1)]).save(
            tmp_path / "no.toml"
        )
    assert not (tmp_path / "no.toml").exists()


# -- the TOML writer ------------------------------------------------------------------------

AWKWARD = {
    "plain": "text",
    'quote " and \\ backslash': 'say "hi" \\ C:\\path\\',
    "multi\nline key": "line one\nline two\r\n\ttabbed\b\f\x00\x1f\x7f end",
    "unicode": "Zürich — 東京 — 🙂 — \u2028\u00a0",
    "a.b": {"c d": {"": "empty key", "e.f": [1, 2.5, -0.0]}},
    "ints": [0, -1, 2**63 - 1, -(2**63)],
    "floats": [1e-9, 0.1, 1.0, -2.5e300, 5e-324, 1e16, 123456.789],
    "bools": [True, False],
    "empty_list": [],
    "empty_table": {},
    "nested_lists": [[1, [2, [3, []]]], ["a", ["b"]]],
    "mixed": [1, "two", 3.0, True, [4], {"five": 5}],
    "tables_in_lists": [[{"x": 1}, {"y": [{"z": 2}]}]],
    "rules": [
        {"rule": "forbidden_pairs", "pairs": [["M1", "E1"], [2, 3]]},
        {"rule": "no_reporting_line", "depth": 2, "sub": {"deep": {"er": True}}},
        {},
        {"inner": [{"a": 1}, {"a": 2, "b": [{"c": "d"}]}]},
    ],
    "long": [f"item number {i}" for i in range(40)],
    "long_tables_inline": [[{"k": i} for i in range(30)]],
}


def test_toml_writer_awkward_data():
    text = dumps(AWKWARD)
    assert tomllib.loads(text) == AWKWARD
    assert '"a.b"' in text and "[[rules]]" in text
    assert "\n    " in text  # the long list is written one item a line


@pytest.mark.parametrize(
    "x",
    [1e-9, 0.1, 1 / 3, -0.0, 2.0**-1074, 1.7976931348623157e308, 10.0**22, 123.0],
)
def test_toml_writer_floats_exact(x):
    back = tomllib.loads(dumps({"x": x}))["x"]
    assert back == x and type(back) is float
    assert math.copysign(1, back) == math.copysign(1, x)


def test_toml_writer_non_finite_floats():
    back = tomllib.loads(dumps({"a": math.inf, "b": -math.inf, "c": math.nan}))
    assert back["a"] == math.inf and back["b"] == -math.inf and math.isnan(back["c"])


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"a": None}, r"cannot write a as TOML: NoneType is not a TOML value"),
        ({"a": [1, None]}, r"cannot write a\[1\] as TOML: NoneType"),
        ({"a": dt.date(2020, 1, 1)}, "date is not a TOML value"),
        ({"a": 2**63}, "outside TOML's 64-bit range"),
        ({"a": {1: 2}}, "keys must be strings; got int"),
        ({"a": "\ud800"}, "lone surrogate"),
        ({"a": np.float32(1.5)}, "float32 is not a TOML value"),
        ([1, 2], "a document must be a table"),
    ],
)
def test_toml_writer_refuses(data, match):
    with pytest.raises(ValidationError, match=match):
        dumps(data)


_keys = st.text(max_size=8)
_scalars = (
    st.text(max_size=12)
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.booleans()
)
_values = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_keys, children, max_size=4),
    max_leaves=10,
)
# lists of tables (arrays of tables) are drawn on purpose: they are rare among random lists
_documents = st.recursive(
    st.dictionaries(_keys, _values, max_size=5),
    lambda tables: st.dictionaries(
        _keys, tables | st.lists(tables, min_size=1, max_size=3) | _values, max_size=4
    ),
    max_leaves=4,
)


@settings(max_examples=100, deadline=None)
@given(_documents)
def test_toml_writer_round_trip(doc):
    assert tomllib.loads(dumps(doc)) == doc
