"""Identity's facts of parents' access (ADR 0013), asked with messaging's own service token only to
catch up: every link at the first start, or one student whose link lacks its fact."""

from __future__ import annotations

import logging
import uuid
from datetime import date

import grpc
from chassis.grpc_client import DEFAULT_TIMEOUT, call_metadata, translate_rpc_error
from ejournal.identity.v1 import identity_service_pb2_grpc as pb_grpc
from ejournal.identity.v1 import parent_access_facts_pb2 as facts_pb

from messaging_service.adapters.identity_client import TokenSource
from messaging_service.domain.parent_access import AccessFact

log = logging.getLogger(__name__)

PAGE_SIZE = 1000


def fact_of(message: facts_pb.ParentAccessFact) -> AccessFact | None:
    """Return the fact of the wire form; None (logged) when identity sent a malformed one."""
    try:
        until = message.access_until
        return AccessFact(
            uuid.UUID(message.student_id),
            uuid.UUID(message.parent_id),
            date(until.year, until.month, until.day) if message.HasField("access_until") else None,
        )
    except ValueError:
        log.warning("identity sent a malformed parent access fact")
        return None


class IdentityParentAccess:
    """ParentAccessDirectory backed by IdentityService.ListParentAccessFacts."""

    def __init__(self, channel: grpc.aio.Channel, tokens: TokenSource) -> None:
        self._stub = pb_grpc.IdentityServiceStub(channel)
        self._tokens = tokens

    async def _page(self, student_id: str, page_token: str) -> facts_pb.ListParentAccessFactsResponse:
        token = await self._tokens.token()
        try:
            response: facts_pb.ListParentAccessFactsResponse = await self._stub.ListParentAccessFacts(
                facts_pb.ListParentAccessFactsRequest(
                    student_id=student_id, page_size=PAGE_SIZE, page_token=page_token
                ),
                metadata=call_metadata(token),
                timeout=DEFAULT_TIMEOUT,
            )
        except grpc.aio.AioRpcError as exc:
            raise translate_rpc_error(exc) from exc
        return response

    async def facts_of(self, student_id: uuid.UUID) -> list[AccessFact]:
        """Return the facts of the student's links (none for an unknown student); raise when
        identity does not answer."""
        facts: list[AccessFact] = []
        page_token = ""
        while True:
            response = await self._page(str(student_id), page_token)
            facts.extend(f for f in map(fact_of, response.facts) if f is not None)
            page_token = response.next_page_token
            if not page_token:
                return facts

    async def facts_page(self, page_token: str) -> tuple[list[AccessFact], str]:
        """Return a page of every link's fact and the next page's token ('' after the last)."""
        response = await self._page("", page_token)
        return [f for f in map(fact_of, response.facts) if f is not None], response.next_page_token
