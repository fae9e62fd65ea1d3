"""The account life cycle through the gateway: GET /people/{id}/account → GetAccountState, POST
…/account/disable and …/account/enable → DisableAccount / EnableAccount; Keycloak down is 503."""

from __future__ import annotations

import uuid

import grpc
from ejournal.identity.v1 import identity_service_pb2 as pb


def state(person: str, *, enabled: bool, reason: int = 0, at: str = "") -> pb.AccountState:
    return pb.AccountState(person_id=person, enabled=enabled, disabled_reason=reason, changed_at=at)


async def test_the_admin_disables_enables_and_reads_an_account(client, bearer, fakes) -> None:
    person = str(uuid.uuid4())
    disabled = state(
        person, enabled=False, reason=pb.ACCOUNT_DISABLED_REASON_BY_ADMIN, at="2026-11-30T10:00:00+00:00"
    )
    fakes.identity.reply("DisableAccount", pb.DisableAccountResponse(account=disabled, changed=True))
    fakes.identity.reply(
        "EnableAccount", pb.EnableAccountResponse(account=state(person, enabled=True), changed=False)
    )
    fakes.identity.reply("GetAccountState", pb.GetAccountStateResponse(account=disabled))
    admin = bearer(("admin",))

    off = await client.post(f"/api/v1/people/{person}/account/disable", headers=admin)
    on = await client.post(f"/api/v1/people/{person}/account/enable", headers=admin)
    read = await client.get(f"/api/v1/people/{person}/account", headers=admin)

    assert off.status_code == 200
    assert off.json() == {
        "person_id": person,
        "enabled": False,
        "disabled_reason": "by_admin",
        "changed_at": "2026-11-30T10:00:00Z",
        "changed": True,
    }
    assert (on.json()["enabled"], on.json()["changed"], on.json()["disabled_reason"]) == (True, False, None)
    assert read.json()["disabled_reason"] == "by_admin"
    assert fakes.identity.last("DisableAccount").request.person_id == person


async def test_refusals_keep_their_codes_and_keycloak_down_is_503(client, bearer, fakes) -> None:
    person = str(uuid.uuid4())
    fakes.identity.fail(
        "DisableAccount", grpc.StatusCode.PERMISSION_DENIED, "Только администратор", "role_required"
    )
    denied = await client.post(f"/api/v1/people/{person}/account/disable", headers=bearer(("teacher",)))
    assert (denied.status_code, denied.json()["error"]["code"]) == (403, "role_required")
    fakes.identity.fail(
        "EnableAccount",
        grpc.StatusCode.UNAVAILABLE,
        "Служба учётных записей временно недоступна; повторите попытку позже",
        "accounts_unavailable",
    )
    down = await client.post(f"/api/v1/people/{person}/account/enable", headers=bearer(("admin",)))
    assert down.status_code == 503
    assert down.json()["error"]["code"] == "accounts_unavailable"
    assert "недоступна" in down.json()["error"]["message"]
    bad = await client.post("/api/v1/people/nobody/account/disable", headers=bearer(("admin",)))
    assert bad.status_code == 400
