"""Errors of the identity service, each naming the state that forbids the action."""

from __future__ import annotations

from chassis.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ServiceUnavailable,
)


class NameMissing(InvalidArgument):
    """A required part of the name is empty."""

    def __init__(self, field: str, title: str) -> None:
        super().__init__(f"Укажите {title}", code=f"missing_{field}")


class NameTooLong(InvalidArgument):
    """A part of the name is longer than the limit."""

    def __init__(self, field: str, title: str, limit: int) -> None:
        super().__init__(f"Поле «{title}» длиннее {limit} символов; сократите его", code=f"too_long_{field}")


class NameInvalid(InvalidArgument):
    """A part of the name holds characters other than letters, spaces, hyphens and apostrophes."""

    def __init__(self, field: str, title: str) -> None:
        super().__init__(
            f"Поле «{title}» может содержать только буквы, пробел, дефис и апостроф",
            code=f"invalid_{field}",
        )


class EmailInvalid(InvalidArgument):
    """The e-mail address is malformed."""

    def __init__(self) -> None:
        super().__init__(
            "Адрес электронной почты указан неверно; пример: ivanov@example.ru", code="invalid_email"
        )


class RoleMissing(InvalidArgument):
    """The role is unspecified or unknown."""

    def __init__(self) -> None:
        super().__init__("Укажите роль пользователя", code="missing_role")


class UsernameInvalid(InvalidArgument):
    """A given login is not lower-case Latin letters, digits, dots, hyphens or underscores."""

    def __init__(self) -> None:
        super().__init__(
            "Логин: от 3 до 64 символов — строчные латинские буквы, цифры, точка, дефис, подчёркивание",
            code="invalid_username",
        )


class UsernameTaken(AlreadyExists):
    """Logins are unique in the college (both here and in Keycloak)."""

    def __init__(self, username: str) -> None:
        super().__init__(f"Логин «{username}» уже занят", code="username_taken")


class EmailTaken(AlreadyExists):
    """Keycloak keeps e-mail addresses unique in the realm."""

    def __init__(self) -> None:
        super().__init__("Этот адрес электронной почты уже указан у другого пользователя", code="email_taken")


class PasswordRejected(InvalidArgument):
    """Keycloak's password policy refused the password."""

    def __init__(self) -> None:
        super().__init__(
            "Пароль не соответствует политике паролей: не короче 8 символов, не совпадает с логином и e-mail",
            code="password_rejected",
        )


class PersonNotFound(NotFound):
    """No person with this id."""

    def __init__(self) -> None:
        super().__init__("Пользователь не найден", code="person_not_found")


class ParentNotFound(FailedPrecondition):
    """The parent of a link to be made does not exist."""

    def __init__(self) -> None:
        super().__init__("Родитель (законный представитель) не найден", code="parent_not_found")


class StudentNotFound(FailedPrecondition):
    """The student of a link to be made does not exist."""

    def __init__(self) -> None:
        super().__init__("Обучающийся не найден", code="student_not_found")


class PersonNotParent(FailedPrecondition):
    """Only a person with the parent role may be linked as a parent."""

    def __init__(self) -> None:
        super().__init__(
            "Привязать можно только пользователя с ролью «родитель (законный представитель)»",
            code="person_not_parent",
        )


class PersonNotStudent(FailedPrecondition):
    """Only a person with the student role may be linked as a child."""

    def __init__(self) -> None:
        super().__init__(
            "Привязать к родителю можно только пользователя с ролью «обучающийся»",
            code="person_not_student",
        )


class RoleRequired(PermissionDenied):
    """The caller lacks the role the action needs."""

    def __init__(self, what: str) -> None:
        super().__init__(f"Недостаточно прав: {what}", code="role_required")


class PersonNotVisible(PermissionDenied):
    """The caller may not read another person's profile (R1.4)."""

    def __init__(self) -> None:
        super().__init__("Нет доступа к данным этого пользователя", code="person_not_visible")


class GuardianshipNotVisible(PermissionDenied):
    """Only the parent themself, the admin or a service may ask about a parent's links."""

    def __init__(self) -> None:
        super().__init__(
            "Проверить связь может только сам родитель или администратор", code="guardianship_not_visible"
        )


class ChildrenNotVisible(PermissionDenied):
    """Only the parent themself, the admin or a service may list a parent's children."""

    def __init__(self) -> None:
        super().__init__(
            "Список детей доступен только самому родителю или администратору", code="children_not_visible"
        )


class SearchQueryMissing(InvalidArgument):
    """A search for people needs at least the start of a name."""

    def __init__(self) -> None:
        super().__init__("Введите начало фамилии, имени или отчества", code="missing_query")


class SearchQueryTooLong(InvalidArgument):
    """A search query is limited in length and in words."""

    def __init__(self, limit: int, words: int) -> None:
        super().__init__(
            f"Запрос поиска: не длиннее {limit} символов и не больше {words} слов", code="too_long_query"
        )


class SearchQueryInvalid(InvalidArgument):
    """A search query holds something other than the letters of names."""

    def __init__(self) -> None:
        super().__init__(
            "Запрос поиска может содержать только буквы, пробел, дефис и апостроф", code="invalid_query"
        )


class TooManyPersonIds(InvalidArgument):
    """One call names at most so many people."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"Не больше {limit} идентификаторов за один запрос", code="too_many_person_ids")


class AccountDirectoryUnavailable(ServiceUnavailable):
    """Keycloak does not answer; nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            "Служба учётных записей временно недоступна; повторите попытку позже",
            code="accounts_unavailable",
        )
