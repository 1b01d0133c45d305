"""Reading tables into People: read_people, read_cohort, Columns, SkillVocabulary."""

import csv
import datetime
import re
import warnings

import numpy as np
import pytest

from rm_match.errors import DataWarning, TableError, ValidationError
from rm_match.io.read import Columns, Intake, Roster, SkillVocabulary, read_cohort, read_people

DAY = datetime.date(2025, 1, 15)
SKILLS = SkillVocabulary(
    ["ai_tools", "data_literacy", "strategy"],
    aliases={"ai_tools": ["GenAI (ChatGPT)"], "data_literacy": ["Data (Excel, SQL)"]},
)
FULL = Columns(
    id="Email",
    department="Dept",
    grade="Grade",
    manager="Manager",
    languages="Languages",
    timezone="TZ",
    interests="Interests",
    capacity="Cap",
    offers="Offers",
    wants={"strategy": "Wants strategy", "ai_tools": "Wants AI"},
    generation="Born",
    attributes={"gender": "Gender"},
    carry=["Name", "Email"],
)
HEADER = [
    "Email",
    "Name",
    "Dept",
    "Grade",
    "Manager",
    "Languages",
    "TZ",
    "Interests",
    "Cap",
    "Offers",
    "Wants strategy",
    "Wants AI",
    "Born",
    "Gender",
]
RECORDS = [
    ["ana@x.org", "Ana", "IT", "3", "", "English; German", "Europe/Berlin", "jazz, chess", "2",
     "GenAI (ChatGPT), Data (Excel, SQL)", "0.5", "", "1990", "F"],
    ["bo@x.org", "Bo", "Sales", "5", "ana@x.org", "English", "UTC-5", "", "",
     "strategy", "", "1", "1975", ""],
    ["cy@x.org", "Cy", "", "", "", "", "", "cycling", "1", "", "0", "0.25", "", "X"],
]  # fmt: skip


def as_mapping(header=HEADER, records=RECORDS):
    return {h: [r[j] for r in records] for j, h in enumerate(header)}


def write_csv(path, header=HEADER, records=RECORDS):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(records)
    return path


def read(source, columns=FULL, **options):
    options.setdefault("skills", SKILLS)
    options.setdefault("reference_date", DAY)
    return read_people(source, columns, **options)


def problem(source, columns=FULL, **options):
    """The single problem a read raises (with errors='collect', to check it is the only one)."""
    with pytest.raises(TableError) as info:
        read(source, columns, errors="collect", **options)
    assert len(info.value.problems) == 1, info.value
    return info.value.problems[0]


def same_people(a, b):
    assert a.ids.tolist() == b.ids.tolist() and a.skills == b.skills
    np.testing.assert_array_equal(a.offers, b.offers)
    np.testing.assert_array_equal(a.wants, b.wants)
    np.testing.assert_array_equal(a.capacity, b.capacity)
    for f in ("department", "grade", "manager", "languages", "interests"):
        x, y = getattr(a, f), getattr(b, f)
        assert (x is None) == (y is None), f
        if x is not None:
            assert list(x) == list(y), f
    np.testing.assert_array_equal(a.timezone, b.timezone)  # NaN where missing, in both
    assert {k: list(v) for k, v in a.attributes.items()} == {
        k: list(v) for k, v in b.attributes.items()
    }


# -- the happy path ------------------------------------------------------------------------------


def test_every_field(tmp_path):
    roster = read(write_csv(tmp_path / "m.csv"))
    p = roster.people
    assert p.ids.tolist() == ["ana@x.org", "bo@x.org", "cy@x.org"]
    assert p.department.tolist() == ["IT", "Sales", None]
    assert p.known("grade").tolist() == [True, True, False] and p.grade[:2].tolist() == [3, 5]
    assert p.manager.tolist() == [None, "ana@x.org", None]
    assert p.languages == (frozenset({"English", "German"}), frozenset({"English"}), frozenset())
    assert p.interests == (frozenset({"jazz", "chess"}), frozenset(), frozenset({"cycling"}))
    np.testing.assert_array_equal(p.timezone, [1.0, -5.0, np.nan])
    assert p.capacity.tolist() == [2, 1, 1]
    assert p.offers.tolist() == [[1, 1, 0], [0, 0, 1], [0, 0, 0]]
    assert p.wants.tolist() == [[0, 0, 0.5], [1, 0, 0], [0.25, 0, 0]]
    assert p.attributes["generation"].tolist() == ["Millennial", "Gen X", None]
    assert p.attributes["gender"].tolist() == ["F", None, "X"]
    assert roster.rows == {"ana@x.org": 2, "bo@x.org": 3, "cy@x.org": 4}
    assert dict(roster.carry["bo@x.org"]) == {"Name": "Bo", "Email": "bo@x.org"}
    assert list(roster.carry) == p.ids.tolist() and len(roster.carry) == 3
    assert roster.warnings == () and len(roster) == 3
    assert isinstance(roster, Roster)


def test_repr_has_no_personal_values(tmp_path):
    roster = read(write_csv(tmp_path / "m.csv"))
    text = repr(roster) + repr(roster.carry)
    assert "Ana" not in text and "Sales" not in text and "['Name', 'Email']" in text


@pytest.mark.parametrize("kind", ["mapping", "pandas", "polars", "pyarrow"])
def test_csv_round_trip_equals_the_frame(tmp_path, kind):
    """A CSV written from a table reads into the same People as the table itself."""
    data = as_mapping()
    if kind == "pandas":
        source = pytest.importorskip("pandas").DataFrame(data)
    elif kind == "polars":
        source = pytest.importorskip("polars").DataFrame(data)
    elif kind == "pyarrow":
        source = pytest.importorskip("pyarrow").table(data)
    else:
        source = data
    from_frame = read(source)
    from_csv = read(write_csv(tmp_path / "m.csv"))
    same_people(from_frame.people, from_csv.people)
    assert list(from_frame.rows.values()) == [0, 1, 2]  # positions in a frame


