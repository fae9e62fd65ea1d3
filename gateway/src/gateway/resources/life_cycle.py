"""The life cycle of a person's login account (IdentityService: DisableAccount, EnableAccount,
GetAccountState): routes and mapping."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ejournal.identity.v1 import identity_service_pb2 as pb
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, ProtoEnum
from gateway.runtime import get_runtime

REASONS = ProtoEnum(pb.AccountDisabledReason)


class AccountStateOut(BaseModel):
    """Состояние учётной записи человека."""

    person_id: str = Field(description="Идентификатор человека")
    enabled: bool = Field(description="Может ли человек входить в систему")
    disabled_reason: str | None = Field(
        description=REASONS.describe("Почему отключена (пусто, пока включена)")
    )
    changed_at: datetime | None = Field(description="Когда последний раз отключена или включена")


class AccountChangeOut(AccountStateOut):
    """Состояние учётной записи после запроса."""

    changed: bool = Field(description="Изменилось ли состояние этим запросом")


def state_out(state: pb.AccountState) -> AccountStateOut:
    """Map an AccountState."""
    return AccountStateOut(
        person_id=state.person_id,
        enabled=state.enabled,
        disabled_reason=REASONS.name_of(state.disabled_reason) if state.disabled_reason else None,
        changed_at=datetime.fromisoformat(state.changed_at) if state.changed_at else None,
    )


router = APIRouter(tags=["Люди"])


@router.get("/people/{person_id}/account", summary="Состояние учётной записи")
async def account_state(person_id: UUID, caller: Caller, clients: Clients) -> AccountStateOut:
    """Включена ли учётная запись, с какого времени и почему отключена (администратор)."""
    request = pb.GetAccountStateRequest(person_id=str(person_id))
    return state_out((await call(clients.identity.GetAccountState, request, caller.token)).account)


@router.post("/people/{person_id}/account/disable", summary="Отключить учётную запись")
async def disable_account(
    person_id: UUID, request: Request, caller: Caller, clients: Clients
) -> AccountChangeOut:
    """Отключить учётную запись и сразу завершить все сеансы (администратор; например, сотрудник
    уволился). Учётные записи обучающихся отключаются сами при отчислении и выпуске."""
    disable = pb.DisableAccountRequest(person_id=str(person_id))
    reply = await call(clients.identity.DisableAccount, disable, caller.token)
    get_runtime(request).sessions.end_sessions_of([str(person_id)])
    return AccountChangeOut(**state_out(reply.account).model_dump(), changed=reply.changed)


@router.post("/people/{person_id}/account/enable", summary="Включить учётную запись")
async def enable_account(person_id: UUID, caller: Caller, clients: Clients) -> AccountChangeOut:
    """Снова включить учётную запись (администратор)."""
    request = pb.EnableAccountRequest(person_id=str(person_id))
    reply = await call(clients.identity.EnableAccount, request, caller.token)
    return AccountChangeOut(**state_out(reply.account).model_dump(), changed=reply.changed)
