"""Make the example HR export: ``juniors.csv`` (120 mentors) and ``seniors.csv`` (80 mentees).

Run ``python examples/make_hr_export.py`` (standard library and numpy only; seeded, so the
files come out the same every time). The people are fake: names drawn from lists, e-mails at
``example.com``.

Columns, the same in both files::

    Name, Work email, Department, Job title, Band, Manager email, Office, Languages,
    Time zone, Interests, I can teach, I want to learn, Gender, Birth year

What a reader must cope with (and none of it is fatal):

- **Departments** spelled in several ways: ``"IT"``, ``"it "``, ``"It"``; ``"Finance"``,
  ``"finance"``; ``" Marketing"``; ``"sales "`` … (case and surrounding spaces only).
- **E-mails** with a trailing space in some ``Work email`` and ``Manager email`` cells; a
  manager cell that names a senior gives the address without it.
- **Managers**: every junior's manager is a senior of ``seniors.csv`` or someone outside the
  programme (an address in neither file); a senior's manager is an earlier senior or someone
  outside. No cycles; juniors manage no one.
- **Languages** separated by ``"; "`` or ``", "`` (``"English; German"``, ``"English,
  French"``); a few blank.
- **Time zones** as IANA names (``"Europe/Berlin"``, ``"America/New_York"``), fixed
  offsets (``"UTC+5:30"``, ``"GMT-5"``, ``"UTC+1"``) and abbreviations (``"CET"``,
  ``"GMT"``); a few blank.
- **Interests** as comma lists (``"cycling, jazz"``); some blank.
- **Skills** (``I can teach``, ``I want to learn``): free-text lists of 1 to 5 items, each a
  canonical name (``"ai_tools"``) or an alias (``"GenAI (ChatGPT)"``, ``"Power BI"``,
  ``"TikTok"``, ``"P&L"``), exactly as spelled in :data:`VOCABULARY`, separated by ``", "``
  or ``"; "``. Juniors mostly teach digital skills and want strategic ones; seniors the other
  way round. No one lists a skill twice in a column.
- **Bands** ``A1``–``A3`` and ``B1`` (juniors), ``D1``–``E2`` (seniors): grades through
  :data:`GRADE_MAP`.
- **Gender** ``"Female"``, ``"Male"``, ``"Non-binary"`` or blank; **birth years** 1993–2003
  (juniors) and 1960–1985 (seniors).
- **Text** in UTF-8 with accented names (``"José Álvarez"``, ``"Zoë"``), apostrophes
  (``"O'Brien"``), and job titles with a comma (``"Director, Finance"``: a quoted CSV field).

The skill vocabulary (canonical name → aliases) is :data:`VOCABULARY` and the grade of each
band :data:`GRADE_MAP`, both below; ``examples/programme.toml`` repeats them for the reader.

Examples
--------
>>> len(VOCABULARY), GRADE_MAP["E2"], VOCABULARY["finance_basics"][1]
(21, 11, 'P&L')
"""

from __future__ import annotations

import argparse
import csv
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = [
    "COLUMNS",
    "DIGITAL",
    "GRADE_MAP",
    "STRATEGIC",
    "VOCABULARY",
    "main",
    "make_people",
    "write_export",
]

SEED = 20240917
N_JUNIORS, N_SENIORS = 120, 80

COLUMNS = (
    "Name",
    "Work email",
    "Department",
    "Job title",
    "Band",
    "Manager email",
    "Office",
    "Languages",
    "Time zone",
    "Interests",
    "I can teach",
    "I want to learn",
    "Gender",
    "Birth year",
)