def test_typed_frame_equals_text(tmp_path):
    """Numbers, NaN and None in a DataFrame read like their text in a CSV."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "id": [101, 102, 103],
            "boss": [np.nan, 101.0, 101.0],
            "grade": pd.array([3, None, 5], dtype="Int64"),
            "tz": [1.0, np.nan, -5.0],
            "cap": [2.0, np.nan, 0.0],
            "lik": [1.0, 5.0, None],
            "born": [pd.Timestamp("1990-05-01"), pd.NaT, pd.Timestamp("2000-01-01")],
            "office": pd.array(["B1", pd.NA, "b1"], dtype="string"),
        }
    )
    cols = Columns(
        id="id",
        manager="boss",
        grade="grade",
        timezone="tz",
        capacity="cap",
        wants={"strategy": "lik"},
        generation="born",
        attributes={"office": "office"},
    )
    with pytest.warns(DataWarning, match="attribute 'office'"):
        p = read(frame, cols, levels=(1, 5)).people
    assert p.ids.tolist() == [101, 102, 103] and p.manager.tolist() == [None, 101, 101]
    assert p.known("grade").tolist() == [True, False, True]
    np.testing.assert_array_equal(p.timezone, [1.0, np.nan, -5.0])
    assert p.capacity.tolist() == [2, 1, 0]
    assert p.wants[:, 2].tolist() == [0.0, 1.0, 0.0]
    assert p.attributes["generation"].tolist() == ["Millennial", None, "Gen Z"]
    assert p.attributes["office"].tolist() == ["B1", None, "B1"]


@pytest.mark.parametrize("kind", ["csv", "pandas", "polars", "pyarrow"])
def test_missing_value_forms(tmp_path, kind):
    cells = ["", "  ", "NA", "n/a", "#N/A", "null", "None", "NaN"]
    n = len(cells)
    data = {"id": [f"p{i}" for i in range(n)], "dept": cells, "langs": cells, "tz": cells}
    if kind == "csv":
        path = tmp_path / "m.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(list(data))
            w.writerows(zip(*data.values(), strict=True))
        source = path
    else:
        # frames hold their own missing markers: None / NaN / null next to the texts
        data["dept"] = [None, np.nan, *cells[2:]]
        data["tz"] = [None] * n
        if kind == "pandas":
            pd = pytest.importorskip("pandas")
            source = pd.DataFrame(data).astype({"langs": "string"})
            source.loc[0, "langs"] = pd.NA
        elif kind == "polars":
            pl = pytest.importorskip("polars")
            data["dept"] = [None, *cells[1:]]
            source = pl.DataFrame(data)
        else:
            pa = pytest.importorskip("pyarrow")
            data["dept"] = [None, *cells[1:]]
            source = pa.table(data)
    cols = Columns(id="id", department="dept", languages="langs", timezone="tz")
    p = read(source, cols).people
    assert p.department.tolist() == [None] * n
    assert p.languages == (frozenset(),) * n
    assert np.isnan(p.timezone).all()


def test_custom_na_values():
    data = {"id": ["a", "b"], "dept": ["-", "NA"]}
    p = read(data, Columns(id="id", department="dept"), na_values=["-"]).people
    assert p.department.tolist() == [None, "NA"]  # "NA" is a label now (e.g. North America)


def test_ids_stripped_and_normalised():
    data = {"id": ["  ana@x.org\u00a0", "ｂｏ@x.org"], "boss": [None, " ana@x.org "]}
    p = read(data, Columns(id="id", manager="boss")).people
    assert p.ids.tolist() == ["ana@x.org", "bo@x.org"] and p.manager.tolist() == [None, "ana@x.org"]


def test_separator_option():
    data = {"id": ["a"], "langs": ["English, UK / German"]}
    cols = Columns(id="id", languages="langs")
    assert read(data, cols, separator="/").people.languages == (
        frozenset({"English, UK", "German"}),
    )
    assert read(data, cols).people.languages == (frozenset({"English", "UK / German"}),)


def test_list_cells_in_a_frame():
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame({"id": ["a", "b"], "langs": [["English", "german"], None]})
    p = read(frame, Columns(id="id", languages="langs")).people
    assert p.languages == (frozenset({"English", "german"}), frozenset())


def test_likert_levels():
    data = {"id": list("abcd"), "ai": ["1", "3", 5, ""]}
    p = read(data, Columns(id="id", offers={"AI tools": "ai"}), levels=(1, 5)).people
    assert p.offers[:, 0].tolist() == [0.0, 0.5, 1.0, 0.0]


def test_grade_bands():
    data = {"id": list("abcd"), "band": ["E1", " e2 ", "Senior  Manager", None]}
    bands = {"E1": 1, "E2": 2, "senior manager": 5}
    p = read(data, Columns(id="id", grade="band"), grade_map=bands).people
    assert p.grade[:3].tolist() == [1, 2, 5] and not p.known("grade")[3]


def test_unknown_skills_ignored_with_a_warning():
    data = {"id": ["a", "b"], "skills": ["AI tools, knitting", "Cooking; strategy"]}
    with pytest.warns(DataWarning, match=r"2 unknown skill name\(s\) in column 'skills'") as rec:
        r = read(data, Columns(id="id", offers="skills"), unknown_skills="ignore")
    assert r.people.offers.tolist() == [[1, 0, 0], [0, 0, 1]]
    assert "positions 0, 1" in str(rec[0].message) and r.warnings == (str(rec[0].message),)


def test_dst_warning_names_the_date_used():
    data = {"id": ["a", "b"], "tz": ["Europe/Berlin", "UTC+1"]}
    with pytest.warns(DataWarning, match=r"converted at today's date, \d{4}-\d\d-\d\d"):
        read_people(data, Columns(id="id", timezone="tz"), skills=SKILLS)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_people(data, Columns(id="id", timezone="tz"), skills=SKILLS, reference_date=DAY)
        fixed = {"id": ["a"], "tz": ["UTC+1"]}
        read_people(fixed, Columns(id="id", timezone="tz"), skills=SKILLS)  # no DST: no date


def test_time_zones_at_two_reference_dates():
    data = {"id": ["a", "b", "c"], "tz": ["Europe/Berlin", "CET", "America/New_York"]}
    cols = Columns(id="id", timezone="tz")
    winter = read(data, cols, reference_date=datetime.date(2025, 1, 10)).people.timezone
    summer = read(data, cols, reference_date=datetime.date(2025, 7, 10)).people.timezone
    assert winter.tolist() == [1.0, 1.0, -5.0] and summer.tolist() == [2.0, 2.0, -4.0]


def test_empty_table(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("Email,Dept\n", encoding="utf-8")
    r = read(path, Columns(id="Email", department="Dept"))
    assert r.people.n == 0 and r.people.department.tolist() == []


def test_excel_source(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    for rec in RECORDS:
        wb.active.append([None if c == "" else c for c in rec])
    wb.active.cell(row=2, column=4, value=3)  # a number cell
    path = tmp_path / "m.xlsx"
    wb.save(path)
    same_people(read(path).people, read(write_csv(tmp_path / "m.csv")).people)


# -- normalisation and its warnings --------------------------------------------------------------


def test_case_variants_merge_with_a_warning_that_shows_no_label():
    data = {"id": list("abcde"), "dept": ["Sales", "IT", "SALES", " it ", "it"]}
    with pytest.warns(DataWarning, match="2 label") as rec:
        r = read(data, Columns(id="id", department="dept"))
    assert r.people.department.tolist() == ["Sales", "IT", "Sales", "IT", "IT"]
    text = str(rec[0].message)
    assert "department (column 'dept')" in text and "4 spellings" in text
    assert "the other 2 spelling(s) first occur at <table> positions 2, 3." in text
    assert re.search(r"\b(it|sales)\b", text, re.IGNORECASE) is None  # no label, any spelling
    assert r.warnings == (text,)


def test_labels_normalised_jointly_across_sides(tmp_path):
    mentors = write_csv(tmp_path / "mentors.csv", ["id", "dept"], [["m1", "IT"], ["m2", "HR"]])
    mentees = write_csv(tmp_path / "mentees.csv", ["id", "dept"], [["e1", "hr"], ["e2", "it"]])
    with pytest.warns(DataWarning) as rec:
        intake = read_cohort(
            mentors, mentees, columns=Columns(id="id", department="dept"), skills=SKILLS
        )
    assert intake.mentors.people.department.tolist() == ["IT", "HR"]
    assert intake.mentees.people.department.tolist() == ["HR", "IT"]
    text = str(rec[0].message)
    assert text.endswith("first occur at " + str(tmp_path / "mentees.csv") + " rows 2, 3.")
    assert intake.warnings == (text,) == intake.mentors.warnings == intake.mentees.warnings


def test_manager_matched_ignoring_case_with_a_warning():
    data = {"id": ["Ana@X.org", "bo@x.org"], "boss": [None, "ana@x.org"]}
    with pytest.warns(DataWarning, match=r"1 manager reference\(s\) .* position 1\)"):
        p = read(data, Columns(id="id", manager="boss")).people
    assert p.manager.tolist() == [None, "Ana@X.org"]


# -- read_cohort ---------------------------------------------------------------------------------

MENTORS = {"id": ["m1", "m2"], "boss": ["e1", "ceo@x.org"], "dept": ["IT", "HR"]}
MENTEES = {"id": ["e1", "e2"], "boss": ["CEO@x.org", None], "dept": ["HR", "IT"]}
BOTH = Columns(id="id", manager="boss", department="dept")


def test_cohort_with_outside_managers():
    with pytest.warns(DataWarning, match="managers outside the programme"):
        intake = read_cohort(
            MENTORS, MENTEES, columns=BOTH, skills=SKILLS, unknown_managers="outside"
        )
    assert isinstance(intake, Intake)
    assert dict(intake.org_chart) == {"ceo@x.org": None}
    assert intake.mentees.people.manager.tolist() == ["ceo@x.org", None]
    assert intake.mentors.source == "<mentors table>"
    assert intake.reference_date == datetime.date.today()


def test_cohort_unknown_managers_are_errors_by_default():
    with pytest.raises(TableError) as info:
        read_cohort(MENTORS, MENTEES, columns=BOTH, skills=SKILLS, errors="collect")
    problems = info.value.problems
    assert [(p.file, p.row, p.column, p.participant) for p in problems] == [
        ("<mentors table>", 1, "boss", "m2"),
        ("<mentees table>", 0, "boss", "e1"),
    ]
    assert all("neither a mentor nor a mentee" in str(p) for p in problems)
    assert "the manager 'ceo@x.org' is neither" in str(problems[0])  # ids may be shown


def test_cohort_mentee_columns():
    mentees = {"ID": ["e1"], "Abteilung": ["it"]}
    with pytest.warns(DataWarning):
        intake = read_cohort(
            {"id": ["m1"], "dept": ["IT"]},
            mentees,
            columns=Columns(id="id", department="dept"),
            mentee_columns={"id": "ID", "department": "Abteilung"},
            skills=["ai_tools"],
            reference_date=DAY,
        )
    assert intake.mentees.people.department.tolist() == ["IT"]
    assert "column 'dept' of <mentors table>, column 'Abteilung'" in intake.warnings[0]


def test_person_on_both_lists(tmp_path):
    mentors = write_csv(tmp_path / "mentors.csv", ["id"], [["a"], ["b"]])
    mentees = write_csv(tmp_path / "mentees.csv", ["id"], [["c"], ["b"]])
    message = r"'b' is on both lists: .*mentors\.csv row 3 and .*mentees\.csv row 3"
    with pytest.raises(ValidationError, match=message) as info:
        read_cohort(mentors, mentees, columns=Columns(id="id"), skills=SKILLS)
    assert info.value.file == str(mentees) and info.value.row == 3


def test_cohort_missing_file_names_the_argument(tmp_path):
    with pytest.raises(ValidationError, match="`mentees`: no such file") as info:
        read_cohort(MENTORS, tmp_path / "gone.csv", columns=BOTH, skills=SKILLS)
    assert info.value.argument == "mentees"


# -- one test per problem kind -------------------------------------------------------------------


def test_missing_column_names_the_closest(tmp_path):
    path = write_csv(tmp_path / "m.csv")
    p = problem(path, Columns(id="Email", department="Department"))
    assert re.search(r"no column 'Department' \(`columns.department`\); closest: 'Dept'", str(p))
    assert (p.file, p.row, p.column, p.argument) == (str(path), None, "Department", "department")
    p = problem(path, Columns(id="email"))
    assert "closest: 'Email'" in str(p)


def test_missing_id():
    with pytest.raises(TableError) as info:
        read({"id": ["a", " ", None]}, Columns(id="id"), errors="collect")
    assert [(e.row, e.column, e.participant) for e in info.value.problems] == [
        (1, "id", None),
        (2, "id", None),
    ]
    assert "<table>, position 1, column 'id': missing id." in str(info.value)


def test_bad_id_type():
    p = problem({"id": ["a", 1.5]}, Columns(id="id"))
    assert re.search(r"position 1, column 'id': the id is not a valid id", str(p))


def test_duplicate_id_names_both_rows(tmp_path):
    path = write_csv(tmp_path / "m.csv", ["id"], [["a"], ["b"], ["a"]])
    p = problem(path, Columns(id="id"))
    assert "row 4, column 'id', participant 'a': duplicate id 'a' (row 2 and row 4)" in str(p)
    assert (p.row, p.participant) == (4, "a")


def test_own_manager(tmp_path):
    path = write_csv(tmp_path / "m.csv", ["id", "boss"], [["a", ""], ["b", "B"]])
    with pytest.warns(DataWarning):
        p = problem(path, Columns(id="id", manager="boss"))
    assert "participant 'b': the participant is their own manager" in str(p)
    assert (p.row, p.column, p.argument) == (3, "boss", "manager")


def test_non_integer_grade_shows_no_value(tmp_path):
    path = write_csv(tmp_path / "m.csv", ["id", "grade"], [["a", "3"], ["b", "senior"]])
    p = problem(path, Columns(id="id", grade="grade"))
    assert (
        "row 3, column 'grade', participant 'b': grade is not an integer (to read band labels, "
        "give `grade_map`, or [data.grade_map] in a programme file)" in str(p)
    )
    assert "senior" not in str(p) and (p.row, p.column, p.participant) == (3, "grade", "b")
    assert "grade is not an integer." in str(
        problem({"id": ["a"], "g": [2.5]}, Columns("id", grade="g"))
    )


def test_unknown_band_names_the_closest():
    p = problem(
        {"id": ["a"], "g": ["E7"]}, Columns(id="id", grade="g"), grade_map={"E1": 1, "E6": 6}
    )
    assert "unknown band 'E7' (not in `grade_map`); closest: 'E6'" in str(p)


def test_negative_capacity():
    p = problem({"id": ["a", "b"], "cap": ["2", "-1"]}, Columns(id="id", capacity="cap"))
    assert "participant 'b': capacity is negative" in str(p) and p.argument == "capacity"
    p = problem({"id": ["a"], "cap": ["two"]}, Columns(id="id", capacity="cap"))
    assert "capacity is not an integer" in str(p)


def test_unknown_skill_names_the_text_and_the_closest():
    p = problem({"id": ["a"], "s": ["AI tools, Stratgy"]}, Columns(id="id", offers="s"))
    assert "column 's', participant 'a': unknown skill 'Stratgy' (closest: 'strategy')" in str(p)
    assert p.argument == "offers"


def test_unknown_skill_in_level_columns_is_a_configuration_error():
    with pytest.raises(ValidationError, match=r"`columns\.wants` names the skill 'strat'"):
        read({"id": ["a"], "w": [1]}, Columns(id="id", wants={"strat": "w"}))


def test_one_skill_twice_in_level_columns():
    cols = Columns(id="id", offers={"strategy": "a", "Strategy": "b"})
    with pytest.raises(ValidationError, match="gives skill 'strategy' two columns, 'a' and 'b'"):
        read({"id": ["x"], "a": [1], "b": [1]}, cols)


def test_na_values_apply_to_whole_cells_not_to_items():
    data = {"id": ["a", "b"], "s": ["strategy; N/A", "N/A"], "langs": ["English; NA", " NA "]}
    p = problem(data, Columns(id="id", offers="s"))
    assert "participant 'a': unknown skill 'N/A' (no close match)" in str(p)
    p = read(data, Columns(id="id", languages="langs")).people
    assert p.languages == (frozenset({"English", "NA"}), frozenset())


def test_levels_out_of_range_and_not_numbers():
    cols = Columns(id="id", offers={"strategy": "lvl"})
    p = problem({"id": ["a", "b"], "lvl": ["0.5", "1.5"]}, cols)
    assert "participant 'b': level is outside [0, 1]" in str(p) and "1.5" not in str(p)
    p = problem({"id": ["a"], "lvl": ["0"]}, cols, levels=(1, 5))
    assert "level is outside [1, 5]" in str(p)
    p = problem({"id": ["a"], "lvl": ["high"]}, cols)
    assert "level is not a number" in str(p)


def test_unknown_time_zone_names_the_text_and_the_closest():
    p = problem({"id": ["a"], "tz": ["Europe/Pariss"]}, Columns(id="id", timezone="tz"))
    assert "unknown time zone 'Europe/Pariss'; closest known: 'Europe/Paris'" in str(p)
    assert (p.row, p.column, p.participant, p.argument) == (0, "tz", "a", "timezone")


def test_bad_birth_year():
    cols = Columns(id="id", generation="born")
    p = problem({"id": ["a"], "born": ["1890"]}, cols)
    assert "birth year is not a year from 1900 to 2025" in str(p) and "1890" not in str(p)
    p = problem({"id": ["a"], "born": ["last year"]}, cols)
    assert "birth year is not a year." in str(p)


def test_ragged_row(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("id,dept\na,IT\nb,Data, Analytics\n", encoding="utf-8")
    p = problem(path, Columns(id="id", department="dept"))
    assert "row 3, participant 'b' has cells beyond the header (an unquoted separator" in str(p)


def test_duplicate_column(tmp_path):
    path = write_csv(tmp_path / "m.csv", ["id", "x", "x"], [["a", "1", "2"]])
    p = problem(path, Columns(id="id", department="x"))
    assert "column 'x' appears more than once in the header" in str(p)


# -- raise and collect ---------------------------------------------------------------------------


def test_collect_lists_every_problem_sorted(tmp_path):
    path = write_csv(
        tmp_path / "m.csv",
        ["id", "grade", "tz", "cap"],
        [["a", "x", "UTC", "1"], ["", "1", "Mars/Base", "1"], ["c", "2", "UTC", "-3"]],
    )
    cols = Columns(id="id", grade="grade", timezone="tz", capacity="cap", department="Dept")
    with pytest.raises(TableError) as info:
        read(path, cols, errors="collect")
    problems = info.value.problems
    assert [(p.row, p.column) for p in problems] == [
        (None, "Dept"),
        (2, "grade"),
        (3, "id"),
        (3, "tz"),
        (4, "cap"),
    ]
    assert all(p.file == str(path) for p in problems)
    assert [p.participant for p in problems] == [None, "a", None, None, "c"]
    assert str(info.value).startswith(f"5 problem(s) reading {path}:")
    assert isinstance(info.value, ValidationError)


def test_raise_gives_the_first_problem_and_counts_the_rest(tmp_path):
    path = write_csv(tmp_path / "m.csv", ["id", "grade"], [["a", "x"], ["b", "y"], ["c", "1"]])
    message = (
        r"row 2.*\(1 more problem\(s\) in .*; to list them all: `errors=\"collect\"`, or leave "
        r"out `--errors raise` on the command line\)"
    )
    with pytest.raises(ValidationError, match=message) as info:
        read(path, Columns(id="id", grade="grade"))
    assert not isinstance(info.value, TableError)
    assert (info.value.row, info.value.column, info.value.participant) == (2, "grade", "a")


def test_collect_across_both_files(tmp_path):
    mentors = write_csv(tmp_path / "b_mentors.csv", ["id", "cap"], [["m1", "-1"], ["m2", "x"]])
    mentees = write_csv(tmp_path / "a_mentees.csv", ["id", "cap"], [["e1", "-2"]])
    with pytest.raises(TableError) as info:
        read_cohort(
            mentors,
            mentees,
            columns=Columns(id="id", capacity="cap"),
            skills=SKILLS,
            errors="collect",
        )
    assert [(p.file, p.row) for p in info.value.problems] == [
        (str(mentors), 2),
        (str(mentors), 3),
        (str(mentees), 2),
    ]


# -- options and configuration -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("errors", "warn", "`errors` must be one of 'raise', 'collect'"),
        ("unknown_skills", "drop", "`unknown_skills` must be one of 'error', 'ignore'"),
        ("separator", "", "`separator` must be a non-empty str, a mapping of field name to "),
        ("separator", {"languages": ""}, r"`separator\['languages'\]` must be a non-empty str or"),
        ("levels", (5, 1), r"`levels` must be None \(levels in \[0, 1\]\) or a pair"),
        ("levels", (1, float("inf")), "`levels` must be None"),
        ("reference_date", "2025-01-01", "`reference_date` must be a datetime.date"),
        ("na_values", "NA", "`na_values` must be a sequence of cell texts"),
        ("grade_map", {"E1": 1.5}, r"`grade_map\['E1'\]` must be an integer grade"),
        ("grade_map", {"E1": 1, "e1": 2}, "`grade_map` gives 'E1' and 'e1', which read the same"),
        ("grade_map", {}, "`grade_map` must be a non-empty mapping"),
        ("skills", "ai_tools", "`skills` must be a sequence of skill names"),
    ],
)
def test_bad_options(option, value, message):
    with pytest.raises(ValidationError, match=message):
        read({"id": ["a"]}, Columns(id="id"), **{option: value})


def test_bad_unknown_managers_and_sheet_pair():
    with pytest.raises(
        ValidationError, match="`unknown_managers` must be one of 'error', 'outside'"
    ):
        read_cohort(MENTORS, MENTEES, columns=BOTH, skills=SKILLS, unknown_managers="ignore")
    with pytest.raises(ValidationError, match="`sheet` must be one sheet for both files or a pair"):
        read_cohort(MENTORS, MENTEES, columns=BOTH, skills=SKILLS, sheet=("a", "b", "c"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"id": ""}, r"`columns.id` must be a column name \(a non-empty str\); got ''"),
        ({"id": "id", "grade": 3}, r"`columns.grade` must be a column name .* or None; got 3"),
        ({"id": "id", "offers": {"ai": ""}}, r"`columns.offers\['ai'\]` must be a column name"),
        ({"id": "id", "attributes": {"grade": "g"}}, "'grade' is not an attribute name"),
        ({"id": "id", "attributes": ["g"]}, "`columns.attributes` must be a mapping"),
        ({"id": "id", "generation": "b", "attributes": {"generation": "g"}}, "drop one of them"),
        ({"id": "id", "carry": "Name"}, "`columns.carry` must be a sequence of column names"),
    ],
)
def test_bad_columns(kwargs, message):
    with pytest.raises(ValidationError, match=message):
        Columns(**kwargs)


def test_columns_from_dict():
    cols = Columns.from_dict(FULL.to_dict())
    assert cols == FULL
    message = r"unknown key 'dept' in the column map \(did you mean 'department'\?\); valid keys"
    with pytest.raises(ValidationError, match=message):
        Columns.from_dict({"id": "x", "dept": "y"})
    with pytest.raises(ValidationError, match="needs an 'id' key"):
        Columns.from_dict({"department": "y"})
    with pytest.raises(ValidationError, match="`columns` must be a Columns"):
        read({"id": ["a"]}, "id")


def test_vocabulary():
    assert SKILLS.resolve("ai-tools") == SKILLS.resolve(" AI   TOOLS ") == "ai_tools"
    assert SKILLS.resolve("genai (chatgpt)") == "ai_tools"
    assert SKILLS.resolve("data (excel, sql)") == "data_literacy"
    assert SKILLS.resolve("cooking") is None
    assert SKILLS.closest("data litracy") == "data_literacy"
    assert SKILLS.closest("zzz") is None
    assert len(SKILLS) == 3 and SKILLS.names == ("ai_tools", "data_literacy", "strategy")
    assert SkillVocabulary(["a_b"], aliases={"a_b": "x"}).aliases == {"a_b": ("x",)}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((["a", "a"],), "duplicate skill 'a'"),
        ((["a", ""],), "non-empty skill names"),
        (
            (["ai_tools", "AI tools"],),
            "'AI tools' of skill 'AI tools' reads the same as a spelling",
        ),
        ((["a", "b"], {"c": ["x"]}), "`aliases` names 'c', which is not a skill"),
        ((["a", "b"], {"a": ["x"], "b": ["X"]}), "alias 'X' of skill 'b' reads the same"),
        ((["a"], ["x"]), "`aliases` must be a mapping"),
    ],
)
def test_bad_vocabulary(args, message):
    with pytest.raises(ValidationError, match=message):
        SkillVocabulary(*args)


# -- what the reviewer found -------------------------------------------------------------------


def test_row_with_cells_only_beyond_the_header(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("id,dept\na1,IT\n,,stray\na2,HR\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"r\.csv, row 3 has cells beyond the header") as e:
        read(path, Columns(id="id", department="dept"))
    assert (e.value.row, e.value.file, e.value.participant) == (3, str(path), None)
    assert "1 more problem" not in str(e.value)  # not "missing id" as well


def test_whole_number_ids_equal_their_text_across_lists():
    with pytest.raises(ValidationError, match="id '1' is on both lists"):
        read_cohort({"id": [1]}, {"id": ["1"]}, columns=Columns(id="id"), skills=SKILLS)


def test_whole_number_ids_equal_their_text_in_one_table():
    with pytest.raises(ValidationError, match=r"position 1, .*: duplicate id '1' \(position 0"):
        read({"id": [1, "1", " 1.0"]}, Columns(id="id"))
    p = read({"id": [1, "b", " 1.0"], "m": [None, 1.0, "1"]}, Columns(id="id", manager="m"))
    assert p.people.ids.tolist() == ["1", "b", "1.0"]  # the text "1.0" stays a text
    assert p.people.manager.tolist() == [None, "1", "1"]
    p = read({"id": [1, 2.0], "m": [None, 1.0]}, Columns(id="id", manager="m")).people
    assert p.ids.tolist() == [1, 2] and p.manager.tolist() == [None, 1]  # all numbers: ints


def test_excel_ids_and_csv_managers_meet(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["id", "boss"])
    wb.active.append([101, None])
    wb.active.append([102.0, 101])
    mentors = tmp_path / "m.xlsx"
    wb.save(mentors)
    mentees = write_csv(tmp_path / "e.csv", ["id", "boss"], [["201", "102"]])
    intake = read_cohort(
        mentors,
        mentees,
        columns=Columns(id="id", manager="boss"),
        skills=SKILLS,
        reference_date=DAY,
    )
    assert intake.mentors.people.ids.tolist() == ["101", "102"]
    assert intake.mentees.people.manager.tolist() == ["102"]
    assert intake.mentors.people.manager.tolist() == [None, "101"]


def test_non_whole_number_id_is_a_problem():
    with pytest.raises(ValidationError, match="position 1, column 'id': the id is not a valid id"):
        read({"id": [1, 2.5]}, Columns(id="id"))


def test_ids_equal_ignoring_case_warn_with_their_rows():
    message = (
        r"2 ids \(column 'id'\) differ from another id only in letter case \(<table> "
        r"positions 0, 2\)"
    )
    with pytest.warns(DataWarning, match=message):
        read({"id": ["Ana@X.org", "bo", "ana@x.org"]}, Columns(id="id"))


def test_ids_equal_ignoring_case_across_lists_warn(tmp_path):
    mentors = write_csv(tmp_path / "mentors.csv", ["id"], [["x"], ["Ana@X.org"]])
    mentees = write_csv(tmp_path / "mentees.csv", ["id"], [["ana@x.org"]])
    message = (
        r"differ from another id only in letter case \(.*mentors\.csv row 3; .*mentees\.csv row 2\)"
    )
    with pytest.warns(DataWarning, match=message):
        read_cohort(mentors, mentees, columns=Columns(id="id"), skills=SKILLS)


def test_manager_matching_several_ids_ignoring_case():
    data = {"id": ["Ana@X.org", "ana@x.org", "b"], "m": [None, None, "ANA@x.org"]}
    message = (
        r"participant 'b': the manager 'ANA@x.org' matches 2 ids ignoring case \('Ana@X.org', "
        r"'ana@x.org'\)"
    )
    with pytest.warns(DataWarning), pytest.raises(ValidationError, match=message):
        read(data, Columns(id="id", manager="m"))


def test_unknown_manager_is_named():
    with pytest.raises(ValidationError, match=r"the manager 'ceo@x\.org' is neither a mentor"):
        read_cohort(MENTORS, MENTEES, columns=BOTH, skills=SKILLS)


def test_duplicate_dataframe_column():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame([["a", "IT", "HR"]], columns=["id", "d", "d"])
    with pytest.raises(ValidationError, match="column 'd' appears more than once in the header"):
        read(frame, Columns(id="id", department="d"))


def test_series_is_no_source():
    pd = pytest.importorskip("pandas")
    with pytest.raises(ValidationError, match="`source` must be a file path, a DataFrame"):
        read(pd.Series(["a"], name="id"), Columns(id="id"))


def test_attribute_numbers_equal_their_text():
    pd = pytest.importorskip("pandas")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        intake = read_cohort(
            {"id": ["a", "b"], "g": ["1", "2"]},
            pd.DataFrame({"id": ["c", "d"], "g": [1.0, 2]}),
            columns=Columns(id="id", attributes={"g": "g"}),
            skills=SKILLS,
            reference_date=DAY,
        )
    assert intake.mentees.people.attributes["g"].tolist() == ["1", "2"]
    assert intake.mentors.people.attributes["g"].tolist() == ["1", "2"]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("grade", "position 1, column 'x', participant 'b': grade is not an integer"),
        ("capacity", "position 1, column 'x', participant 'b': capacity is not an integer"),
        ("id", "position 1, column 'x': the id is not a valid id"),
    ],
)
def test_true_is_not_one(field, message):
    data = {"i": ["a", "b"], "x": [1, True]}
    cols = Columns(id="x") if field == "id" else Columns(id="i", **{field: "x"})
    with pytest.raises(ValidationError, match=message):
        read(data, cols)


def test_carried_cells_are_untouched():
    data = {"id": ["a", "b", "c"], "n": ["ｶﾀｶﾅ Ⅻ ﬁn ", "  ", "NA"]}
    carry = read(data, Columns(id="id", carry=["n"])).carry
    assert [carry[k]["n"] for k in "abc"] == ["ｶﾀｶﾅ Ⅻ ﬁn ", None, "NA"]


def test_file_without_a_header_row_does_not_show_its_first_row(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("ana@x.org,IT,F\nbo@x.org,HR,M\n", encoding="utf-8")
    cols = Columns(id="Email", department="Dept", attributes={"gender": "Gender"})
    message = (
        r"h\.csv: none of the mapped columns \('Email', 'Dept', 'Gender'\) is in the header; "
        r"does the file start with a header row\?"
    )
    with pytest.raises(ValidationError, match=message) as info:
        read(path, cols, errors="collect")
    assert "IT" not in str(info.value) and "ana" not in str(info.value)


def test_frame_without_any_mapped_column_lists_its_columns():
    message = r"none of the mapped columns \('id'\) is a column of the table; its columns are"
    with pytest.raises(ValidationError, match=message):
        read({"ID_": ["a"]}, Columns(id="id"))


@pytest.mark.parametrize(
    ("field", "noun"),
    [
        ("timezone", "time zones"),
        ("offers", "skill lists"),
        ("grade", "grades"),
        ("generation", "birth years"),
    ],
)
def test_column_of_the_wrong_field_is_one_problem(tmp_path, field, noun):
    emails = [f"person{i}@example.com" for i in range(5000)]
    path = write_csv(tmp_path / "m.csv", ["id", "x"], [[f"p{i}", e] for i, e in enumerate(emails)])
    message = (
        f"m\\.csv, column 'x' does not look like {noun}: 5000 of 5000 cells could not be read "
        r"\(first at rows 2, 3, 4, 5, 6, …\); is `columns\." + field + "` the right column"
    )
    with pytest.raises(TableError, match=message) as info:
        read(path, Columns(id="id", **{field: "x"}), errors="collect")
    assert len(info.value.problems) == 1 and "example.com" not in str(info.value)


def test_a_few_bad_cells_are_reported_each():
    data = {"id": list("abcdefghij"), "tz": ["UTC"] * 5 + ["Mars/Base"] * 4 + [""]}
    with pytest.raises(TableError, match=r"position 5, .*unknown time zone 'Mars/Base'") as info:
        read(data, Columns(id="id", timezone="tz"), errors="collect")
    assert len(info.value.problems) == 4


@pytest.mark.parametrize(
    ("cells", "spellings"),
    [(["IT", "ＩＴ", " IT  ", "IT"], 2), (["Data Science", "Data  Science", "data science"], 3)],
)
def test_width_and_spacing_variants_warn(cells, spellings):
    message = (
        f"1 label\\(s\\) written in {spellings} spellings that differ only in letter case, "
        "character width or spacing were merged"
    )
    data = {"id": [f"p{i}" for i in range(len(cells))], "d": cells}
    with pytest.warns(DataWarning, match=message):
        p = read(data, Columns(id="id", department="d")).people
    assert len(set(p.department.tolist())) == 1


def test_surrounding_spaces_alone_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = read({"id": ["a", "b"], "d": ["IT", " IT "]}, Columns(id="id", department="d")).people
    assert p.department.tolist() == ["IT", "IT"]


@pytest.mark.parametrize(
    ("text", "shown"), [("id;dept\na;IT\n", "';'"), ("id\tdept\na\tIT\n", "tabs")]
)
def test_other_delimiter_is_named(tmp_path, text, shown):
    path = tmp_path / "m.csv"
    path.write_text(text, encoding="utf-8")
    message = (
        f"the file seems to use {shown} as the delimiter; save it as comma-separated CSV "
        r"\(or \.tsv for tabs\)"
    )
    with pytest.raises(ValidationError, match=message):
        read(path, Columns(id="id", department="dept"))


def test_warnings_point_at_the_caller():
    data = {"id": ["a", "b"], "d": ["IT", "it"]}
    with pytest.warns(DataWarning, match="1 label") as rec:
        read_people(data, Columns(id="id", department="d"), skills=SKILLS)
    assert rec[0].filename == __file__


def test_warnings_through_config_read_point_at_the_caller():
    import dataclasses
    from pathlib import Path

    from rm_match.io import load_config

    cfg = load_config(Path(__file__).resolve().parents[2] / "examples" / "programme.toml")
    cols = Columns(id="id", department="d")
    cfg = dataclasses.replace(cfg, mentor_columns=cols, mentee_columns=cols, read_options={})
    with pytest.warns(DataWarning, match="1 label") as rec:
        cfg.read({"id": ["a"], "d": ["IT"]}, {"id": ["b"], "d": ["it"]})
    assert rec[0].filename == __file__


@pytest.mark.parametrize("error", ["#REF!", "#VALUE!", "#DIV/0!", "#NAME?", "#NUM!", "#NULL!"])
def test_excel_error_values_are_problems(error):
    message = f"position 1, column 'd', participant 'b': the cell is an Excel error value ({error})"
    with pytest.raises(ValidationError, match=re.escape(message)):
        read({"id": ["a", "b"], "d": ["IT", f" {error}"]}, Columns(id="id", department="d"))


def test_excel_error_value_is_no_id():
    with pytest.raises(ValidationError, match=r"column 'id': the cell is an Excel error value"):
        read({"id": ["a", "#REF!"]}, Columns(id="id"))


@pytest.mark.parametrize("text", ["<NA>", "NaT", "#NA", "-nan"])
def test_more_missing_texts_read_as_missing(text):
    p = read({"id": ["a"], "d": [text]}, Columns(id="id", department="d")).people
    assert p.department.tolist() == [None]


def test_column_names_are_stripped():
    cols = Columns(id=" id ", department="d ", offers={"strategy": " s"}, carry=[" n"],
                   attributes={"g": " g "})  # fmt: skip
    assert (cols.id, cols.department, cols.offers, cols.carry) == (
        "id",
        "d",
        {"strategy": "s"},
        ("n",),
    )
    assert cols.attributes == {"g": "g"}
    r = read({"id": ["a"], "d": ["IT"], "s": [1], "n": ["Ann"], "g": ["x"]}, cols)
    assert r.people.ids.tolist() == ["a"] and r.carry["a"] == {"n": "Ann"}


def test_closest_skill_is_not_searched_for_long_texts():
    assert SKILLS.closest("strategyy") == "strategy"
    assert SKILLS.closest("strategy " + "x" * 60) is None


# -- separators per field ------------------------------------------------------------------------

VIZ = SkillVocabulary(["data_viz", "strategy"], aliases={"data_viz": ["Power BI"]})


def test_separator_per_field_leaves_the_others_to_the_default():
    data = {"id": ["a"], "langs": ["English/Spanish"], "s": ["Power BI, strategy"]}
    cols = Columns(id="id", languages="langs", offers="s")
    p = read(data, cols, skills=VIZ, separator={"languages": "/"}).people
    assert p.languages == (frozenset({"English", "Spanish"}),)
    assert p.offers.tolist() == [[1.0, 1.0]]
    p = read(data, cols, skills=VIZ, separator={"offers": ",", "languages": None}).people
    assert p.languages == (frozenset({"English/Spanish"}),) and p.offers.tolist() == [[1.0, 1.0]]


def test_separator_for_an_unknown_field():
    message = (
        r"`separator` names the field 'langauges' \(did you mean 'languages'\?\), which holds no "
        r"lists; the fields a separator can be given for are \['languages', 'interests', "
        r"'offers', 'wants'\]"
    )
    with pytest.raises(ValidationError, match=message) as info:
        read({"id": ["a"]}, Columns(id="id"), separator={"langauges": "/"})
    assert info.value.argument == "separator"


def test_separator_table_of_a_programme_file(tmp_path):
    from rm_match.io import Config, load_config

    mentors = {"Email": ["m1"], "Langs": ["English/Spanish"], "Teach": ["Power BI, strategy"]}
    mentees = {"Email": ["e1"], "Langs": ["Spanish"], "Teach": ["strategy"]}
    spec = {
        "skills": {"names": ["data_viz", "strategy"], "aliases": {"data_viz": ["Power BI"]}},
        "data": {"separator": {"languages": "/"}, "reference_date": "2025-01-15"},
        "mentors": {"id": "Email", "languages": "Langs", "offers": "Teach"},
    }
    intake = Config.from_dict(spec).read(mentors, mentees)
    assert intake.mentors.people.languages == (frozenset({"English", "Spanish"}),)
    assert intake.mentors.people.offers.tolist() == [[1.0, 1.0]]
    path = tmp_path / "programme.toml"
    path.write_text(
        '[skills]\nnames = ["data_viz", "strategy"]\n[skills.aliases]\ndata_viz = ["Power BI"]\n'
        '[data]\nreference_date = 2025-01-15\n[data.separator]\nlanguages = "/"\n'
        '[mentors]\nid = "Email"\nlanguages = "Langs"\noffers = "Teach"\n',
        encoding="utf-8",
    )
    intake = load_config(path).read(mentors, mentees)
    assert intake.mentors.people.languages == (frozenset({"English", "Spanish"}),)
    assert intake.mentors.people.offers.tolist() == [[1.0, 1.0]]


SLASHED = ["English/Spanish", "English/French", "German", "Hindi/English", "English/Spanish",
           "Tamil/English", "French/German", ""]  # fmt: skip


def test_slashes_that_split_nothing_warn():
    data = {"id": list("abcdefgh"), "langs": SLASHED}
    message = (
        r"languages \(column 'langs' of <table>\): 6 of 7 cells hold '/' and no cell was split "
        r"into several items \(positions 0, 1, 3, 4, 5, 6\); if '/' separates the items, set "
        r"`separator=\{\"languages\": \"/\"\}`, or `separator = \{languages = \"/\"\}` under "
        r"\[data\] in a programme file\."
    )
    with pytest.warns(DataWarning, match=message) as rec:
        r = read(data, Columns(id="id", languages="langs"))
    assert r.warnings == (str(rec[0].message),)
    assert not any(lang in str(rec[0].message) for lang in ("English", "Spanish", "Hindi"))


@pytest.mark.parametrize(
    ("cells", "options"),
    [
        (SLASHED, {"separator": {"languages": "/"}}),  # split as asked
        (SLASHED[:4] + ["German"] * 4, {}),  # 3 cells: too few
        (SLASHED[:6] + ["Urdu"] * 6, {}),  # 5 of 12: not most
        ([*SLASHED[:7], "English; Urdu"], {}),  # the default separator splits this column
    ],
)
def test_slashes_do_not_warn(cells, options):
    data = {"id": [f"p{i}" for i in range(len(cells))], "langs": cells}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read(data, Columns(id="id", languages="langs"), **options)


def test_slashes_in_interests_name_their_field():
    data = {"id": list("abcde"), "i": ["jazz/chess"] * 5}
    with pytest.warns(DataWarning, match=r"set `separator=\{\"interests\": \"/\"\}`"):
        read(data, Columns(id="id", interests="i"))


# -- a skill column that cannot be read asks about the separator ---------------------------------


def test_skill_lists_that_fail_ask_about_the_separator():
    data = {"id": list("abcdef"), "s": ["strategy / ai tools"] * 5 + [""]}
    message = (
        r"<table>, column 's' does not look like skill lists: 5 of 5 cells could not be read "
        r"\(first at positions 0, 1, 2, 3, 4\); is `columns\.offers` the right column, and are "
        r"the items separated by ';' or ','\? \(set `separator` for another\)$"
    )
    with pytest.raises(ValidationError, match=message):
        read(data, Columns(id="id", offers="s"))


def test_skill_lists_that_fail_name_the_separator_given():
    data = {"id": list("abcde"), "s": ["strategy; ai tools"] * 5}
    message = r"are the items separated by '/'\? \(set `separator` for another\)$"
    with pytest.raises(ValidationError, match=message):
        read(data, Columns(id="id", offers="s"), separator={"offers": "/"})


# -- hints for Python and for programme files ----------------------------------------------------


def test_unknown_skill_hint_reads_for_both():
    message = (
        r"add a spelling to the vocabulary's aliases, or drop unknown items "
        r"\(`unknown_skills=\"ignore\"`, or `unknown_skills = \"ignore\"` under \[data\] in a "
        r"programme file\)\."
    )
    with pytest.raises(ValidationError, match=message):
        read({"id": ["a"], "s": ["knitting"]}, Columns(id="id", offers="s"))


def test_unknown_manager_hint_reads_for_both():
    message = (
        r"is neither a mentor nor a mentee \(to accept managers outside the programme: "
        r"`unknown_managers=\"outside\"`, or `unknown_managers = \"outside\"` under \[data\] in a "
        r"programme file\)\."
    )
    with pytest.raises(ValidationError, match=message):
        read_cohort(MENTORS, MENTEES, columns=BOTH, skills=SKILLS)


def test_dst_warning_hint_reads_for_both():
    message = (
        r"give the programme's date to convert them at "
        r"\(`reference_date=datetime\.date\(2027, 1, 15\)`, or `reference_date = 2027-01-15` "
        r"under \[data\] in a programme file\)\."
    )
    with pytest.warns(DataWarning, match=message):
        read_people({"id": ["a"], "tz": ["Europe/Berlin"]}, Columns(id="id", timezone="tz"),
                    skills=SKILLS)  # fmt: skip


# -- closest spellings ---------------------------------------------------------------------------


def test_unknown_skill_names_the_closest_alias_and_its_skill():
    message = r"participant 'a': unknown skill 'Powr BI' \(closest: 'Power BI' \(data_viz\)\)"
    with pytest.raises(ValidationError, match=message):
        read({"id": ["a"], "s": ["Powr BI"]}, Columns(id="id", offers="s"), skills=VIZ)
    message = r"unknown skill 'data viss' \(closest: 'data_viz'\);"
    with pytest.raises(ValidationError, match=message):
        read({"id": ["a"], "s": ["data viss"]}, Columns(id="id", offers="s"), skills=VIZ)


def test_level_column_of_an_unknown_skill_names_the_closest_alias():
    message = r"names the skill 'PowerBI2', which is not in the vocabulary; closest: 'Power BI' "
    with pytest.raises(ValidationError, match=message + r"\(data_viz\)"):
        read({"id": ["a"], "w": [1]}, Columns(id="id", wants={"PowerBI2": "w"}), skills=VIZ)


def test_vocabulary_closest_spelling():
    assert VIZ.closest_spelling("powr bi") == ("Power BI", "data_viz")
    assert VIZ.closest("powr bi") == "data_viz"
    assert VIZ.closest_spelling("zzz") is None


def test_city_names_read_as_time_zones():
    data = {"id": list("abcd"), "tz": ["Mumbai", "berlin", "San Francisco", "Kolkata"]}
    p = read(data, Columns(id="id", timezone="tz")).people
    assert p.timezone.tolist() == [5.5, 1.0, -8.0, 5.5]


def test_unknown_city_names_the_closest_city_and_its_zone():
    message = r"unknown time zone 'Bengalore'; closest known: 'Bangalore' \(Asia/Kolkata\)\."
    with pytest.raises(ValidationError, match=message):
        read({"id": ["a"], "tz": ["Bengalore"]}, Columns(id="id", timezone="tz"))
