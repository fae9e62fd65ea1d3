"""A realistic demo college, generated from a seed and loaded in bulk (issue 6 item 11).

About 2,000 students in ~80 groups, 150 teachers, disciplines with teaching loads, an academic year
with every group's calendar laid out around today's date, and the last ~8 weeks of school days of
marks and absences («н») with plausible distributions: strong, average and weak students and a few
chronic absentees. `EJOURNAL_DEMO_SCALE` scales the people and groups (1 by default; 10 for a
region-sized run; 0 turns the generator off), `EJOURNAL_DEMO_SEED` picks another college.

`generate` is pure (same seed, scale, today and existing names → the same college, ids included);
`load` writes it with PostgreSQL COPY (asyncpg `copy_records_to_table`) straight into each service's
own database: identity (people, guardianships), journal (people projection, groups, enrolments,
disciplines, teaching loads, academic year and calendars, the groups' curricula and KTPs — a handful
of loads left without one —, marks) and reports (`mark_facts`, the same
marks by id). Nothing goes through the outbox: bulk history is not news, no event is published.

Generated people have no Keycloak account: identity's `people.id` is what a Keycloak account's
subject would be, so the generated id stands in for it, and `username` (NOT NULL, unique) is the
person id as text — a login no Keycloak user has; e-mail stays NULL.

The generator names its columns, so tables added later (and columns with defaults) do not break it.

The timetable («расписание», `timetable_entries`, both semesters alike): every group has 3–4 pairs a
day Monday to Saturday (pairs 1–4, later ones only when a teacher is busy), each discipline at most
once a day, every week (no odd/even pairs), no two pairs of a group and no two pairs of a teacher at
once across the college (`_timetable`, greedy and deterministic: no randomness). Groups that existed
before (the demo ИС-21 with the demo teacher's two disciplines) come first, with both of their
disciplines every day from Monday to Saturday at pairs 1–2: so the demo teacher has pairs today
whatever the weekday, and on a Sunday the next teaching day (Monday) has them — unless today falls in
the calendar's session or holidays, when the «Сегодня» page is rightly empty. The generated marks
of the past weeks fall on their discipline's timetable days (Monday to Friday).
"""

from __future__ import annotations

import asyncio
import heapq
import os
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

DEFAULT_SEED = 2026
BASE_GROUPS = 80
BASE_TEACHERS = 150
MARK_WEEKS = 8
PARENT_SHARE = 0.35

