"""KTPs («календарно-тематический план») and their topics: every query of them. Repositories never commit."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date

from sqlalchemy import bindparam, delete, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from journal_service.adapters import orm
from journal_service.domain import ktp

_k, _t = orm.ktps.c, orm.ktp_topics.c


class KtpRepository:
    """KTPs per group (or subgroup) and discipline, their topics, and the loads without one."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(
        self,
        group_id: uuid.UUID,
        discipline_id: uuid.UUID,
        subgroup_id: uuid.UUID | None,
        *,
        lock: bool = False,
    ) -> ktp.Ktp | None:
        """Return the KTP with its topics in order, or None; `lock` locks the group row first (one
        writer of the group's KTPs and lessons at a time)."""
        if lock:
            g = orm.groups.c
            await self._session.execute(select(g.id).where(g.id == group_id).with_for_update())
        subgroup = _k.subgroup_id.is_(None) if subgroup_id is None else _k.subgroup_id == subgroup_id
        ktp_id = (
            await self._session.execute(
                select(_k.id).where(_k.group_id == group_id, _k.discipline_id == discipline_id, subgroup)
            )
        ).scalar_one_or_none()
        if ktp_id is None:
            return None
        rows = await self._session.execute(
            select(_t.id, _t.position, _t.title, _t.hours, _t.kind)
            .where(_t.ktp_id == ktp_id)
            .order_by(_t.position)
        )
        return ktp.Ktp(ktp_id, group_id, subgroup_id, discipline_id, tuple(ktp.KtpTopic(*r) for r in rows))

    async def save(self, plan: ktp.Ktp, *, previous: ktp.Ktp | None, today: date) -> None:
        """Store the KTP over its previous version: topics dropped are deleted, kept ones updated in
        place (their ids stay), new ones inserted; a new KTP is dated `today` (the college's date)."""
        if previous is None:
            await self._session.execute(
                insert(orm.ktps).values(
                    id=plan.id,
                    group_id=plan.group_id,
                    subgroup_id=plan.subgroup_id,
                    discipline_id=plan.discipline_id,
                    created_on=today,
                )
            )
        else:
            await self._session.execute(
                update(orm.ktps).where(_k.id == plan.id).values(updated_at=func.now())
            )
        old = {t.id for t in previous.topics} if previous is not None else set()
        kept = [t for t in plan.topics if t.id in old]
        added = [t for t in plan.topics if t.id not in old]
        dropped = old - {t.id for t in plan.topics}
        if dropped:
            await self._session.execute(delete(orm.ktp_topics).where(_t.id.in_(dropped)))
        if kept:
            await self._session.execute(
                update(orm.ktp_topics)
                .where(_t.id == bindparam("topic_id"))
                .values(
                    position=bindparam("new_position"),
                    title=bindparam("new_title"),
                    hours=bindparam("new_hours"),
                    kind=bindparam("new_kind"),
                ),
                [
                    {
                        "topic_id": t.id,
                        "new_position": t.position,
                        "new_title": t.title,
                        "new_hours": t.hours,
                        "new_kind": t.kind,
                    }
                    for t in kept
                ],
            )
        if added:
            await self._session.execute(
                insert(orm.ktp_topics),
                [
                    {
                        "id": t.id,
                        "ktp_id": plan.id,
                        "position": t.position,
                        "title": t.title,
                        "hours": t.hours,
                        "kind": t.kind,
                    }
                    for t in added
                ],
            )

    async def topic(self, topic_id: uuid.UUID) -> ktp.TopicOf | None:
        """Return the topic with its KTP's group, subgroup and discipline, or None."""
        row = (
            await self._session.execute(
                select(
                    _t.id,
                    _t.position,
                    _t.title,
                    _t.hours,
                    _t.kind,
                    _k.group_id,
                    _k.subgroup_id,
                    _k.discipline_id,
                )
                .join(orm.ktps, _k.id == _t.ktp_id)
                .where(_t.id == topic_id)
            )
        ).first()
        if row is None:
            return None
        return ktp.TopicOf(ktp.KtpTopic(*row[:5]), row[5], row[6], row[7])

    async def topics_in_use(self, topic_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        """Return those of the topics a recorded lesson follows."""
        if not topic_ids:
            return set()
        lc = orm.lessons.c
        rows = await self._session.execute(
            select(lc.ktp_topic_id).where(lc.ktp_topic_id.in_(list(topic_ids))).distinct()
        )
        return {topic_id for (topic_id,) in rows}

    async def loads_without_ktp(self, as_of: date) -> list[ktp.LoadWithoutKtp]:
        """Return every teaching load whose group and discipline had no KTP (the group's or a
        subgroup's) set on or before `as_of`, by group name, discipline code and teacher (one query)."""
        tl, g, d = orm.teaching_loads.c, orm.groups.c, orm.disciplines.c
        has_ktp = exists().where(
            _k.group_id == tl.group_id, _k.discipline_id == tl.discipline_id, _k.created_on <= as_of
        )
        rows = await self._session.execute(
            select(tl.group_id, tl.discipline_id, tl.teacher_id, g.name, d.code)
            .join(orm.groups, g.id == tl.group_id)
            .join(orm.disciplines, d.id == tl.discipline_id)
            .where(~has_ktp)
            .distinct()
            .order_by(g.name, d.code, tl.teacher_id, tl.group_id, tl.discipline_id)
        )
        return [
            ktp.LoadWithoutKtp(group_id, discipline_id, teacher_id)
            for group_id, discipline_id, teacher_id, *_ in rows
        ]
