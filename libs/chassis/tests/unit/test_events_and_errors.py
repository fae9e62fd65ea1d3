"""Events know their subject; errors know their kind; outages are told from bugs; audits name actors."""

from __future__ import annotations

import errno
from typing import Any

import grpc
import pytest
from chassis.errors import ErrorKind, InvalidArgument, NotFound, PayloadTooLarge, ServiceUnavailable
from chassis.events import EventSubjectMissing, producer_of, stamp, subject_of
from chassis.grpc_errors import grpc_status_of, http_status_of, is_outage
from chassis.principal import Principal, system_actor
from chassis.uow import UnitOfWork
from ejournal.audit.v1.events_pb2 import AuditRecorded
from ejournal.identity.v1.events_pb2 import GuardianLinked
from ejournal.journal.v1.events_pb2 import MarkRecorded


def test_the_subject_is_the_one_declared_in_the_proto() -> None:
    assert subject_of(MarkRecorded) == "journal.mark.recorded.v1"
    assert subject_of(GuardianLinked()) == "identity.guardian.linked.v1"
    assert producer_of(subject_of(MarkRecorded)) == "journal"


def test_a_message_without_a_declared_subject_is_refused() -> None:
    with pytest.raises(EventSubjectMissing):
        subject_of(AuditRecorded)


def test_stamp_fills_id_and_time_once() -> None:
    event = MarkRecorded(mark_id="m")
    first = stamp(event)
    assert first and event.event_id == first and event.HasField("occurred_at")
    at = event.occurred_at.ToNanoseconds()
    assert stamp(event) == first and event.occurred_at.ToNanoseconds() == at


@pytest.mark.parametrize(
    ("error", "status", "http"),
    [
        (InvalidArgument("x"), grpc.StatusCode.INVALID_ARGUMENT, 400),
        (NotFound("x"), grpc.StatusCode.NOT_FOUND, 404),
        (ServiceUnavailable("x"), grpc.StatusCode.UNAVAILABLE, 503),
        (PayloadTooLarge("x"), grpc.StatusCode.RESOURCE_EXHAUSTED, 413),
    ],
)
def test_the_wire_status_is_chosen_from_the_kind(error: Any, status: grpc.StatusCode, http: int) -> None:
    assert grpc_status_of(error) == status and http_status_of(error) == http


def test_every_kind_has_a_grpc_status() -> None:
    for kind in ErrorKind:
        error = InvalidArgument("x")
        error.kind = kind  # type: ignore[misc]
        assert grpc_status_of(error) is not None


class CannotConnectNowError(Exception):
    """Named like asyncpg's: "the database system is starting up"."""


class DBAPIError(Exception):
    """Shaped like SQLAlchemy's wrapper of a lost connection."""

    connection_invalidated = True


def _chained(outer: Exception, inner: BaseException) -> Exception:
    try:
        try:
            raise inner
        except BaseException as exc:
            raise outer from exc
    except Exception as exc:
        return exc


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError(errno.ECONNREFUSED, "refused"),
        OSError(errno.ECONNRESET, "reset"),
        TimeoutError(),
        CannotConnectNowError("starting up"),
        DBAPIError("gone"),
        _chained(RuntimeError("wrapped"), ConnectionResetError()),
    ],
)
def test_outages_are_told_apart(exc: BaseException) -> None:
    assert is_outage(exc)


@pytest.mark.parametrize("exc", [ValueError("bug"), KeyError("k"), OSError(errno.ENOENT, "no file")])
def test_bugs_are_not_outages(exc: BaseException) -> None:
    assert not is_outage(exc)


async def test_an_audit_record_without_a_named_actor_is_refused() -> None:
    uow = UnitOfWork(None, service="journal")  # type: ignore[arg-type]  # refused before any session
    with pytest.raises(ValueError, match="actor"):
        await uow.audit(
            "mark.recorded",
            actor=Principal(subject="", roles=frozenset()),
            resource_type="mark",
            resource_id="1",
        )


def test_a_service_acting_on_its_own_is_named() -> None:
    actor = system_actor("messaging")
    assert actor.subject == "service:messaging" and actor.is_service