# (group prefix, specialty code, specialty name, professional disciplines: (code, name, kind))
SPECIALTIES: list[tuple[str, str, str, list[tuple[str, str, str]]]] = [
    ("ИС", "09.02.07", "Информационные системы и программирование", [
        ("ОП.01", "Операционные системы и среды", "discipline"),
        ("ОП.02", "Архитектура аппаратных средств", "discipline"),
        ("ОП.03", "Информационные технологии", "discipline"),
        ("ОП.04", "Основы алгоритмизации и программирования", "discipline"),
        ("МДК.01.01", "Разработка программных модулей", "mdk"),
        ("МДК.01.02", "Поддержка и тестирование программных модулей", "mdk"),
        ("МДК.02.01", "Технология разработки программного обеспечения", "mdk"),
        ("МДК.02.02", "Инструментальные средства разработки программного обеспечения", "mdk"),
    ]),
    ("ПКС", "09.02.03", "Программирование в компьютерных системах", [
        ("ОП.01", "Операционные системы", "discipline"),
        ("ОП.02", "Архитектура компьютерных систем", "discipline"),
        ("ОП.03", "Технические средства информатизации", "discipline"),
        ("ОП.04", "Основы программирования", "discipline"),
        ("МДК.01.01", "Системное программирование", "mdk"),
        ("МДК.01.02", "Прикладное программирование", "mdk"),
        ("МДК.02.01", "Инфокоммуникационные системы и сети", "mdk"),
        ("МДК.02.02", "Технология разработки и защиты баз данных", "mdk"),
    ]),
    ("СА", "09.02.06", "Сетевое и системное администрирование", [
        ("ОП.01", "Операционные системы и среды", "discipline"),
        ("ОП.02", "Архитектура аппаратных средств", "discipline"),
        ("ОП.03", "Информационные технологии", "discipline"),
        ("ОП.04", "Основы электротехники", "discipline"),
        ("МДК.01.01", "Компьютерные сети", "mdk"),
        ("МДК.01.02", "Организация, принципы построения и функционирования компьютерных сетей", "mdk"),
        ("МДК.02.01", "Администрирование сетевых операционных систем", "mdk"),
        ("МДК.02.02", "Программное обеспечение компьютерных сетей", "mdk"),
    ]),
    ("ЭБ", "38.02.01", "Экономика и бухгалтерский учёт (по отраслям)", [
        ("ОП.01", "Экономика организации", "discipline"),
        ("ОП.02", "Финансы, денежное обращение и кредит", "discipline"),
        ("ОП.03", "Налоги и налогообложение", "discipline"),
        ("ОП.04", "Основы бухгалтерского учёта", "discipline"),
        ("МДК.01.01", "Практические основы бухгалтерского учёта активов организации", "mdk"),
        ("МДК.02.01", "Практические основы бухгалтерского учёта источников формирования активов", "mdk"),
        ("МДК.03.01", "Организация расчётов с бюджетом и внебюджетными фондами", "mdk"),
        ("МДК.04.01", "Технология составления бухгалтерской отчётности", "mdk"),
    ]),
    ("ПСО", "40.02.01", "Право и организация социального обеспечения", [
        ("ОП.01", "Теория государства и права", "discipline"),
        ("ОП.02", "Конституционное право России", "discipline"),
        ("ОП.03", "Административное право", "discipline"),
        ("ОП.04", "Основы экологического права", "discipline"),
        ("МДК.01.01", "Право социального обеспечения", "mdk"),
        ("МДК.01.02", "Психология социально-правовой деятельности", "mdk"),
        ("МДК.02.01", "Организация работы органов и учреждений социальной защиты населения", "mdk"),
        ("МДК.02.02", "Социальная защита отдельных категорий граждан", "mdk"),
    ]),
    ("ПК", "43.02.15", "Поварское и кондитерское дело", [
        ("ОП.01", "Микробиология, физиология питания, санитария и гигиена", "discipline"),
        ("ОП.02", "Организация хранения и контроль запасов и сырья", "discipline"),
        ("ОП.03", "Техническое оснащение организаций питания", "discipline"),
        ("ОП.04", "Организация обслуживания", "discipline"),
        ("МДК.01.01", "Организация процессов приготовления полуфабрикатов", "mdk"),
        ("МДК.02.01", "Организация приготовления горячих блюд и кулинарных изделий", "mdk"),
        ("МДК.03.01", "Приготовление холодных блюд и закусок", "mdk"),
        ("МДК.04.01", "Приготовление хлебобулочных и мучных кондитерских изделий", "mdk"),
    ]),
    ("ТМ", "15.02.16", "Технология машиностроения", [
        ("ОП.01", "Инженерная графика", "discipline"),
        ("ОП.02", "Техническая механика", "discipline"),
        ("ОП.03", "Материаловедение", "discipline"),
        ("ОП.04", "Метрология, стандартизация и сертификация", "discipline"),
        ("МДК.01.01", "Технологические процессы изготовления деталей машин", "mdk"),
        ("МДК.01.02", "Системы автоматизированного проектирования", "mdk"),
        ("МДК.02.01", "Управление ресурсами структурного подразделения", "mdk"),
        ("МДК.03.01", "Реализация технологических процессов изготовления деталей", "mdk"),
    ]),
    ("СЗ", "08.02.01", "Строительство и эксплуатация зданий и сооружений", [
        ("ОП.01", "Инженерная графика", "discipline"),
        ("ОП.02", "Техническая механика", "discipline"),
        ("ОП.03", "Основы электротехники", "discipline"),
        ("ОП.04", "Основы геодезии", "discipline"),
        ("МДК.01.01", "Проектирование зданий и сооружений", "mdk"),
        ("МДК.01.02", "Проект производства работ", "mdk"),
        ("МДК.02.01", "Организация технологических процессов на объекте", "mdk"),
        ("МДК.03.01", "Эксплуатация зданий и сооружений", "mdk"),
    ]),
    ("АТ", "23.02.07", "Техническое обслуживание и ремонт двигателей, систем и агрегатов автомобилей", [
        ("ОП.01", "Инженерная графика", "discipline"),
        ("ОП.02", "Техническая механика", "discipline"),
        ("ОП.03", "Электротехника и электроника", "discipline"),
        ("ОП.04", "Правила безопасности дорожного движения", "discipline"),
        ("МДК.01.01", "Устройство автомобилей", "mdk"),
        ("МДК.01.02", "Техническое обслуживание и ремонт автомобильных двигателей", "mdk"),
        ("МДК.02.01", "Техническая документация", "mdk"),
        ("МДК.03.01", "Организация работ по модернизации автотранспортных средств", "mdk"),
    ]),
    ("ЭО", "13.02.11", "Техническая эксплуатация и обслуживание электрического и электромеханического "
     "оборудования (по отраслям)", [
        ("ОП.01", "Инженерная графика", "discipline"),
        ("ОП.02", "Электротехника и электроника", "discipline"),
        ("ОП.03", "Метрология, стандартизация и сертификация", "discipline"),
        ("ОП.04", "Техническая механика", "discipline"),
        ("МДК.01.01", "Электрические машины и аппараты", "mdk"),
        ("МДК.01.02", "Основы технической эксплуатации и обслуживания электрооборудования", "mdk"),
        ("МДК.02.01", "Планирование и организация работы структурного подразделения", "mdk"),
        ("МДК.03.01", "Электроснабжение отрасли", "mdk"),
    ]),
]  # fmt: skip

