"""The demo college generator: deterministic, scaled, plausible (no database)."""

from __future__ import annotations

import itertools
import uuid
from collections import defaultdict
from datetime import date

import pytest
from devstack import demo_college
from devstack.demo_college import College, generate

TODAY = date(2026, 11, 30)
MARK_VALUES = {"5", "4", "3", "2", "зач", "незач", "н/а", "осв", "н"}


@pytest.fixture(scope="module")
def college() -> College:
    return generate(seed=7, scale=1.0, today=TODAY)


def test_the_same_seed_gives_the_same_college() -> None:
    one = generate(seed=11, scale=0.2, today=TODAY)
    two = generate(seed=11, scale=0.2, today=TODAY)
    assert one == two
    other = generate(seed=12, scale=0.2, today=TODAY)
    assert other.identity_people != one.identity_people
    assert {row[0] for row in other.marks}.isdisjoint({row[0] for row in one.marks})


def test_one_college_has_the_sizes_of_the_issue(college: College) -> None:
    counts = college.counts()
    assert counts["groups"] == 80
    assert counts["teachers"] == 150
    assert 1800 <= counts["students"] <= 2200
    assert 0.25 <= counts["parents"] / counts["students"] <= 0.45
    assert len(college.guardianships) == counts["parents"]
    assert counts["marks"] > 30 * counts["students"]
    assert len({name for _, name, *_ in college.groups}) == 80
    assert "ИС-21" in {name for _, name, *_ in college.groups}


def test_counts_follow_the_scale() -> None:
    small = generate(seed=7, scale=0.5, today=TODAY).counts()
    assert small["groups"] == 40
    assert small["teachers"] == 75
    assert 900 <= small["students"] <= 1100
    tiny = generate(seed=7, scale=0.05, today=TODAY).counts()
    assert tiny["groups"] == 4
    assert tiny["teachers"] == 8
    assert 70 <= tiny["students"] <= 130


def test_weak_students_score_lower_and_absentees_miss_more(college: College) -> None:
    values: dict[str, list[str]] = defaultdict(list)
    for _, student, *_rest in college.marks:
        values[college.profiles[student]].append(_rest[4])

    def average(profile: str) -> float:
        graded = [int(v) for v in values[profile] if v.isdigit()]
        return sum(graded) / len(graded)

    def absent_share(profile: str) -> float:
        return values[profile].count("н") / len(values[profile])

    assert average("strong") > average("average") > average("weak") + 0.5
    assert average("strong") > 4.3 and average("weak") < 3.4
    assert absent_share("absentee") > 3 * absent_share("average")
    assert absent_share("absentee") > 2 * absent_share("weak") > 0
    absentees = sum(1 for p in college.profiles.values() if p == "absentee")
    assert 0.01 < absentees / len(college.profiles) < 0.08


def test_marks_are_consistent_with_groups_loads_and_the_calendar(college: College) -> None:
    enrolled = {(group, student) for group, student in college.enrollments}
    loads = {(teacher, group, discipline) for _, teacher, group, discipline in college.teaching_loads}
    days = set()
    for _, student, group, discipline, teacher, day, value, recorded in college.marks:
        assert (group, student) in enrolled
        assert (teacher, group, discipline) in loads
        assert value in MARK_VALUES
        assert day.weekday() < 5 and day < TODAY and recorded.date() == day
        days.add(day)
    assert min(days) >= date(2026, 10, 5) and len(days) == 40, "the last 8 weeks of school days"
    roles = dict(college.journal_people)
    assert all(roles[student] == "student" for _, student in college.enrollments)
    assert all(roles[group[6]] == "teacher" for group in college.groups), "class teachers teach"
    assert college.academic_years[0][1] == "2026/2027"
    spans: dict[uuid.UUID, list[tuple[date, date]]] = defaultdict(list)
    for _, group, _, _, start, end in college.calendar_spans:
        spans[group].append((start, end))
    assert set(spans) == {group[0] for group in college.groups}
    for group_spans in spans.values():
        ordered = sorted(group_spans)
        assert all(a[1] < b[0] for a, b in itertools.pairwise(ordered)), "no overlaps"
        assert ordered[0][0] == date(2026, 9, 1) and ordered[-1][1] == date(2027, 8, 31)


def test_names_agree_with_gender(college: College) -> None:
    for _, username, _, last, first, middle in college.identity_people:
        female = first in demo_college.FEMALE_NAMES
        assert middle.endswith(("вна", "чна")) == female, (first, middle)
        if female and last.endswith(("ов", "ев", "ин", "ский")):
            pytest.fail(f"masculine surname for a woman: {last} {first}")
        uuid.UUID(username)  # no Keycloak login: the person id stands in
    assert demo_college._surname("Островский", True) == "Островская"
    assert demo_college._surname("Толстой", True) == "Толстая"
    assert demo_college._surname("Шевченко", True) == "Шевченко"


def test_existing_groups_are_skipped_and_existing_disciplines_reused() -> None:
    math = uuid.uuid4()
    college = generate(
        seed=7,
        scale=0.05,
        today=TODAY,
        existing_groups=frozenset({"ИС-11"}),
        existing_disciplines={("ОУД.03", "Математика"): math},
        existing_years=frozenset({"2026/2027"}),
    )
    assert "ИС-11" not in {name for _, name, *_ in college.groups}
    assert ("ОУД.03", "Математика") not in {(code, name) for _, code, name, _ in college.disciplines}
    assert any(discipline == math for *_, discipline in college.teaching_loads)
    assert college.academic_years == [] and college.calendar_spans == []


def test_scale_and_seed_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EJOURNAL_DEMO_SCALE", raising=False)
    monkeypatch.delenv("EJOURNAL_DEMO_SEED", raising=False)
    assert demo_college.scale_from_env() == 1.0
    assert demo_college.seed_from_env() == demo_college.DEFAULT_SEED
    monkeypatch.setenv("EJOURNAL_DEMO_SCALE", "10")
    monkeypatch.setenv("EJOURNAL_DEMO_SEED", "5")
    assert demo_college.scale_from_env() == 10.0
    assert demo_college.seed_from_env() == 5
    monkeypatch.setenv("EJOURNAL_DEMO_SCALE", "много")
    with pytest.raises(ValueError, match="EJOURNAL_DEMO_SCALE"):
        demo_college.scale_from_env()