#: Canonical skill name → the aliases people write for it (none holds a comma or semicolon).
VOCABULARY: dict[str, list[str]] = {
    "ai_tools": ["GenAI (ChatGPT)", "AI tools", "ChatGPT", "Copilot"],
    "social_media": ["Social media", "TikTok", "Instagram", "LinkedIn content"],
    "data_viz": ["Data visualisation", "Power BI", "Tableau", "Dashboards"],
    "no_code": ["No-code tools", "Power Automate", "Zapier", "Low-code"],
    "cloud_collab": ["Cloud collaboration", "Microsoft Teams", "SharePoint", "Google Workspace"],
    "cybersecurity_hygiene": ["Cybersecurity basics", "Phishing awareness", "Password managers"],
    "data_literacy": ["Data literacy", "Excel", "Spreadsheets"],
    "agile": ["Agile", "Scrum", "Kanban"],
    "digital_marketing": ["Digital marketing", "SEO", "Online advertising"],
    "remote_work": ["Remote work", "Hybrid working"],
    "strategy": ["Strategy", "Strategic planning", "Business strategy"],
    "negotiation": ["Negotiation", "Negotiating"],
    "stakeholder_mgmt": ["Stakeholder management", "Managing stakeholders"],
    "finance_basics": ["Finance basics", "P&L", "Budgeting"],
    "leadership": ["Leadership", "Leading teams"],
    "people_mgmt": ["People management", "Managing people", "Performance reviews"],
    "public_speaking": ["Public speaking", "Presenting"],
    "org_navigation": ["Navigating the organisation", "Internal networking"],
    "career_development": ["Career development", "Career planning"],
    "industry_knowledge": ["Industry knowledge", "Market knowledge"],
    "change_mgmt": ["Change management", "Leading change"],
}

#: The skills juniors mostly teach, and those seniors mostly teach.
DIGITAL = tuple(list(VOCABULARY)[:10])
STRATEGIC = tuple(list(VOCABULARY)[10:])

#: Band → grade (a mentee at least ``min_gap`` grades above the mentor).
GRADE_MAP = {
    "A1": 1,
    "A2": 2,
    "A3": 3,
    "B1": 4,
    "B2": 5,
    "C1": 6,
    "C2": 7,
    "D1": 8,
    "D2": 9,
    "E1": 10,
    "E2": 11,
}

# department → (how it is spelled, with weights), job titles of juniors and of seniors
DEPARTMENTS = {
    "IT": (
        ("IT", "it ", "It"),
        ("Junior Developer", "IT Support Analyst", "Cloud Engineer", "Data Engineer"),
        ("Head of IT", "Director, IT Infrastructure", "Senior IT Manager"),
    ),
    "Finance": (
        ("Finance", "finance", "Finance "),
        ("Financial Analyst", "Accounts Assistant", "Graduate Trainee"),
        ("Director, Finance", "Head of Controlling", "Senior Finance Manager"),
    ),
    "Marketing": (
        ("Marketing", " Marketing", "marketing"),
        ("Marketing Coordinator", "Social Media Associate", "Content Specialist"),
        ("Head of Brand", "Marketing Director", "Senior Marketing Manager"),
    ),
    "Sales": (
        ("Sales", "sales "),
        ("Sales Development Rep", "Account Associate", "Inside Sales Analyst"),
        ("VP Sales", "Regional Sales Director", "Head of Key Accounts"),
    ),
    "HR": (
        ("HR", "hr"),
        ("HR Assistant", "Recruiting Coordinator", "People Analyst"),
        ("HR Director", "Head of Talent", "Senior HR Business Partner"),
    ),
    "Operations": (
        ("Operations", "operations", "Operations "),
        ("Operations Associate", "Supply Chain Analyst", "Process Analyst"),
        ("Director, Operations", "Head of Logistics", "Senior Operations Manager"),
    ),
    "Legal": (
        ("Legal",),
        ("Paralegal", "Compliance Analyst"),
        ("General Counsel", "Head of Compliance"),
    ),
}
DEPT_WEIGHTS = (0.22, 0.16, 0.16, 0.16, 0.1, 0.14, 0.06)