# General disciplines by course: the first course takes the school curriculum (ОУД), later ones ОГСЭ/ЕН.
GENERAL: dict[int, list[tuple[str, str, str]]] = {
    1: [("ОУД.01", "Русский язык", "discipline"), ("ОУД.03", "Математика", "discipline"),
        ("ОУД.04", "История", "discipline"), ("ОУД.06", "Физическая культура", "discipline")],
    2: [("ОГСЭ.02", "История России", "discipline"),
        ("ОГСЭ.03", "Иностранный язык в профессиональной деятельности", "discipline"),
        ("ОГСЭ.04", "Физическая культура", "discipline"),
        ("ЕН.01", "Элементы высшей математики", "discipline")],
    3: [("ОГСЭ.03", "Иностранный язык в профессиональной деятельности", "discipline"),
        ("ОГСЭ.04", "Физическая культура", "discipline"), ("ОГСЭ.05", "Психология общения", "discipline")],
    4: [("ОГСЭ.03", "Иностранный язык в профессиональной деятельности", "discipline"),
        ("ОГСЭ.04", "Физическая культура", "discipline")],
}  # fmt: skip

# (male first name, patronymic ♂, patronymic ♀) — patronymics are made from fathers' names.
MALE_NAMES = [
    ("Александр", "Александрович", "Александровна"), ("Дмитрий", "Дмитриевич", "Дмитриевна"),
    ("Максим", "Максимович", "Максимовна"), ("Сергей", "Сергеевич", "Сергеевна"),
    ("Андрей", "Андреевич", "Андреевна"), ("Алексей", "Алексеевич", "Алексеевна"),
    ("Артём", "Артёмович", "Артёмовна"), ("Илья", "Ильич", "Ильинична"),
    ("Кирилл", "Кириллович", "Кирилловна"), ("Михаил", "Михайлович", "Михайловна"),
    ("Никита", "Никитич", "Никитична"), ("Матвей", "Матвеевич", "Матвеевна"),
    ("Роман", "Романович", "Романовна"), ("Егор", "Егорович", "Егоровна"),
    ("Иван", "Иванович", "Ивановна"), ("Владимир", "Владимирович", "Владимировна"),
    ("Павел", "Павлович", "Павловна"), ("Николай", "Николаевич", "Николаевна"),
    ("Евгений", "Евгеньевич", "Евгеньевна"), ("Игорь", "Игоревич", "Игоревна"),
    ("Олег", "Олегович", "Олеговна"), ("Юрий", "Юрьевич", "Юрьевна"),
    ("Виктор", "Викторович", "Викторовна"), ("Денис", "Денисович", "Денисовна"),
    ("Константин", "Константинович", "Константиновна"), ("Тимофей", "Тимофеевич", "Тимофеевна"),
    ("Григорий", "Григорьевич", "Григорьевна"), ("Вадим", "Вадимович", "Вадимовна"),
]  # fmt: skip
FEMALE_NAMES = [
    "Анна", "Мария", "Елена", "Дарья", "Алина", "Ирина", "Екатерина", "Анастасия", "Полина",
    "Ольга", "Татьяна", "Наталья", "Юлия", "Виктория", "Ксения", "Софья", "Арина", "Валерия",
    "Светлана", "Елизавета", "Вероника", "Алёна", "Кристина", "Марина", "Людмила", "Галина",
]  # fmt: skip
# Surnames in the masculine form; `_surname` gives the feminine one.
SURNAMES = [
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
    "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
    "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
    "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв",
    "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв",
    "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев",
    "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев",
    "Герасимов", "Богданов", "Осипов", "Сидоров", "Матвеев", "Титов", "Марков", "Миронов",
    "Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов", "Гаврилов", "Тихонов",
    "Казаков", "Афанасьев", "Данилов", "Савельев", "Тимофеев", "Фомин", "Чернов", "Абрамов",
    "Мартынов", "Ефимов", "Федотов", "Щербаков", "Назаров", "Калинин", "Исаев", "Чернышёв",
    "Быков", "Маслов", "Родионов", "Коновалов", "Лазарев", "Воронин", "Климов", "Филатов",
    "Пономарёв", "Голубев", "Кудрявцев", "Прохоров", "Наумов", "Потапов", "Журавлёв", "Овчинников",
    "Трофимов", "Леонов", "Соболев", "Ермаков", "Колесников", "Гончаров", "Емельянов", "Никифоров",
    "Грачёв", "Котов", "Гришин", "Ефремов", "Архипов", "Громов", "Кириллов", "Малышев",
    "Панов", "Моисеев", "Румянцев", "Акимов", "Кондратьев", "Бирюков", "Горбунов", "Анисимов",
    "Еремин", "Тихомиров", "Галкин", "Лукьянов", "Михеев", "Скворцов", "Юдин", "Белоусов",
    "Нестеров", "Симонов", "Прокофьев", "Харитонов", "Князев", "Цветков", "Левин", "Митрофанов",
    "Воронцов", "Третьяков", "Зуев", "Горшков", "Островский", "Ковальчук", "Шевченко", "Бондаренко",
    "Савицкий", "Толстой", "Полевой", "Лозовой", "Ткаченко", "Мороз", "Руденко", "Кравчук",
]  # fmt: skip

# Student profiles: share, mean of a graded mark, spread, chance of missing a lesson.
PROFILES: dict[str, tuple[float, float, float, float]] = {
    "strong": (0.20, 4.6, 0.55, 0.03),
    "average": (0.56, 3.9, 0.70, 0.06),
    "weak": (0.20, 3.0, 0.70, 0.12),
    "absentee": (0.04, 3.1, 0.80, 0.45),
}
GRADED_SHARE = 0.3  # of the students present at a lesson, the share who get a graded mark
LESSONS_PER_WEEK = 2  # per discipline and group


