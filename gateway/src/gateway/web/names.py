"""Names on the portal's pages: the people a page lists, named in one identity call (GetPeople)."""

from __future__ import annotations

from ejournal.identity.v1 import identity_service_pb2

from gateway.auth.session import Session
from gateway.clients import ServiceClients, call
from gateway.web.format import full_name
from gateway.web.pages import names_if_available

MAX_IDS = 500  # GetPeople's limit


async def people_names(clients: ServiceClients, session: Session, ids: list[str]) -> dict[str, str]:
    """Return «Фамилия Имя Отчество» by person id; people identity does not show (or all, when it is
    down) are left out, and the page names them by their place in the list instead."""
    unique = list(dict.fromkeys(ids))
    names: dict[str, str] = {}
    for start in range(0, len(unique), MAX_IDS):
        request = identity_service_pb2.GetPeopleRequest(person_ids=unique[start : start + MAX_IDS])
        reply = await names_if_available(call(clients.identity.GetPeople, request, session.access_token))
        if reply is None:
            return names
        names.update((p.person_id, full_name(p)) for p in reply.people)
    return names