# office → (time-zone spellings, languages besides English, an extra language now and then)
OFFICES = {
    "Berlin": (("Europe/Berlin", "CET", "UTC+1"), ("German",), ("French", "Polish", "Turkish")),
    "London": (("Europe/London", "GMT", "UTC"), (), ("French", "Spanish", "Polish")),
    "Paris": (("Europe/Paris", "CET"), ("French",), ("German", "Spanish", "Arabic")),
    "Madrid": (("Europe/Madrid", "CET", "UTC+1"), ("Spanish",), ("Catalan", "French")),
    "New York": (("America/New_York", "GMT-5", "UTC-5"), (), ("Spanish", "Mandarin")),
    "Bangalore": (("Asia/Kolkata", "UTC+5:30"), ("Hindi",), ("Kannada", "Tamil")),
    "Singapore": (("Asia/Singapore", "UTC+8"), ("Mandarin",), ("Malay", "Tamil")),
}
OFFICE_WEIGHTS = (0.25, 0.2, 0.1, 0.1, 0.15, 0.12, 0.08)

FIRST_NAMES = (
    "Anna", "Lukas", "Sophie", "Jonas", "Mia", "Felix", "Emma", "Leon", "Hannah", "Paul",
    "Olivia", "James", "Amelia", "Oliver", "Isla", "George", "Chloé", "Louis", "Camille",
    "Hugo", "Lucía", "José", "Carmen", "Álvaro", "Sofía", "Mateo", "Emily", "Michael", "Ava",
    "Daniel", "Grace", "Ethan", "Priya", "Arjun", "Ananya", "Rohan", "Kavya", "Vikram",
    "Wei", "Mei", "Jun", "Li Na", "Siti", "Aisha", "Omar", "Fatima", "Zoë", "Niamh",
    "Seán", "Łukasz", "Agnieszka", "Mehmet", "Elif", "Kwame", "Amara", "Yuki", "Hiro",
    "Ingrid", "Lars", "Freya", "Anne-Marie", "Jean-Luc", "Marta", "Tomás", "Nadia",
)  # fmt: skip
LAST_NAMES = (
    "Schmidt", "Müller", "Weber", "Fischer", "Becker", "Hoffmann", "Smith", "Jones",
    "Taylor", "Brown", "Wilson", "O'Brien", "Murphy", "Dubois", "Martin", "Lefèvre",
    "Moreau", "García", "Álvarez", "Fernández", "López", "Martínez", "Johnson", "Williams",
    "Davis", "Miller", "Rodriguez", "Sharma", "Patel", "Iyer", "Reddy", "Gupta", "Nair",
    "Tan", "Lim", "Wong", "Chen", "Ng", "Rahman", "Haddad", "Kowalski", "Nowak", "Yılmaz",
    "Demir", "Mensah", "Okafor", "Sato", "Nakamura", "Johansson", "Larsen", "van Dijk",
    "De Smet", "Rossi", "Bianchi", "Costa", "Silva", "Novák", "Horvat", "Kaya", "Ahmed",
)  # fmt: skip

INTERESTS = (
    "cycling", "jazz", "hiking", "cooking", "photography", "chess", "running", "gaming",
    "yoga", "theatre", "football", "gardening", "reading", "travel", "podcasts", "climbing",
    "painting", "tennis", "board games", "volunteering", "baking", "swimming", "film",
)  # fmt: skip

JUNIOR_BANDS, JUNIOR_BAND_WEIGHTS = ("A1", "A2", "A3", "B1"), (0.3, 0.35, 0.2, 0.15)
SENIOR_BANDS, SENIOR_BAND_WEIGHTS = ("D1", "D2", "E1", "E2"), (0.35, 0.3, 0.2, 0.15)
GENDERS, GENDER_WEIGHTS = ("Female", "Male", "Non-binary", ""), (0.48, 0.44, 0.03, 0.05)

# seniors with no manager in the programme (the top of the org chart among them)
N_TOP_SENIORS = 12
# managers outside the programme (neither file): team leads and executives
N_OUTSIDE_MANAGERS = 18


def _pick(rng: np.random.Generator, items: Sequence[str], p: Sequence[float] | None = None) -> str:
    return items[int(rng.choice(len(items), p=p))]


def _spelling_weights(n: int) -> list[float]:
    """Most people spell a department the usual way (70 %); the variants share the rest.

    >>> _spelling_weights(3)
    [0.7, 0.15, 0.15]
    """
    return [1.0] if n == 1 else [0.7] + [round(0.3 / (n - 1), 12)] * (n - 1)