def _surname(masculine: str, female: bool) -> str:
    if not female:
        return masculine
    for ending, feminine in (("ский", "ская"), ("цкий", "цкая"), ("ой", "ая"), ("ый", "ая"), ("ий", "ая")):
        if masculine.endswith(ending):
            return masculine[: -len(ending)] + feminine
    if masculine.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return masculine + "а"
    return masculine  # Ковальчук, Шевченко, Мороз: the same for both


@dataclass
class College:
    """The generated rows, table by table (the column order of `COLUMNS`)."""

    seed: int
    scale: float
    today: date
    identity_people: list[tuple[Any, ...]] = field(default_factory=list)
    guardianships: list[tuple[Any, ...]] = field(default_factory=list)
    journal_people: list[tuple[Any, ...]] = field(default_factory=list)
    groups: list[tuple[Any, ...]] = field(default_factory=list)
    enrollments: list[tuple[Any, ...]] = field(default_factory=list)
    disciplines: list[tuple[Any, ...]] = field(default_factory=list)
    teaching_loads: list[tuple[Any, ...]] = field(default_factory=list)
    academic_years: list[tuple[Any, ...]] = field(default_factory=list)
    academic_periods: list[tuple[Any, ...]] = field(default_factory=list)
    calendar_spans: list[tuple[Any, ...]] = field(default_factory=list)
    marks: list[tuple[Any, ...]] = field(default_factory=list)
    timetable_entries: list[tuple[Any, ...]] = field(default_factory=list)
    # The curriculum of every generated group and a KTP for almost every load (issue 6 items 1-2).
    curriculum_items: list[tuple[Any, ...]] = field(default_factory=list)
    ktps: list[tuple[Any, ...]] = field(default_factory=list)
    ktp_topics: list[tuple[Any, ...]] = field(default_factory=list)
    # student id → profile name (not stored anywhere: for tests and the summary)
    profiles: dict[uuid.UUID, str] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Return the number of rows per table, and of students and teachers."""
        roles = Counter(role for _, role in self.journal_people)
        return {
            "students": roles["student"],
            "teachers": roles["teacher"],
            "parents": roles["parent"],
            "groups": len(self.groups),
            "disciplines": len(self.disciplines),
            "teaching_loads": len(self.teaching_loads),
            "marks": len(self.marks),
        }


COLUMNS: dict[str, tuple[str, ...]] = {
    "identity_people": ("id", "username", "role", "last_name", "first_name", "middle_name"),
    "guardianships": ("parent_id", "student_id"),
    "journal_people": ("person_id", "role"),
    "groups": ("id", "name", "course_year", "specialty_code", "specialty_name", "study_form",
               "class_teacher_id"),
    "enrollments": ("group_id", "student_id"),
    "disciplines": ("id", "code", "name", "kind"),
    "teaching_loads": ("id", "teacher_id", "group_id", "discipline_id"),
    "academic_years": ("id", "name", "starts_on", "ends_on"),
    "academic_periods": ("year_id", "number", "starts_on", "ends_on"),
    "calendar_spans": ("id", "group_id", "year_id", "kind", "starts_on", "ends_on"),
    "marks": ("id", "student_id", "group_id", "discipline_id", "teacher_id", "lesson_date", "value",
              "recorded_at"),
    "timetable_entries": ("id", "group_id", "year_id", "semester", "weekday", "pair_number", "parity",
                          "discipline_id", "subgroup_id", "teacher_id", "room"),
    "curriculum_items": ("group_id", "year_id", "discipline_id", "semester", "total_hours", "weekly_hours",
                         "control_form"),
    "ktps": ("id", "group_id", "discipline_id", "created_on"),
    "ktp_topics": ("id", "ktp_id", "position", "title", "hours", "kind"),
}  # fmt: skip
MARK_FACT_COLUMNS = ("mark_id", "group_id", "discipline_id", "student_id", "value", "lesson_date",
                     "recorded_at", "event_id")  # fmt: skip


def scale_from_env() -> float:
    """Return `EJOURNAL_DEMO_SCALE` (1 when unset); 0 turns the generator off."""
    raw = os.environ.get("EJOURNAL_DEMO_SCALE", "").strip()
    try:
        value = float(raw) if raw else 1.0
    except ValueError:
        raise ValueError(f"EJOURNAL_DEMO_SCALE must be a number, not {raw!r}") from None
    if value < 0:
        raise ValueError("EJOURNAL_DEMO_SCALE must not be negative")
    return value


def seed_from_env() -> int:
    """Return `EJOURNAL_DEMO_SEED` (2026 when unset)."""
    raw = os.environ.get("EJOURNAL_DEMO_SEED", "").strip()
    return int(raw) if raw else DEFAULT_SEED


def academic_year_of(today: date) -> tuple[str, date, date]:
    """Return the name, start and end of the academic year that holds `today` (1 Sep – 31 Aug)."""
    first = today.year if today.month >= 9 else today.year - 1
    return f"{first}/{first + 1}", date(first, 9, 1), date(first + 1, 8, 31)


def _calendar(first: int) -> list[tuple[str, date, date]]:
    """The college's usual calendar of a year starting in September of `first`."""
    return [
        ("theory", date(first, 9, 1), date(first, 12, 24)),
        ("session", date(first, 12, 25), date(first, 12, 30)),
        ("holidays", date(first, 12, 31), date(first + 1, 1, 11)),
        ("theory", date(first + 1, 1, 12), date(first + 1, 6, 14)),
        ("session", date(first + 1, 6, 15), date(first + 1, 6, 28)),
        ("holidays", date(first + 1, 6, 29), date(first + 1, 8, 31)),
    ]


