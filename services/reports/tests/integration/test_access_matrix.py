"""Who may call what, RPC by RPC and role by role, through the real gRPC servicer and PostgreSQL.

Every refusal the rules of reports make is a row here, so that deleting any access check fails a
test; the allowed rows beside them keep the refusals honest. Each case projects its own group's mark,
so a refused call would answer with real figures were it not for the check.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import grpc
import pytest
import pytest_asyncio
from chassis.db import make_engine, make_session_factory
from chassis.events import Delivery
from chassis.grpc_client import call_metadata, error_code_of
from chassis.testing import LocalIssuer, serve_in_process
from devstack.testing import assert_every_rpc_decided_for_every_caller, cloned_database, realm_roles
from ejournal.common.v1.common_pb2 import LocalDate
from ejournal.reports.v1 import reports_service_pb2 as pb
from ejournal.reports.v1 import reports_service_pb2_grpc as pb_grpc
from reports_service.adapters import orm
from reports_service.adapters.uow import ReportsUnitOfWork
from reports_service.api.grpc import ReportsServicer
from reports_service.application import commands
from reports_service.application.handlers import ReportsHandlers
from reports_service.application.substitutions import ProjectSubstitution
from reports_service.domain.substitutions import SubstitutionFact

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]
REALM_ROLES = realm_roles()
STAFF = ("admin", "director", "deputy", "curator")  # read every group; teachers read theirs in the journal
ADMINISTRATION = ("admin", "director", "deputy")
PERIOD_FROM, PERIOD_TO = LocalDate(year=2026, month=10, day=1), LocalDate(year=2026, month=10, day=31)
DENIED, UNAUTHENTICATED = grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.UNAUTHENTICATED


@dataclass
class Reports:
    stub: pb_grpc.ReportsServiceStub
    handlers: ReportsHandlers
    issuer: LocalIssuer


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def reports(
    stack_infra: Any, database_templates: dict[str, str], issuer: LocalIssuer
) -> AsyncIterator[Reports]:
    """One reports server for the module on its own database; every case projects its own group."""
    orm.start_mappers()
    async with cloned_database(
        stack_infra.superuser_dsn, database_templates["reports"], "t_reports_access"
    ) as url:
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        handlers = ReportsHandlers(uow=lambda: ReportsUnitOfWork(sessions, service="reports"))
        servicer = ReportsServicer(handlers)
        try:
            async with serve_in_process(
                pb_grpc.add_ReportsServiceServicer_to_server, servicer, issuer.verifier()
            ) as channel:
                yield Reports(pb_grpc.ReportsServiceStub(channel), handlers, issuer)
        finally:
            await engine.dispose()


@dataclass
class World:
    """One case's group, with one recorded mark in the projection."""

    group_id: str


async def build_world(reports: Reports) -> World:
    group = uuid.uuid4()
    await reports.handlers.project_mark_recorded(
        commands.ProjectMarkRecorded(
            mark_id=uuid.uuid4(),
            group_id=group,
            discipline_id=uuid.uuid4(),
            student_id=uuid.uuid4(),
            value="5",
            lesson_date=date(2026, 10, 14),
            recorded_at=datetime(2026, 10, 14, 9, 0, tzinfo=UTC),
        ),
        Delivery(str(uuid.uuid4()), "reports-mark-facts", "journal.mark.recorded.v1"),
    )
    await reports.handlers.substitutions.project(
        [
            (
                ProjectSubstitution(
                    SubstitutionFact(
                        substitution_id=uuid.uuid4(),
                        group_id=group,
                        discipline_id=uuid.uuid4(),
                        lesson_date=date(2026, 10, 14),
                        pair_number=2,
                        teacher_id=uuid.uuid4(),
                        substitute_teacher_id=uuid.uuid4(),
                    )
                ),
                Delivery(str(uuid.uuid4()), "reports-substitutions", "journal.substitution.recorded.v1"),
            )
        ]
    )
    return World(str(group))


Call = Callable[[pb_grpc.ReportsServiceStub, World, tuple[tuple[str, str], ...]], Awaitable[object]]

# Every RPC with a request that is valid in the case's world: only access stands between it and success.
CALLS: dict[str, Call] = {
    "GetGroupMarkSummary": lambda s, w, md: s.GetGroupMarkSummary(
        pb.GetGroupMarkSummaryRequest(group_id=w.group_id), metadata=md
    ),
    "GetSubstitutionReport": lambda s, w, md: s.GetSubstitutionReport(
        pb.GetSubstitutionReportRequest(date_from=PERIOD_FROM, date_to=PERIOD_TO), metadata=md
    ),
}

Row = tuple[str, str, grpc.StatusCode, str]

# (rpc, caller role, status, error code): every refusal the rules of reports make.
REFUSED: list[Row] = [
    *[("GetGroupMarkSummary", role, DENIED, "role_required") for role in REALM_ROLES if role not in STAFF],
    *[
        ("GetSubstitutionReport", role, DENIED, "role_required")
        for role in REALM_ROLES
        if role not in ADMINISTRATION
    ],
    *[(rpc, "nobody", UNAUTHENTICATED, "unauthenticated") for rpc in CALLS],
]

# (rpc, caller role): calls that succeed, next to the refusals of the same RPC.
ALLOWED: list[tuple[str, str]] = [
    *[("GetGroupMarkSummary", role) for role in STAFF],
    *[("GetSubstitutionReport", role) for role in ADMINISTRATION],
]


def metadata(reports: Reports, caller: str) -> tuple[tuple[str, str], ...]:
    return () if caller == "nobody" else call_metadata(reports.issuer.token(str(uuid.uuid4()), (caller,)))


async def test_the_tables_cover_every_rpc_and_every_role() -> None:
    rpcs = set(pb.DESCRIPTOR.services_by_name["ReportsService"].methods_by_name)
    assert set(CALLS) == rpcs
    assert_every_rpc_decided_for_every_caller(rpcs, REFUSED, ALLOWED, {*REALM_ROLES, "nobody"})


@pytest.mark.parametrize(
    ("rpc", "caller", "status", "code"), REFUSED, ids=[f"{r}-{c}" for r, c, *_ in REFUSED]
)
async def test_refused(reports: Reports, rpc: str, caller: str, status: grpc.StatusCode, code: str) -> None:
    world = await build_world(reports)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await CALLS[rpc](reports.stub, world, metadata(reports, caller))
    assert (refused.value.code(), error_code_of(refused.value)) == (status, code)


@pytest.mark.parametrize(("rpc", "caller"), ALLOWED, ids=[f"{r}-{c}" for r, c in ALLOWED])
async def test_allowed(reports: Reports, rpc: str, caller: str) -> None:
    world = await build_world(reports)
    reply: Any = await CALLS[rpc](reports.stub, world, metadata(reports, caller))
    if rpc == "GetSubstitutionReport":
        assert world.group_id in {line.group_id for line in reply.substitutions}
    else:
        assert (reply.group_id, reply.marks_count) == (world.group_id, 1)