def _ascii(text: str) -> str:
    """``text`` lower-cased for an e-mail address: accents dropped, ``ł`` → ``l``, no
    apostrophes or spaces.

    >>> _ascii("Łukasz O'Brien-Álvarez")
    'lukaszobrien-alvarez'
    """
    text = text.replace("ł", "l").replace("Ł", "L").replace("ı", "i")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch == "-")


def _skills(
    rng: np.random.Generator,
    lead: Sequence[str],
    other: Sequence[str],
    other_share: float,
    k: int,
    exclude: Sequence[str] = (),
) -> list[str]:
    """``k`` distinct canonical skills, mostly from ``lead``, none of ``exclude``."""
    pool = [s for s in (*lead, *other) if s not in exclude]
    weights = np.array([(1.0 - other_share) if s in lead else other_share for s in pool])
    k = min(k, len(pool))
    chosen = rng.choice(len(pool), size=k, replace=False, p=weights / weights.sum())
    return [pool[int(i)] for i in chosen]


def _spell(rng: np.random.Generator, skills: Sequence[str]) -> str:
    """Skills as someone types them: canonical names or aliases, ``", "`` or ``"; "``."""
    words = [s if rng.random() < 0.25 else _pick(rng, VOCABULARY[s]) for s in skills]
    return ("; " if rng.random() < 0.4 else ", ").join(words)


def make_people(
    n: int,
    side: str,
    rng: np.random.Generator,
    *,
    used_names: set[str],
    used_emails: set[str],
) -> list[dict[str, str]]:
    """``n`` fake employees of one side (``"junior"`` or ``"senior"``) as CSV rows (column →
    text); the ``Manager email`` column is left blank (see :func:`main`).

    Parameters
    ----------
    n : int
        How many.
    side : {"junior", "senior"}
        Juniors get bands A1–B1, digital skills to teach, birth years 1993–2003; seniors
        bands D1–E2, strategic skills, 1960–1985.
    rng : numpy.random.Generator
        The source of randomness.
    used_names, used_emails : set of str
        Names and addresses taken already (updated): everyone is unique across both files.

    Returns
    -------
    list of dict
        One row per person, keyed by :data:`COLUMNS`.

    Examples
    --------
    >>> rows = make_people(3, "senior", np.random.default_rng(0), used_names=set(),
    ...                    used_emails=set())
    >>> len(rows), list(rows[0]) == list(COLUMNS), rows[0]["Band"] in ("D1", "D2", "E1", "E2")
    (3, True, True)
    """
    junior = side == "junior"
    rows = []
    for _ in range(n):
        while True:
            name = f"{_pick(rng, FIRST_NAMES)} {_pick(rng, LAST_NAMES)}"
            first, _sep, last = name.partition(" ")
            email = f"{_ascii(first)}.{_ascii(last)}@example.com"
            if name not in used_names and email not in used_emails:
                break
        used_names.add(name)
        used_emails.add(email)
        dept = _pick(rng, list(DEPARTMENTS), DEPT_WEIGHTS)
        spellings, junior_titles, senior_titles = DEPARTMENTS[dept]
        office = _pick(rng, list(OFFICES), OFFICE_WEIGHTS)
        zones, local, extra = OFFICES[office]
        languages = ["English", *local]
        if rng.random() < 0.2:
            languages.append(_pick(rng, extra))
        lead, other = (DIGITAL, STRATEGIC) if junior else (STRATEGIC, DIGITAL)
        teach = _skills(rng, lead, other, 0.12, int(rng.integers(1, 6)))
        learn = _skills(rng, other, lead, 0.18, int(rng.integers(1, 6)), exclude=teach)
        n_interests = 0 if rng.random() < 0.12 else int(rng.integers(1, 4))
        interests = rng.choice(len(INTERESTS), size=n_interests, replace=False)
        bands, band_weights = (
            (JUNIOR_BANDS, JUNIOR_BAND_WEIGHTS) if junior else (SENIOR_BANDS, SENIOR_BAND_WEIGHTS)
        )
        sep = "; " if rng.random() < 0.5 else ", "
        born = rng.integers(1993, 2004) if junior else rng.integers(1960, 1986)
        rows.append(
            {
                "Name": name,
                "Work email": email + (" " if rng.random() < 0.08 else ""),
                "Department": _pick(rng, spellings, _spelling_weights(len(spellings))),
                "Job title": _pick(rng, junior_titles if junior else senior_titles),
                "Band": _pick(rng, bands, band_weights),
                "Manager email": "",
                "Office": office,
                "Languages": "" if rng.random() < 0.04 else sep.join(languages),
                "Time zone": "" if rng.random() < 0.04 else _pick(rng, zones),
                "Interests": ", ".join(INTERESTS[int(i)] for i in interests),
                "I can teach": _spell(rng, teach),
                "I want to learn": _spell(rng, learn),
                "Gender": _pick(rng, GENDERS, GENDER_WEIGHTS),
                "Birth year": str(int(born)),
            }
        )
    return rows