# The timetable: pairs a day from Monday (1) to Saturday (6), rotated by group; 21 pairs a week.
DAY_QUOTAS = (4, 4, 3, 4, 3, 3)
PAIRS_A_WEEK = sum(DAY_QUOTAS)
LAST_PAIR = 6  # the bell schedule's pairs; 5 and 6 only when a teacher is busy at 1–4


def _timetable(
    order: int,
    lessons: list[tuple[uuid.UUID, uuid.UUID]],
    busy: set[tuple[uuid.UUID, int, int]],
    *,
    per_discipline: int | None = None,
) -> dict[tuple[int, int], int]:
    """Place a group's disciplines (discipline, teacher) on (weekday, pair) → index into `lessons`.

    Each discipline meets `per_discipline` times a week (enough for 21 pairs by default), at most once
    a day; a slot whose teacher is in `busy` (teacher, weekday, pair) is skipped, and `busy` is updated.
    """
    if not lessons:
        return {}
    count = per_discipline or min(6, -(-PAIRS_A_WEEK // len(lessons)))
    left = [count] * len(lessons)
    placed: dict[tuple[int, int], int] = {}
    for weekday in range(1, 7):
        quota = DAY_QUOTAS[(order + weekday) % len(DAY_QUOTAS)] if per_discipline is None else len(lessons)
        today: set[int] = set()
        for pair in range(1, LAST_PAIR + 1):
            if len(today) >= quota:
                break
            free = [
                i
                for i in range(len(lessons))
                if left[i] > 0 and i not in today and (lessons[i][1], weekday, pair) not in busy
            ]
            if not free:
                continue
            chosen = min(free, key=lambda i: (-left[i], (i - weekday - order) % len(lessons)))
            placed[(weekday, pair)] = chosen
            left[chosen] -= 1
            today.add(chosen)
            busy.add((lessons[chosen][1], weekday, pair))
    return placed


def _room(order: int, title: str) -> str:
    """A plausible room: the gym for physical education, else the group's own classroom."""
    return "спортзал" if "Физическая культура" in title else f"{1 + order // 25 % 4}{order % 25 + 1:02d}"


def generate(
    *,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    today: date | None = None,
    existing_groups: frozenset[str] = frozenset(),
    existing_disciplines: dict[tuple[str, str], uuid.UUID] | None = None,
    existing_years: frozenset[str] = frozenset(),
    existing_loads: tuple[tuple[uuid.UUID, uuid.UUID, uuid.UUID], ...] = (),
) -> College:
    """Generate a college: pure and deterministic in its arguments.

    Groups whose names exist are skipped (the demo ИС-21 stands in their place); disciplines that
    exist by (code, name) are reused by id; the academic year is generated unless its name exists.
    `existing_loads` (group, discipline, teacher) of those groups get their timetable first.
    """
    today = today or date.today()
    rng = random.Random(seed)  # noqa: S311 - a reproducible demo, not a secret

    def new_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    college = College(seed=seed, scale=scale, today=today)
    known = dict(existing_disciplines or {})

    def person(role: str, female: bool, surname: str | None = None) -> uuid.UUID:
        pid = new_id()
        first = rng.choice(MALE_NAMES)[0]
        _, father_m, father_f = rng.choice(MALE_NAMES)
        given = rng.choice(FEMALE_NAMES) if female else first
        middle = father_f if female else father_m
        last = _surname(surname or rng.choice(SURNAMES), female)
        college.identity_people.append((pid, str(pid), role, last, given, middle))
        college.journal_people.append((pid, role))
        return pid

    # Groups: specialties × courses round-robin, so every scale keeps a mix.
    n_groups = max(1, round(BASE_GROUPS * scale))
    plan: list[tuple[int, int, int]] = []  # (specialty index, course, number)
    for i in range(n_groups):
        spec = i % len(SPECIALTIES)
        course = 1 + (i // len(SPECIALTIES)) % 4
        number = 1 + i // (len(SPECIALTIES) * 4)
        plan.append((spec, course, number))

    # Disciplines of each planned group, and how many groups each discipline serves.
    def curriculum(spec: int, course: int) -> list[tuple[str, str, str]]:
        pro = SPECIALTIES[spec][3]
        return GENERAL[course] + pro[2 * (course - 1) : 2 * (course - 1) + 3]

    slots: Counter[tuple[str, str]] = Counter()
    kinds: dict[tuple[str, str], str] = {}
    planned = []
    for spec, course, number in plan:
        prefix = SPECIALTIES[spec][0]
        name = f"{prefix}-{course}{number}"
        if name in existing_groups:
            continue
        planned.append((spec, course, name))
        for code, title, kind in curriculum(spec, course):
            slots[(code, title)] += 1
            kinds[(code, title)] = kind
    keys = sorted(slots)
    discipline_ids: dict[tuple[str, str], uuid.UUID] = {}
    for key in keys:
        if key in known:
            discipline_ids[key] = known[key]
        else:
            discipline_ids[key] = new_id()
            college.disciplines.append((discipline_ids[key], key[0], key[1], kinds[key]))

    # Teachers: every discipline gets at least one when there are enough, the rest go where the load is.
    n_teachers = max(1, round(BASE_TEACHERS * scale))
    teachers = [person("teacher", rng.random() < 0.7) for _ in range(n_teachers)]
    pools: dict[tuple[str, str], list[uuid.UUID]] = {key: [] for key in keys}
    if n_teachers >= len(keys):
        for key, teacher in zip(keys, teachers, strict=False):
            pools[key].append(teacher)
        heap: list[tuple[float, tuple[str, str]]] = [(-float(slots[key]), key) for key in keys]
        heapq.heapify(heap)
        for teacher in teachers[len(keys) :]:
            _, key = heapq.heappop(heap)
            pools[key].append(teacher)
            heapq.heappush(heap, (-slots[key] / (len(pools[key]) + 1), key))
    else:
        for index, key in enumerate(keys):
            pools[key].append(teachers[index % n_teachers])
    turn: Counter[tuple[str, str]] = Counter()

    # The academic year and the calendars, around today.
    year_name, year_start, year_end = academic_year_of(today)
    first = year_start.year
    calendar = _calendar(first)
    year_id: uuid.UUID | None = None
    if year_name not in existing_years:
        year_id = new_id()
        college.academic_years.append((year_id, year_name, year_start, year_end))
        college.academic_periods.append((year_id, 1, date(first, 9, 1), date(first, 12, 30)))
        college.academic_periods.append((year_id, 2, date(first + 1, 1, 12), date(first + 1, 6, 28)))
    theory = [(start, end) for kind, start, end in calendar if kind == "theory"]
    days: list[date] = []
    day = today - timedelta(days=1)
    while len(days) < MARK_WEEKS * 5 and day >= year_start:
        if day.weekday() < 5 and any(start <= day <= end for start, end in theory):
            days.append(day)
        day -= timedelta(days=1)
    days.reverse()

    # The timetable: the existing groups' loads first (the demo teacher's pairs every day), then each
    # generated group's as it is made; `busy` keeps teachers in one place at a time.
    busy: set[tuple[uuid.UUID, int, int]] = set()

    def add_timetable(group_id: uuid.UUID, placed: dict[tuple[int, int], int], rows: list[Any]) -> None:
        if year_id is None:
            return
        for (weekday, pair), index in sorted(placed.items()):
            discipline_id, teacher, room = rows[index]
            for semester in (1, 2):
                college.timetable_entries.append(
                    (new_id(), group_id, year_id, semester, weekday, pair, "every", discipline_id, None,
                     teacher, room)
                )  # fmt: skip

    by_group: dict[uuid.UUID, list[tuple[uuid.UUID, uuid.UUID]]] = {}
    for group_id, discipline_id, teacher in sorted(existing_loads):
        by_group.setdefault(group_id, []).append((discipline_id, teacher))
    for group_id, group_loads in by_group.items():
        placed = _timetable(0, group_loads, busy, per_discipline=6)
        add_timetable(group_id, placed, [(d, t, "101") for d, t in group_loads])

    profile_names = list(PROFILES)
    weights = [PROFILES[name][0] for name in profile_names]
    class_teachers: set[uuid.UUID] = set()
    target_students = 2000 * scale
    mean_size = max(1.0, target_students / max(1, n_groups))
    for spec, course, name in planned:
        prefix, code, title, _ = SPECIALTIES[spec]
        group_id = new_id()
        lessons: list[tuple[uuid.UUID, uuid.UUID]] = []  # (discipline, teacher)
        for d_code, d_title, _ in curriculum(spec, course):
            key = (d_code, d_title)
            pool = pools[key]
            teacher = pool[turn[key] % len(pool)]
            turn[key] += 1
            lessons.append((discipline_ids[key], teacher))
            college.teaching_loads.append((new_id(), teacher, group_id, discipline_ids[key]))
        order = len(college.groups)
        placed = _timetable(order, lessons, busy)
        titles = [title for _, title, _ in curriculum(spec, course)]
        add_timetable(group_id, placed, [(d, t, _room(order, titles[i])) for i, (d, t) in enumerate(lessons)])
        pair_of = {(index, weekday): pair for (weekday, pair), index in placed.items()}
        free = [t for _, t in lessons if t not in class_teachers]
        class_teacher = rng.choice(free or [t for _, t in lessons])
        class_teachers.add(class_teacher)
        form = "part_time" if spec in (3, 4) and course >= 3 and rng.random() < 0.3 else "full_time"
        college.groups.append((group_id, name, course, code, title, form, class_teacher))
        if year_id is not None:
            for kind, start, end in calendar:
                college.calendar_spans.append((new_id(), group_id, year_id, kind, start, end))

        size = max(1, round(rng.gauss(mean_size, mean_size * 0.12)))
        students: list[tuple[uuid.UUID, str]] = []
        for _ in range(size):
            female = rng.random() < 0.45
            surname = rng.choice(SURNAMES)
            student = person("student", female, surname)
            profile = rng.choices(profile_names, weights)[0]
            college.profiles[student] = profile
            college.enrollments.append((group_id, student))
            students.append((student, profile))
            if rng.random() < PARENT_SHARE:
                parent = person("parent", rng.random() < 0.8, surname)
                college.guardianships.append((parent, student))

        # Each discipline meets on its timetable's days (the marks' days are Monday to Friday).
        for index, (discipline_id, teacher) in enumerate(lessons):
            for lesson_day in days:
                pair = pair_of.get((index, lesson_day.isoweekday()), 0)
                if not pair:
                    continue
                recorded = datetime(
                    lesson_day.year, lesson_day.month, lesson_day.day, 5 + pair * 2, 30, tzinfo=UTC
                )
                for student, profile in students:
                    _, mean, spread, absence = PROFILES[profile]
                    if rng.random() < absence:
                        value = "н"
                    elif rng.random() < GRADED_SHARE:
                        value = str(min(5, max(2, round(rng.gauss(mean, spread)))))
                    else:
                        continue
                    college.marks.append(
                        (new_id(), student, group_id, discipline_id, teacher, lesson_day, value, recorded)
                    )
    kind_of = {discipline_ids[key]: kinds[key] for key in keys}
    _plan_and_ktp(college, kind_of, year_id, first, seed)
    return college


# The curriculum and the KTPs (issue 6 items 1-2). Their own random stream, so adding them changed
# nothing else the generator makes from a seed.
KTP_MISSING_SHARE = 0.03  # loads whose teacher has not entered the KTP: the «без КТП» list
KTP_LATE_SHARE = 0.1  # KTPs entered after the 10 September deadline
KTP_SECTIONS = [
    ("Введение в дисциплину", [
        ("Цели и задачи дисциплины, её место в профессиональной подготовке", "lecture"),
        ("Основные понятия и определения", "lecture"),
        ("Нормативные документы и стандарты", "combined"),
        ("Практическая работа №1. Анализ исходных данных", "practical"),
    ]),
    ("Основные методы и средства", [
        ("Классификация методов", "lecture"),
        ("Средства и инструменты", "lecture"),
        ("Практическая работа №2. Применение методов на типовых задачах", "practical"),
        ("Лабораторная работа №1", "laboratory"),
        ("Контрольная работа по разделу 2", "test"),
    ]),
    ("Применение в профессиональной деятельности", [
        ("Типовые решения и их выбор", "lecture"),
        ("Практическая работа №3. Разработка решения по заданию", "practical"),
        ("Лабораторная работа №2", "laboratory"),
        ("Семинар: разбор профессиональных ситуаций", "seminar"),
        ("Самостоятельная работа: подготовка сообщения", "independent_work"),
    ]),
    ("Обобщение и контроль", [
        ("Повторение и систематизация материала", "combined"),
        ("Консультация перед промежуточной аттестацией", "consultation"),
        ("Итоговая контрольная работа", "test"),
    ]),
]  # fmt: skip


def _control_forms(kind: str, title: str, rng: random.Random) -> tuple[str, str]:
    """The forms of control of a discipline in semesters 1 and 2."""
    if "Физическая культура" in title:
        return "credit", "differentiated_credit"
    if kind == "mdk":
        return "none", rng.choice(["exam", "differentiated_credit", "course_work"])
    if kind == "pm":
        return "none", "module_exam"
    if kind in {"up", "pp"}:
        return "none", "differentiated_credit"
    first = rng.choice(["none", "none", "differentiated_credit"])
    return first, rng.choice(["exam", "differentiated_credit"])


def _plan_and_ktp(
    college: College, kind_of: dict[uuid.UUID, str], year_id: uuid.UUID | None, first: int, seed: int
) -> None:
    """Give every generated group its curriculum for the year (when the year is generated) and almost
    every teaching load a KTP of plausible topics, entered in the first days of September."""
    rng = random.Random(seed * 7919 + 6)  # noqa: S311 - a reproducible demo, not a secret

    def new_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    titles = {row[0]: row[2] for row in college.disciplines}
    seen: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for _, _teacher, group_id, discipline_id in college.teaching_loads:
        if (group_id, discipline_id) in seen:
            continue
        seen.add((group_id, discipline_id))
        kind, title = kind_of.get(discipline_id, "discipline"), titles.get(discipline_id, "")
        weekly = LESSONS_PER_WEEK * 2
        if year_id is not None:
            forms = _control_forms(kind, title, rng)
            for semester, weeks in ((1, 16), (2, 22)):
                college.curriculum_items.append(
                    (group_id, year_id, discipline_id, semester, weekly * weeks, weekly, forms[semester - 1])
                )
        if rng.random() < KTP_MISSING_SHARE:
            continue
        late = rng.random() < KTP_LATE_SHARE
        entered = date(first, 9, rng.randint(11, 28) if late else rng.randint(1, 9))
        ktp_id = new_id()
        college.ktps.append((ktp_id, group_id, discipline_id, min(entered, college.today)))
        numbered = [
            (f"Тема {section}.{number}. {topic}", lesson_kind)
            for section, (_, topics) in enumerate(KTP_SECTIONS, start=1)
            for number, (topic, lesson_kind) in enumerate(topics, start=1)
        ]
        for position, (topic_title, lesson_kind) in enumerate(numbered, start=1):
            hours = 4 if lesson_kind in {"practical", "laboratory"} and rng.random() < 0.3 else 2
            college.ktp_topics.append((new_id(), ktp_id, position, topic_title, hours, lesson_kind))


def _plain_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _existing(journal: asyncpg.Connection) -> dict[str, Any]:
    groups = {row["name"] for row in await journal.fetch("SELECT name FROM groups")}
    rows = await journal.fetch("SELECT id, code, name FROM disciplines")
    disciplines = {(row["code"], row["name"]): row["id"] for row in rows}
    years = {row["name"] for row in await journal.fetch("SELECT name FROM academic_years")}
    loads = await journal.fetch(
        "SELECT group_id, discipline_id, teacher_id FROM teaching_loads WHERE subgroup_id IS NULL"
    )
    return {
        "existing_groups": frozenset(groups),
        "existing_disciplines": disciplines,
        "existing_years": frozenset(years),
        "existing_loads": tuple((r["group_id"], r["discipline_id"], r["teacher_id"]) for r in loads),
    }


async def _copy(conn: asyncpg.Connection, table: str, key: str, rows: list[tuple[Any, ...]]) -> None:
    if rows:
        await conn.copy_records_to_table(table, records=rows, columns=list(COLUMNS[key]))


async def _load_identity(conn: asyncpg.Connection, college: College) -> None:
    await _copy(conn, "people", "identity_people", college.identity_people)
    await _copy(conn, "guardianships", "guardianships", college.guardianships)


async def _load_journal(conn: asyncpg.Connection, college: College) -> None:
    await _copy(conn, "people", "journal_people", college.journal_people)
    for table in ("groups", "enrollments", "disciplines", "teaching_loads", "academic_years",
                  "academic_periods", "calendar_spans", "marks", "timetable_entries"):  # fmt: skip
        await _copy(conn, table, table, getattr(college, table))
    for table in ("curriculum_items", "ktps", "ktp_topics"):
        await _copy(conn, table, table, getattr(college, table))
    if college.academic_years:
        # The groups that were there before (the demo ИС-21) get the same calendar.
        year_id, _, starts_on, _ = college.academic_years[0]
        new_groups = {row[0] for row in college.groups}
        rows = await conn.fetch("SELECT id FROM groups")
        old = [r["id"] for r in rows if r["id"] not in new_groups]
        spans = [
            (uuid.uuid4(), group_id, year_id, kind, start, end)
            for group_id in old
            for kind, start, end in _calendar(starts_on.year)
        ]
        await _copy(conn, "calendar_spans", "calendar_spans", spans)


async def _load_reports(conn: asyncpg.Connection, college: College) -> None:
    facts = [
        (mid, gid, did, sid, value, day, recorded, f"demo-seed:{mid}")
        for mid, sid, gid, did, _teacher, day, value, recorded in college.marks
    ]
    if facts:
        await conn.copy_records_to_table("mark_facts", records=facts, columns=list(MARK_FACT_COLUMNS))


async def generate_and_load(
    urls: dict[str, str], *, seed: int = DEFAULT_SEED, scale: float = 1.0, today: date | None = None
) -> College:
    """Generate the college around what the journal holds, then load it; `urls`: service → database URL.

    All three databases are written in one transaction each, committed together at the end (a failure
    before the commits leaves nothing behind).
    """
    identity = await asyncpg.connect(_plain_dsn(urls["identity"]))
    journal = await asyncpg.connect(_plain_dsn(urls["journal"]))
    reports = await asyncpg.connect(_plain_dsn(urls["reports"]))
    try:
        existing = await _existing(journal)
        college = generate(seed=seed, scale=scale, today=today, **existing)
        transactions = [conn.transaction() for conn in (identity, journal, reports)]
        for tx in transactions:
            await tx.start()
        try:
            # The three databases load side by side; the journal's marks are the long part.
            outcomes = await asyncio.gather(
                _load_identity(identity, college),
                _load_journal(journal, college),
                _load_reports(reports, college),
                return_exceptions=True,  # all three stop before any rolls back
            )
            for outcome in outcomes:
                if isinstance(outcome, BaseException):
                    raise outcome
        except BaseException:
            for tx in transactions:
                await tx.rollback()
            raise
        for tx in transactions:
            await tx.commit()
        return college
    finally:
        for conn in (identity, journal, reports):
            await conn.close()


def summary(college: College, seconds: float) -> str:
    """Return one line for `make up`'s output."""
    c = college.counts()
    return (
        f"demo college generated in {seconds:.1f} s (scale {college.scale:g}, seed {college.seed}): "
        f"{c['students']} students in {c['groups']} groups, {c['teachers']} teachers, "
        f"{c['parents']} parents, {c['disciplines']} disciplines, {c['teaching_loads']} teaching loads, "
        f"{c['marks']} marks"
    )


def timed_load(urls: dict[str, str], *, seed: int, scale: float) -> tuple[College, float]:
    """Run `generate_and_load` synchronously; return the college and the seconds it took."""
    began = time.monotonic()
    college = asyncio.run(generate_and_load(urls, seed=seed, scale=scale))
    return college, time.monotonic() - began
