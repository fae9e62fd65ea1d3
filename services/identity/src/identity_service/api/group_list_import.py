"""Protobuf mapping of ImportGroupList (slice H2): rows in, accounts or refused rows out."""

from __future__ import annotations

from chassis.validation import parse_uuid
from ejournal.identity.v1 import group_list_import_pb2 as gl
from ejournal.identity.v1 import identity_pb2 as id_pb

from identity_service.application.group_list_import import GroupListImportOutcome, ImportGroupList
from identity_service.domain.group_list_import import ParentInput, RowInput


def command_from_pb(request: gl.ImportGroupListRequest) -> ImportGroupList:
    """Return the command of a request (the rows as written: the application checks them)."""
    return ImportGroupList(
        group_id=parse_uuid(request.group_id, "group_id"),
        rows=[
            RowInput(
                row=row.row,
                last_name=row.last_name,
                first_name=row.first_name,
                middle_name=row.middle_name,
                birth_date=row.birth_date,
                parents=tuple(
                    ParentInput(
                        last_name=p.last_name,
                        first_name=p.first_name,
                        middle_name=p.middle_name,
                        email=p.email,
                    )
                    for p in row.parents
                ),
            )
            for row in request.rows
        ],
    )


def outcome_to_pb(outcome: GroupListImportOutcome) -> gl.ImportGroupListResponse:
    """Return the response: the accounts with their passwords, or the refused rows."""
    return gl.ImportGroupListResponse(
        imported=outcome.import_id is not None,
        import_id=str(outcome.import_id) if outcome.import_id else "",
        errors=[
            gl.GroupListRowError(row=e.row, column=e.column, code=e.code, message=e.message)
            for e in outcome.errors
        ],
        accounts=[
            gl.ImportedAccount(
                person_id=str(a.person.id),
                role=id_pb.Role.Value(f"ROLE_{a.person.role.name}"),
                username=a.person.username,
                password=a.password,
                last_name=a.person.last_name,
                first_name=a.person.first_name,
                middle_name=a.person.middle_name,
                rows=a.rows,
                student_ids=[str(s) for s in a.student_ids],
            )
            for a in outcome.accounts
        ],
    )