def _outside_managers(
    rng: np.random.Generator, n: int, used_names: set[str], used_emails: set[str]
) -> list[str]:
    """Addresses of ``n`` managers outside the programme (in neither file)."""
    out: list[str] = []
    while len(out) < n:
        first, last = _pick(rng, FIRST_NAMES), _pick(rng, LAST_NAMES)
        email = f"{_ascii(first)[0]}.{_ascii(last)}@example.com"
        if f"{first} {last}" not in used_names and email not in used_emails:
            used_emails.add(email)
            out.append(email)
    return out


def write_export(path: Path, rows: Sequence[dict[str, str]]) -> Path:
    """Write ``rows`` as a CSV file with the :data:`COLUMNS` header (UTF-8, ``\\r\\n``).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = write_export(Path(tmp) / "x.csv", [dict.fromkeys(COLUMNS, "a")])
    ...     out.read_text(encoding="utf-8").splitlines()[0].split(",")[:2]
    ['Name', 'Work email']
    """
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def main(argv: Sequence[str] | None = None) -> list[Path]:
    """Make both files: ``juniors.csv`` and ``seniors.csv`` in ``--out`` (default: beside
    this script).

    Managers: the first seniors report outside the programme; each later senior to an
    earlier senior (half of them) or outside, so the chart has no cycles; each junior to a
    senior (about 45 %) or to a manager outside the programme.

    Examples
    --------
    >>> import csv, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     juniors, seniors = main(["--out", tmp])
    ...     with juniors.open(encoding="utf-8", newline="") as f:
    ...         rows = list(csv.DictReader(f))
    >>> len(rows), rows[0]["Band"][0] in "AB"
    (120, True)
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    used_names: set[str] = set()
    used_emails: set[str] = set()
    seniors = make_people(N_SENIORS, "senior", rng, used_names=used_names, used_emails=used_emails)
    juniors = make_people(N_JUNIORS, "junior", rng, used_names=used_names, used_emails=used_emails)
    outside = _outside_managers(rng, N_OUTSIDE_MANAGERS, used_names, used_emails)
    senior_emails = [row["Work email"].strip() for row in seniors]
    for k, row in enumerate(seniors):
        if k >= N_TOP_SENIORS and rng.random() < 0.5:
            manager = senior_emails[int(rng.integers(0, k))]  # an earlier senior: no cycles
        else:
            manager = _pick(rng, outside[:6])  # the executives
        row["Manager email"] = manager
    for row in juniors:
        # a senior of the programme, or a team lead outside it
        manager = _pick(rng, senior_emails) if rng.random() < 0.45 else _pick(rng, outside[6:])
        row["Manager email"] = manager + (" " if rng.random() < 0.05 else "")
    args.out.mkdir(parents=True, exist_ok=True)
    return [
        write_export(args.out / "juniors.csv", juniors),
        write_export(args.out / "seniors.csv", seniors),
    ]


if __name__ == "__main__":
    for written in main():
        print(f"wrote {written}")
