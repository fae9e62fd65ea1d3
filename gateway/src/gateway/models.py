"""Request and response bodies of the REST API (and the rows the portal renders)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class RoleName(StrEnum):
    """A person's role in the college (regulation §1.7, §4)."""

    ADMIN = "admin"
    DIRECTOR = "director"
    DEPUTY = "deputy"
    CURATOR = "curator"
    CLASS_TEACHER = "class_teacher"
    TEACHER = "teacher"
    STUDENT = "student"
    PARENT = "parent"


class DisciplineKindName(StrEnum):
    """Kind of a discipline: дисциплина, МДК, ПМ, УП, ПП."""

    DISCIPLINE = "discipline"
    MDK = "mdk"
    PM = "pm"
    UP = "up"
    PP = "pp"


class NotificationKindName(StrEnum):
    """What a notification is about."""

    UNSPECIFIED = "unspecified"
    MARK_RECORDED = "mark_recorded"


class _Request(BaseModel):
    # Unknown fields are a typo the caller wants to hear about, not something to drop silently.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# -- requests ------------------------------------------------------------------------------------


class PersonCreate(_Request):
    """Новый человек: учётная запись с временным паролем."""

    role: RoleName = Field(description="Роль")
    last_name: str = Field(min_length=1, max_length=100, description="Фамилия")
    first_name: str = Field(min_length=1, max_length=100, description="Имя")
    middle_name: str | None = Field(default=None, max_length=100, description="Отчество, если есть")
    email: str | None = Field(default=None, max_length=254, description="Адрес электронной почты")


class GuardianLink(_Request):
    """Связь родителя (законного представителя) с обучающимся."""

    parent_id: UUID = Field(description="Идентификатор родителя")


class GroupCreate(_Request):
    """Новая учебная группа."""

    name: str = Field(min_length=1, max_length=32, description="Название группы, например «ИС-21»")


class EnrollmentCreate(_Request):
    """Зачисление обучающегося в группу."""

    student_id: UUID = Field(description="Идентификатор обучающегося")


class DisciplineCreate(_Request):
    """Новая дисциплина, МДК, ПМ или практика."""

    code: str | None = Field(
        default=None, max_length=32, description="Код по учебному плану, например «ОП.01»"
    )
    name: str = Field(min_length=1, max_length=200, description="Название")
    kind: DisciplineKindName = Field(description="Вид: discipline, mdk, pm, up, pp")


class TeachingLoadCreate(_Request):
    """Нагрузка: преподаватель ведёт дисциплину в группе."""

    teacher_id: UUID = Field(description="Идентификатор преподавателя")
    group_id: UUID = Field(description="Идентификатор группы")
    discipline_id: UUID = Field(description="Идентификатор дисциплины")


class MarkCreate(_Request):
    """Оценка обучающегося за занятие."""

    student_id: UUID = Field(description="Идентификатор обучающегося")
    group_id: UUID = Field(description="Идентификатор группы")
    discipline_id: UUID = Field(description="Идентификатор дисциплины")
    lesson_date: date = Field(description="Дата занятия, ГГГГ-ММ-ДД; не в будущем")
    value: str = Field(min_length=1, max_length=16, description="Отметка из словаря колледжа: 5, 4, зач, н…")


# -- responses -----------------------------------------------------------------------------------


class PersonCreated(BaseModel):
    """Созданная учётная запись и её временный пароль (показывается один раз)."""

    person_id: str = Field(description="Идентификатор человека (subject в Keycloak)")
    username: str = Field(description="Логин")
    role: str = Field(description="Роль")
    temporary_password: str = Field(description="Временный пароль; сменить при первом входе")


class PersonOut(BaseModel):
    """Человек."""

    person_id: str = Field(description="Идентификатор человека")
    username: str = Field(description="Логин")
    role: str = Field(description="Роль")
    last_name: str = Field(description="Фамилия")
    first_name: str = Field(description="Имя")
    middle_name: str = Field(description="Отчество, может быть пустым")
    email: str = Field(description="Электронная почта, может быть пустой")


class CreatedOut(BaseModel):
    """Итог операции, которая может уже быть выполнена ранее."""

    created: bool = Field(description="true — создано сейчас, false — уже было")


class GroupOut(BaseModel):
    """Учебная группа."""

    group_id: str = Field(description="Идентификатор группы")
    name: str = Field(description="Название")


class DisciplineOut(BaseModel):
    """Дисциплина."""

    discipline_id: str = Field(description="Идентификатор дисциплины")
    code: str = Field(description="Код по учебному плану, может быть пустым")
    name: str = Field(description="Название")
    kind: str = Field(description="Вид: discipline, mdk, pm, up, pp")


