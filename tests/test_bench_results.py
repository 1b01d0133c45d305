"""The benchmark scripts' shared table reader (benchmarks/_results.py): the plots are drawn
from the markdown tables, so what a plot shows must be what the table says."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from _results import Plot, parse_table, series

TABLE = """# Scale, 2026-11-24

`python benchmarks/scale.py --sizes 10 20`

| n | method | total | status |
|---:|---|---:|---|
| 10 | a | 1.5 | optimal |
| 10 | a | 2.5 | optimal |
| 10 | a | 9.0 | optimal |
| 20 | a | 4.0 | optimal |
| 10 | b | 0.5 | optimal |
| 20 | b | 60.0 | error: SolverError: out of time |
| 40 | did not finish within 600 s |  |  |

after the table
"""


def test_parse_table_reads_the_first_table_only():
    rows = parse_table(TABLE)
    assert len(rows) == 7
    assert rows[0] == {"n": "10", "method": "a", "total": "1.5", "status": "optimal"}
    assert rows[-1]["method"] == "did not finish within 600 s"
    assert parse_table("no table here") == []


def test_series_by_column_takes_medians_and_skips_failed_runs():
    got = series([parse_table(TABLE)], Plot("n", ("total",), by="method"))
    # a: median of 1.5 / 2.5 / 9.0 at n = 10; b's error row and the unfinished row left out
    assert got == {"a": [(10.0, 2.5), (20.0, 4.0)], "b": [(10.0, 0.5)]}


def test_series_per_column_merges_tables():
    one = parse_table("| n | x | y |\n|---|---|---|\n| 1 | 2 | 0 |\n| 3 | 4 | 5 |")
    two = parse_table("| n | x | y |\n|---|---|---|\n| 10 | 40 | — |")
    got = series([one, two], Plot("n", ("x", "y")))
    # zero and non-numbers cannot sit on a log axis
    assert got == {"x": [(1.0, 2.0), (3.0, 4.0), (10.0, 40.0)], "y": [(3.0, 5.0)]}
