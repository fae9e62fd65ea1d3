"""What every resource shares: the error envelope, the strict request body, the created flag, dates and
instants, page sizes, the service clients, and protobuf enums as REST strings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Generic, TypeVar

from chassis.validation import has_forbidden_control
from ejournal.common.v1 import common_pb2
from fastapi import Depends, Query, Request
from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, model_validator
from pydantic_core import PydanticCustomError, core_schema

from gateway.clients import ServiceClients
from gateway.runtime import get_runtime

if TYPE_CHECKING:  # a stub-only generic base of every generated enum
    from google.protobuf.internal.enum_type_wrapper import _EnumTypeWrapper

V = TypeVar("V", bound=int)

# -- errors ----------------------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    """Описание ошибки."""

    code: str = Field(description="Устойчивый машинный код ошибки")
    message: str = Field(description="Сообщение для человека, по-русски")
    fields: list[str] | None = Field(default=None, description="Поля запроса с ошибкой (для invalid_request)")


class ErrorOut(BaseModel):
    """Тело ответа с ошибкой."""

    error: ErrorDetail


# Documented on every /api/v1 route; the body is always {"error": {"code", "message"}}.
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {
        "model": ErrorOut,
        "description": "Неверный запрос (invalid_request, invalid_text, код сервиса)",
    },
    401: {"model": ErrorOut, "description": "Нет токена, он просрочен или недействителен"},
    403: {"model": ErrorOut, "description": "Недостаточно прав"},
    404: {"model": ErrorOut, "description": "Не найдено"},
    409: {"model": ErrorOut, "description": "Состояние не позволяет действие или объект уже есть"},
    413: {"model": ErrorOut, "description": "Тело запроса больше допустимого (payload_too_large)"},
    503: {"model": ErrorOut, "description": "Сервис временно недоступен"},
}

# -- requests --------------------------------------------------------------------------------------

INVALID_TEXT = "invalid_text"


def _strings(value: object, path: str) -> Iterator[tuple[str, str]]:
    """Yield (field path, text) for every string in decoded JSON, keys included."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str):
                yield name, key
            yield from _strings(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}.{index}" if path else str(index))


class RequestBody(BaseModel):
    """Base of every request body: unknown fields refused, text stripped, no control characters."""

    # Unknown fields are a typo the caller wants to hear about, not something to drop silently.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters(cls, data: object) -> object:
        # Before any field is parsed, so a NUL is `invalid_text` whatever the field's type.
        for field, text in _strings(data, ""):
            if has_forbidden_control(text):
                # The field is named back to the caller, so a control character in a key is not echoed.
                shown = "".join("?" if has_forbidden_control(c) else c for c in field)
                raise PydanticCustomError(INVALID_TEXT, "control character in {field}", {"field": shown})
        return data


class CreatedOut(BaseModel):
    """Итог операции, которая может уже быть выполнена ранее."""

    created: bool = Field(description="true — создано сейчас, false — уже было")


def page_size_query(maximum: int) -> object:
    """Return the `page_size` query parameter: 1..maximum, absent for the service's default."""
    return Query(ge=1, le=maximum, description=f"Сколько вернуть, 1..{maximum}")


# -- dates and instants ----------------------------------------------------------------------------


def to_local_date(value: date) -> common_pb2.LocalDate:
    """Return a date as the contracts' LocalDate."""
    return common_pb2.LocalDate(year=value.year, month=value.month, day=value.day)


def date_of(value: common_pb2.LocalDate) -> date | None:
    """Return a LocalDate as a date, or None when it is unset (all zero) or impossible."""
    try:
        return date(value.year, value.month, value.day)
    except ValueError:
        return None


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def instant_of(value: Timestamp, *, present: bool) -> datetime | None:
    """Return a Timestamp as an aware UTC datetime, or None when the field is not set (`present`).
    What `Timestamp.ToDatetime(tzinfo=UTC)` returns (nanoseconds cut to microseconds; they are never
    negative) in two thirds of its time (0.77 against 1.13 µs): a diary converts hundreds."""
    if not present:
        return None
    return _EPOCH + timedelta(seconds=value.seconds, microseconds=value.nanos // 1000)


# -- enums -----------------------------------------------------------------------------------------

UNSPECIFIED = "unspecified"


class ProtoEnum(Generic[V]):
    """The REST strings of one protobuf enum, derived from it: `DISCIPLINE_KIND_MDK` → `mdk`.

    The proto is the one definition: a value added there is accepted and named here without an edit.
    The zero value (`<ENUM>_UNSPECIFIED`, required by buf) is never accepted and reads `unspecified`.
    Used as pydantic metadata, `Annotated[str, KINDS]` accepts exactly the names.
    """

    def __init__(self, wrapper: _EnumTypeWrapper[V]) -> None:
        zero = next(value for value in wrapper.values() if value == 0)
        prefix = wrapper.Name(zero).removesuffix("UNSPECIFIED")
        self._by_name: dict[str, V] = {
            name.removeprefix(prefix).lower(): value for name, value in wrapper.items() if value != 0
        }
        self._by_value: dict[int, str] = {value: name for name, value in self._by_name.items()}

    @property
    def names(self) -> tuple[str, ...]:
        """Return the accepted names, in the proto's order."""
        return tuple(self._by_name)

    def to_pb(self, name: str) -> V:
        """Return the enum value of a name (one of `names`)."""
        return self._by_name[name]

    def name_of(self, value: int) -> str:
        """Return the name of an enum value; `unspecified` for zero or a value this build does not know."""
        return self._by_value.get(value, UNSPECIFIED)

    def describe(self, what: str) -> str:
        """Return a field description listing the names: «Роль: admin, director, …»."""
        return f"{what}: {', '.join(self.names)}"

    def __get_pydantic_core_schema__(
        self, source_type: object, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.literal_schema(list(self.names))


# -- services --------------------------------------------------------------------------------------


async def get_clients(request: Request) -> ServiceClients:
    """Return the service clients of the running app (async: FastAPI runs a plain def in a thread)."""
    return get_runtime(request).clients


Clients = Annotated[ServiceClients, Depends(get_clients)]
