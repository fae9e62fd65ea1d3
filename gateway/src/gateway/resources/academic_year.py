"""The academic year (JournalService, R2.1): years with their semesters and the groups' calendars."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as pb
from fastapi import APIRouter
from pydantic import BaseModel, Field

from gateway.auth.bearer import Caller
from gateway.clients import call
from gateway.resources.common import Clients, ProtoEnum, RequestBody, date_of, to_local_date

SPAN_KINDS = ProtoEnum(journal_pb2.CalendarSpanKind)
SpanKindName = Annotated[str, SPAN_KINDS]


class DateSpanIn(RequestBody):
    """Даты с первой по последнюю включительно."""

    starts_on: date = Field(description="Первый день")
    ends_on: date = Field(description="Последний день (включительно)")


class DateSpanOut(BaseModel):
    """Даты с первой по последнюю включительно."""

    starts_on: date | None = Field(description="Первый день")
    ends_on: date | None = Field(description="Последний день (включительно)")


def span_pb(span: DateSpanIn) -> journal_pb2.DateSpan:
    """Map a span of dates to the contract."""
    return journal_pb2.DateSpan(starts_on=to_local_date(span.starts_on), ends_on=to_local_date(span.ends_on))


def span_out(span: journal_pb2.DateSpan) -> DateSpanOut:
    """Map a span of dates from the contract."""
    return DateSpanOut(starts_on=date_of(span.starts_on), ends_on=date_of(span.ends_on))


class AcademicYearCreate(RequestBody):
    """Новый учебный год с двумя семестрами."""

    name: str = Field(min_length=9, max_length=9, description="Название «ГГГГ/ГГГГ», например «2026/2027»")
    starts_on: date = Field(description="Начало учебного года, обычно 1 сентября")
    ends_on: date = Field(description="Последний день учебного года (не больше года от начала)")
    semester1: DateSpanIn = Field(description="1 семестр")
    semester2: DateSpanIn = Field(description="2 семестр, после первого")


class AcademicYearOut(BaseModel):
    """Учебный год."""

    year_id: str = Field(description="Идентификатор учебного года")
    name: str = Field(description="Название, например «2026/2027»")
    starts_on: date | None = Field(description="Первый день")
    ends_on: date | None = Field(description="Последний день")
    semester1: DateSpanOut = Field(description="1 семестр")
    semester2: DateSpanOut = Field(description="2 семестр")


def year_out(year: journal_pb2.AcademicYear) -> AcademicYearOut:
    """Map an AcademicYear."""
    return AcademicYearOut(
        year_id=year.year_id,
        name=year.name,
        starts_on=date_of(year.span.starts_on),
        ends_on=date_of(year.span.ends_on),
        semester1=span_out(year.semester1),
        semester2=span_out(year.semester2),
    )


class AcademicYearsOut(BaseModel):
    """Учебные годы, сначала новые."""

    years: list[AcademicYearOut]


class CalendarSpanIn(RequestBody):
    """Период календарного учебного графика."""

    kind: SpanKindName = Field(description=SPAN_KINDS.describe("Вид"))
    starts_on: date = Field(description="Первый день")
    ends_on: date = Field(description="Последний день (включительно)")


class CalendarSpanOut(BaseModel):
    """Период календарного учебного графика."""

    kind: str = Field(description=SPAN_KINDS.describe("Вид"))
    starts_on: date | None = Field(description="Первый день")
    ends_on: date | None = Field(description="Последний день (включительно)")


def calendar_span_out(span: journal_pb2.CalendarSpan) -> CalendarSpanOut:
    """Map a CalendarSpan."""
    return CalendarSpanOut(
        kind=SPAN_KINDS.name_of(span.kind),
        starts_on=date_of(span.span.starts_on),
        ends_on=date_of(span.span.ends_on),
    )


class GroupCalendarSet(RequestBody):
    """Календарный учебный график группы на год: заменяет прежний целиком."""

    spans: list[CalendarSpanIn] = Field(
        max_length=100, description="Периоды внутри учебного года, не пересекаются"
    )


class GroupCalendarOut(BaseModel):
    """Календарный учебный график группы на год."""

    year: AcademicYearOut | None = Field(default=None, description="Учебный год")
    spans: list[CalendarSpanOut] = Field(description="Периоды по дате начала")


router = APIRouter(tags=["Учебный год"])


@router.post("/academic-years", status_code=201, summary="Открыть учебный год")
async def open_academic_year(body: AcademicYearCreate, caller: Caller, clients: Clients) -> AcademicYearOut:
    """Учебный год с двумя семестрами; название уникально (только администратор)."""
    request = pb.OpenAcademicYearRequest(
        name=body.name,
        span=journal_pb2.DateSpan(
            starts_on=to_local_date(body.starts_on), ends_on=to_local_date(body.ends_on)
        ),
        semester1=span_pb(body.semester1),
        semester2=span_pb(body.semester2),
    )
    return year_out((await call(clients.journal.OpenAcademicYear, request, caller.token)).year)


@router.get("/academic-years", summary="Учебные годы")
async def list_academic_years(caller: Caller, clients: Clients) -> AcademicYearsOut:
    """Учебные годы, сначала новые: администрация и преподаватели."""
    response = await call(clients.journal.ListAcademicYears, pb.ListAcademicYearsRequest(), caller.token)
    return AcademicYearsOut(years=[year_out(y) for y in response.years])


@router.put("/groups/{group_id}/calendar/{year_id}", summary="Задать календарный учебный график группы")
async def set_group_calendar(
    group_id: UUID, year_id: UUID, body: GroupCalendarSet, caller: Caller, clients: Clients
) -> GroupCalendarOut:
    """Заменяет график группы на учебный год целиком (только администратор)."""
    request = pb.SetGroupCalendarRequest(
        group_id=str(group_id),
        year_id=str(year_id),
        spans=[
            journal_pb2.CalendarSpan(
                kind=SPAN_KINDS.to_pb(s.kind),
                span=journal_pb2.DateSpan(
                    starts_on=to_local_date(s.starts_on), ends_on=to_local_date(s.ends_on)
                ),
            )
            for s in body.spans
        ],
    )
    response = await call(clients.journal.SetGroupCalendar, request, caller.token)
    return GroupCalendarOut(spans=[calendar_span_out(s) for s in response.spans])


@router.get("/groups/{group_id}/calendar/{year_id}", summary="Календарный учебный график группы")
async def get_group_calendar(
    group_id: UUID, year_id: UUID, caller: Caller, clients: Clients
) -> GroupCalendarOut:
    """График группы на учебный год: администрация, преподаватели группы, её классный руководитель."""
    request = pb.GetGroupCalendarRequest(group_id=str(group_id), year_id=str(year_id))
    response = await call(clients.journal.GetGroupCalendar, request, caller.token)
    return GroupCalendarOut(
        year=year_out(response.year), spans=[calendar_span_out(s) for s in response.spans]
    )
