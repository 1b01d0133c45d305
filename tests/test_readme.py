"""The Python examples in the README and the user guide run as written."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
GUIDE = ROOT / "docs" / "guide.md"


def test_readme_python_example_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "README has no python example"
    for block in blocks:  # the first example, and "Running a programme over time"
        exec(compile(block, str(README), "exec"), {})
    out = capsys.readouterr().out
    assert "Matching(pairs=" in out and "status='optimal'" in out
    assert "optimal 160 [2, 2, 2, 2]" in out and "'left': 2" in out


def test_readme_opens_with_the_three_commands():
    text = README.read_text()
    first = re.search(r"```bash\n(.*?)```", text, flags=re.S).group(1).strip().splitlines()
    assert len(first) == 3
    assert "rm-match demo" in first[0]
    assert "rm-match match" in first[1] and "examples/programme.toml" in first[1]
    assert '".[test]"' in first[2] and "pytest" in first[2]
    ci = (README.parent / ".ci" / "run").read_text()
    assert "rm-match demo --mentors 1000 --mentees 1000" in ci


def test_guide_examples_run(capsys):
    blocks = re.findall(r"```python\n(.*?)```", GUIDE.read_text(), flags=re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, str(GUIDE), "exec"), {})
    out = capsys.readouterr().out
    assert "no mentor satisfies cross_department + common_language" in out


def test_data_guide_examples_run(capsys, monkeypatch):
    doc = ROOT / "docs" / "data.md"
    blocks = re.findall(r"```python\n(.*?)```", doc.read_text(), flags=re.S)
    assert blocks
    monkeypatch.chdir(ROOT)  # the examples read examples/… relative to the repository
    for block in blocks:
        exec(compile(block, str(doc), "exec"), {})
    assert "optimal" in capsys.readouterr().out


def test_preferences_guide_examples_run(capsys):
    doc = ROOT / "docs" / "preferences.md"
    blocks = re.findall(r"```python\n(.*?)```", doc.read_text(), flags=re.S)
    assert len(blocks) >= 4
    namespace: dict[str, object] = {}
    for block in blocks:  # one session: each block uses the ones before
        exec(compile(block, str(doc), "exec"), namespace)
    out = capsys.readouterr().out
    assert "Preferences(entries=" in out and "stable deferred_acceptance" in out
    assert "price of stability" in out


def test_feedback_guide_examples_run(capsys):
    doc = ROOT / "docs" / "feedback.md"
    blocks = re.findall(r"```python\n(.*?)```", doc.read_text(), flags=re.S)
    assert len(blocks) == 3
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(doc), "exec"), namespace)
    out = capsys.readouterr().out
    assert "Feedback(n=300" in out and "Cross-validated fit" in out
    assert "Growth from the pre- to the post-programme self-assessment" in out