class TeachingLoadOut(BaseModel):
    """Нагрузка преподавателя."""

    load_id: str = Field(description="Идентификатор нагрузки")
    teacher_id: str = Field(description="Идентификатор преподавателя")
    group_id: str = Field(description="Идентификатор группы")
    discipline_id: str = Field(description="Идентификатор дисциплины")


class MarkOut(BaseModel):
    """Оценка."""

    mark_id: str = Field(description="Идентификатор оценки")
    student_id: str = Field(description="Идентификатор обучающегося")
    group_id: str = Field(description="Идентификатор группы")
    discipline_id: str = Field(description="Идентификатор дисциплины")
    teacher_id: str = Field(description="Кто выставил")
    lesson_date: date | None = Field(description="Дата занятия")
    value: str = Field(description="Отметка")
    recorded_at: datetime | None = Field(description="Когда выставлена, UTC")


class MarkList(BaseModel):
    """Дневник: оценки обучающегося, новые занятия первыми, и дисциплины этих оценок."""

    marks: list[MarkOut]
    disciplines: list[DisciplineOut] = Field(
        description="Дисциплины, на которые ссылаются оценки, каждая один раз, по коду и названию"
    )


class ChildrenList(BaseModel):
    """Дети родителя (законного представителя), по фамилии и имени."""

    children: list[PersonOut]


class NotificationOut(BaseModel):
    """Уведомление."""

    notification_id: str = Field(description="Идентификатор уведомления")
    recipient_id: str = Field(description="Получатель")
    kind: NotificationKindName = Field(description="О чём уведомление")
    student_id: str = Field(description="Обучающийся, о котором уведомление")
    discipline_id: str = Field(description="Дисциплина (для оценок)")
    mark_value: str = Field(description="Отметка (для оценок)")
    lesson_date: date | None = Field(description="Дата занятия (для оценок)")
    source_event_id: str = Field(description="Событие, породившее уведомление")
    created_at: datetime | None = Field(description="Когда создано, UTC")


class NotificationList(BaseModel):
    """Уведомления, новые первыми."""

    notifications: list[NotificationOut]


class ValueCountOut(BaseModel):
    """Сколько оценок одного значения."""

    value: str = Field(description="Отметка")
    count: int = Field(description="Количество")


class MarkSummaryOut(BaseModel):
    """Сводка оценок группы по значениям."""

    group_id: str = Field(description="Идентификатор группы")
    marks_count: int = Field(description="Всего оценок")
    counts: list[ValueCountOut] = Field(description="Количество по значениям")
    last_recorded_at: datetime | None = Field(description="Когда выставлена последняя оценка, UTC")


class AuditRecordOut(BaseModel):
    """Запись журнала аудита."""

    sequence: int = Field(description="Порядковый номер")
    event_id: str = Field(description="Идентификатор события аудита")
    occurred_at: datetime | None = Field(description="Когда произошло, UTC")
    actor_id: str = Field(description="Кто действовал")
    action: str = Field(description="Что сделано")
    resource_type: str = Field(description="Вид объекта")
    resource_id: str = Field(description="Идентификатор объекта")
    subject_person_id: str = Field(description="Чьи это данные")
    service: str = Field(description="Сервис, выполнивший действие")
    correlation_id: str = Field(description="Идентификатор корреляции запроса")
    chain_hash: str = Field(description="SHA-256 цепочки записей")


class AuditList(BaseModel):
    """Записи аудита, новые первыми."""

    records: list[AuditRecordOut]


class MeOut(BaseModel):
    """Кто вызывает API: по проверенному токену."""

    subject: str = Field(description="Идентификатор (subject) из токена")
    roles: list[str] = Field(description="Роли из токена")
    client_id: str = Field(description="Клиент, получивший токен")


class ErrorDetail(BaseModel):
    """Описание ошибки."""

    code: str = Field(description="Устойчивый машинный код ошибки")
    message: str = Field(description="Сообщение для человека, по-русски")
    fields: list[str] | None = Field(default=None, description="Поля запроса с ошибкой (для invalid_request)")


class ErrorOut(BaseModel):
    """Тело ответа с ошибкой."""

    error: ErrorDetail


class HealthOut(BaseModel):
    """Состояние шлюза и того, от чего он зависит."""

    status: str = Field(description="ok или down")
    components: dict[str, str] = Field(description="Компонент → up или down")
    down: list[str] = Field(default_factory=list, description="Недоступные компоненты")
