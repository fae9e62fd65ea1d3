"""Dated subgroup membership (slice J, issue 7 item 8, R2.6): a transfer between subgroups of a group's
discipline on a date (JournalService.MoveStudentBetweenSubgroups: admin, deputy) and who was in which
subgroup from when to when (ListSubgroupMemberships: the group's readers)."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, RequestBody, date_of, to_local_date


class SubgroupMoveCreate(RequestBody):
    """Перевод обучающегося из одной подгруппы группы в другую по той же дисциплине."""

    from_subgroup_id: UUID = Field(description="Подгруппа, из которой переводится обучающийся")
    to_subgroup_id: UUID = Field(description="Подгруппа той же группы и дисциплины, в которую он переходит")
    on_date: date = Field(description="Первый день в новой подгруппе")


class SubgroupMembershipOut(BaseModel):
    """Обучающийся в подгруппе с даты from_date до to_date (не включая; null — по сей день)."""

    subgroup_id: str
    student_id: str
    from_date: date | None = Field(description="Первый день в подгруппе")
    to_date: date | None = Field(description="Первый день вне подгруппы; null — состоит в ней")


class SubgroupMoveOut(BaseModel):
    """Перевод: закрытое членство и начатое."""

    closed: SubgroupMembershipOut
    opened: SubgroupMembershipOut


class SubgroupMembershipsOut(BaseModel):
    """Составы подгрупп группы по датам."""

    memberships: list[SubgroupMembershipOut]


def membership_out(value: pb.SubgroupMembership) -> SubgroupMembershipOut:
    """Map a SubgroupMembership (to_date unset: it lasts)."""
    return SubgroupMembershipOut(
        subgroup_id=value.subgroup_id,
        student_id=value.student_id,
        from_date=date_of(value.from_date),
        to_date=date_of(value.to_date) if value.HasField("to_date") else None,
    )


router = APIRouter(tags=["Движение обучающихся"])


@router.post(
    "/students/{student_id}/subgroup-movements",
    status_code=201,
    summary="Перевести обучающегося в другую подгруппу",
)
async def move_between_subgroups(
    student_id: UUID, body: SubgroupMoveCreate, caller: Caller, clients: Clients
) -> SubgroupMoveOut:
    """Перевод между подгруппами одной группы по одной дисциплине с даты (администратор, заместитель
    директора). Отказы: 409 `movement_overlaps`, `student_not_in_subgroup`, `student_not_in_group`,
    `records_after_movement`, `period_closed`; 400 `transfer_to_same_subgroup`, `subgroups_not_alike`;
    404 `subgroup_not_found`; 403 `role_required`."""
    request = pb.MoveStudentBetweenSubgroupsRequest(
        student_id=str(student_id),
        from_subgroup_id=str(body.from_subgroup_id),
        to_subgroup_id=str(body.to_subgroup_id),
        on_date=to_local_date(body.on_date),
    )
    answer = await call(clients.journal.MoveStudentBetweenSubgroups, request, caller.token)
    return SubgroupMoveOut(closed=membership_out(answer.closed), opened=membership_out(answer.opened))


@router.get("/groups/{group_id}/subgroup-memberships", summary="Составы подгрупп по датам")
async def list_subgroup_memberships(
    group_id: UUID, caller: Caller, clients: Clients
) -> SubgroupMembershipsOut:
    """Кто в какой подгруппе состоял и с какого по какое число: администрация, преподаватели группы,
    её классный руководитель; остальным 404 `group_not_found`."""
    request = pb.ListSubgroupMembershipsRequest(group_id=str(group_id))
    answer = await call(clients.journal.ListSubgroupMemberships, request, caller.token)
    return SubgroupMembershipsOut(memberships=[membership_out(m) for m in answer.memberships])
