"""The KTP («календарно-тематический план», R2.2, §2.2, §4.5.2): ordered topics with hours and the
kind of lesson per group (or subgroup) and discipline; lessons take their topic from it. Pure rules
and their errors, no I/O."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from chassis.errors import FailedPrecondition, InvalidArgument, NotFound

from journal_service.domain.lessons import LessonKind

MAX_KTP_TOPICS = 300
MAX_TOPIC_HOURS = 200
# Teachers enter the KTP before 10 September (§4.5.2).
DEADLINE_MONTH, DEADLINE_DAY = 9, 10


@dataclass(frozen=True)
class KtpTopic:
    """A topic of a KTP, in its place (positions from 1)."""

    id: uuid.UUID
    position: int
    title: str
    hours: int
    kind: LessonKind


@dataclass(frozen=True)
class Ktp:
    """The KTP of a group (or one of its subgroups) and a discipline."""

    id: uuid.UUID
    group_id: uuid.UUID
    subgroup_id: uuid.UUID | None
    discipline_id: uuid.UUID
    topics: tuple[KtpTopic, ...]

    @property
    def total_hours(self) -> int:
        """Sum of the topics' hours."""
        return sum(t.hours for t in self.topics)


@dataclass(frozen=True)
class TopicDraft:
    """A topic as a SetKtp names it: the id of a topic to keep, or None for a new one."""

    topic_id: uuid.UUID | None
    title: str
    hours: int
    kind: LessonKind


@dataclass(frozen=True)
class TopicOf:
    """A topic with the group, subgroup and discipline of its KTP (what a lesson checks)."""

    topic: KtpTopic
    group_id: uuid.UUID
    subgroup_id: uuid.UUID | None
    discipline_id: uuid.UUID


@dataclass(frozen=True)
class LoadWithoutKtp:
    """A teaching load whose group and discipline have no KTP."""

    group_id: uuid.UUID
    discipline_id: uuid.UUID
    teacher_id: uuid.UUID


class EmptyKtp(InvalidArgument):
    """A KTP has at least one topic."""

    def __init__(self) -> None:
        super().__init__("В КТП должна быть хотя бы одна тема", code="empty_ktp")


class TooManyKtpTopics(InvalidArgument):
    """A KTP has a bounded number of topics."""

    def __init__(self) -> None:
        super().__init__(f"В КТП не больше {MAX_KTP_TOPICS} тем", code="too_many_ktp_topics")


class InvalidTopicHours(InvalidArgument):
    """A topic takes a positive number of hours."""

    def __init__(self, index: int) -> None:
        super().__init__(
            f"Тема №{index + 1}: часов — число от 1 до {MAX_TOPIC_HOURS}", code="invalid_topic_hours"
        )


class DuplicateKtpTopic(InvalidArgument):
    """A topic id is named once."""

    def __init__(self, index: int) -> None:
        super().__init__(f"Тема №{index + 1} указана дважды", code="duplicate_ktp_topic")


class KtpTopicNotFound(NotFound):
    """No such topic (in this KTP, for SetKtp)."""

    def __init__(self, index: int | None = None) -> None:
        where = "" if index is None else f"Тема №{index + 1}: "
        super().__init__(f"{where}тема КТП не найдена", code="ktp_topic_not_found")


class KtpTopicInUse(FailedPrecondition):
    """A topic already given in a recorded lesson stays in the KTP."""

    def __init__(self, title: str) -> None:
        super().__init__(
            f"Тему «{title}» нельзя удалить: по ней уже проведено занятие", code="ktp_topic_in_use"
        )


class KtpTopicOfOtherDiscipline(FailedPrecondition):
    """A lesson takes its topic from the KTP of its own group and discipline."""

    def __init__(self) -> None:
        super().__init__(
            "Тема взята из КТП другой группы или дисциплины", code="ktp_topic_of_other_discipline"
        )


def deadline_of(first_day_of_year: date) -> date:
    """Return the day by which every KTP of the year is due (10 September)."""
    return date(first_day_of_year.year, DEADLINE_MONTH, DEADLINE_DAY)


def replace_ktp(
    existing: Ktp | None,
    *,
    group_id: uuid.UUID,
    subgroup_id: uuid.UUID | None,
    discipline_id: uuid.UUID,
    drafts: Sequence[TopicDraft],
    in_use: Collection[uuid.UUID],
) -> Ktp:
    """Return the KTP with the drafts as its topics, in order: a named topic keeps its id, a new one
    gets one; a topic used by a lesson (`in_use`) must be named again."""
    if not drafts:
        raise EmptyKtp()
    if len(drafts) > MAX_KTP_TOPICS:
        raise TooManyKtpTopics()
    old = {t.id: t for t in existing.topics} if existing is not None else {}
    seen: set[uuid.UUID] = set()
    topics: list[KtpTopic] = []
    for index, draft in enumerate(drafts):
        if not 1 <= draft.hours <= MAX_TOPIC_HOURS:
            raise InvalidTopicHours(index)
        topic_id = draft.topic_id
        if topic_id is None:
            topic_id = uuid.uuid4()
        elif topic_id not in old:
            raise KtpTopicNotFound(index)
        elif topic_id in seen:
            raise DuplicateKtpTopic(index)
        seen.add(topic_id)
        topics.append(KtpTopic(topic_id, index + 1, draft.title, draft.hours, draft.kind))
    for topic_id, topic in old.items():
        if topic_id in in_use and topic_id not in seen:
            raise KtpTopicInUse(topic.title)
    return Ktp(
        id=existing.id if existing is not None else uuid.uuid4(),
        group_id=group_id,
        subgroup_id=subgroup_id,
        discipline_id=discipline_id,
        topics=tuple(topics),
    )


def topic_fits_lesson(
    found: TopicOf, *, group_id: uuid.UUID, subgroup_id: uuid.UUID | None, discipline_id: uuid.UUID
) -> bool:
    """Return True when the topic is of the lesson's group and discipline: the whole group's KTP, or
    the KTP of the lesson's own subgroup."""
    return (found.group_id, found.discipline_id) == (group_id, discipline_id) and (
        found.subgroup_id is None or found.subgroup_id == subgroup_id
    )
