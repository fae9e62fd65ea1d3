"""REST routes of the 152-ФЗ subject export (issue 8 item 9), the services faked: the document composed
from identity, the journal, messaging and the archive with each section's source; a parent's export of
a linked child; a stranger's 404 without asking any section; a service down → 503, no file; the archive
asked last and in export mode (its read is the audit of the download)."""

from __future__ import annotations

import json
import uuid

import grpc
from ejournal.archive.v1 import archive_pb2
from ejournal.archive.v1 import archive_service_pb2 as archive_pb
from ejournal.identity.v1 import identity_pb2
from ejournal.identity.v1 import identity_service_pb2 as identity_pb
from ejournal.journal.v1 import journal_pb2
from ejournal.journal.v1 import journal_service_pb2 as journal_pb
from ejournal.messaging.v1 import messaging_pb2
from ejournal.messaging.v1 import messaging_service_pb2 as messaging_pb

STUDENT, PARENT, TEACHER, MATH = (str(uuid.uuid4()) for _ in range(4))


def arrange(fakes) -> None:
    fakes.identity.reply(
        "GetPerson",
        identity_pb.GetPersonResponse(
            person=identity_pb2.Person(
                person_id=STUDENT, role=identity_pb2.ROLE_STUDENT, last_name="Петрова", first_name="Анна"
            )
        ),
    )
    fakes.identity.reply(
        "GetPeople",
        identity_pb.GetPeopleResponse(
            people=[
                identity_pb.PersonName(
                    person_id=TEACHER, role=identity_pb2.ROLE_TEACHER, last_name="Иванов", first_name="Олег"
                )
            ]
        ),
    )
    fakes.identity.reply(
        "ListParentAccess",
        identity_pb.ListParentAccessResponse(
            parents=[identity_pb.ParentAccess(parent_id=PARENT, access=True)]
        ),
    )
    fakes.journal.reply(
        "GetStudentDiary",
        journal_pb.GetStudentDiaryResponse(
            days=[journal_pb.DiaryDay(lessons=[journal_pb.DiaryLesson(discipline_id=MATH, topic="Пределы")])]
        ),
    )
    fakes.journal.reply(
        "GetStudentFinals",
        journal_pb.GetStudentFinalsResponse(finals=[journal_pb2.Final(final_id="f1", value="4")]),
    )
    fakes.messaging.reply(
        "ListNotifications",
        messaging_pb.ListNotificationsResponse(
            notifications=[
                messaging_pb2.Notification(notification_id="n1", student_id=STUDENT, mark_value="5")
            ]
        ),
    )
    fakes.archive.reply(
        "ListAuditRecordsAboutMe",
        archive_pb.ListAuditRecordsAboutMeResponse(
            records=[
                archive_pb2.AuditRecord(
                    sequence=7, actor_id=TEACHER, action="diary.read", subject_person_id=STUDENT
                ),
                archive_pb2.AuditRecord(sequence=3, actor_id=str(uuid.uuid4()), action="person.read"),
            ]
        ),
    )


async def test_a_student_downloads_everything_about_themself(client, bearer, fakes) -> None:
    arrange(fakes)
    response = await client.get("/api/v1/me/export", headers=bearer(("student",), subject=STUDENT))
    assert response.status_code == 200
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="ejournal-export-') and disposition.endswith('.json"')
    document = json.loads(response.content)
    assert (
        document["format"],
        document["subject_person_id"],
        document["relation"],
        document["complete"],
    ) == (
        "ejournal.subject_export.v1",
        STUDENT,
        "self",
        True,
    )
    sections = document["sections"]
    assert {name: s["source"] for name, s in sections.items()} == {
        "person": "identity",
        "journal": "journal",
        "notifications": "messaging",
        "audit": "archive",
    }
    assert sections["person"]["person"]["last_name"] == "Петрова"
    assert sections["person"]["parent_access"]["parents"][0]["parent_id"] == PARENT
    assert sections["journal"]["diary"]["days"][0]["lessons"][0]["topic"] == "Пределы"
    assert sections["notifications"]["notifications"][0]["mark_value"] == "5"
    who = [(r["action"], r["actor_name"]) for r in sections["audit"]["records"]]
    assert who == [("diary.read", "Иванов Олег"), ("person.read", None)]
    asked = fakes.archive.last("ListAuditRecordsAboutMe").request
    assert (asked.subject_person_id, asked.export) == (STUDENT, True)
    assert fakes.journal.last("GetStudentDiary").request.student_id == STUDENT
    assert [(f["final_id"], f["value"]) for f in sections["journal"]["finals"]] == [("f1", "4")]
    finals_asked = fakes.journal.last("GetStudentFinals").request
    assert (finals_asked.student_id, finals_asked.year_id) == (STUDENT, "")


async def test_a_service_actor_stays_unnamed_and_the_export_completes(client, bearer, fakes) -> None:
    """Found by the authorization matrix: an admin made by the console had a `service:` actor in their
    audit, identity refused the names of the whole batch and the export was a 503."""
    arrange(fakes)
    fakes.archive.reply(
        "ListAuditRecordsAboutMe",
        archive_pb.ListAuditRecordsAboutMeResponse(
            records=[
                archive_pb2.AuditRecord(sequence=9, actor_id="service:identity", action="person.created"),
                archive_pb2.AuditRecord(sequence=7, actor_id=TEACHER, action="diary.read"),
            ]
        ),
    )
    response = await client.get("/api/v1/me/export", headers=bearer(("student",), subject=STUDENT))
    assert response.status_code == 200, response.text
    records = json.loads(response.content)["sections"]["audit"]["records"]
    assert [(r["actor_id"], r["actor_name"]) for r in records] == [
        ("service:identity", None),
        (TEACHER, "Иванов Олег"),
    ]
    assert list(fakes.identity.last("GetPeople").request.person_ids) == [TEACHER]


async def test_a_parent_downloads_a_linked_childs_data(client, bearer, fakes) -> None:
    arrange(fakes)
    fakes.identity.reply("CheckGuardianship", identity_pb.CheckGuardianshipResponse(linked=True))
    fakes.identity.reply(
        "GetPeople",
        identity_pb.GetPeopleResponse(
            people=[
                identity_pb.PersonName(person_id=STUDENT, role=identity_pb2.ROLE_STUDENT, last_name="Петрова")
            ]
        ),
    )
    fakes.messaging.reply(
        "ListNotifications",
        messaging_pb.ListNotificationsResponse(
            notifications=[
                messaging_pb2.Notification(notification_id="n1", student_id=STUDENT),
                messaging_pb2.Notification(notification_id="n2", student_id=str(uuid.uuid4())),
            ]
        ),
    )
    response = await client.get(
        f"/api/v1/people/{STUDENT}/export", headers=bearer(("parent",), subject=PARENT)
    )
    assert response.status_code == 200
    document = response.json()
    assert (document["relation"], document["requested_by"]) == ("parent", PARENT)
    assert [n["notification_id"] for n in document["sections"]["notifications"]["notifications"]] == ["n1"]
    checked = fakes.identity.last("CheckGuardianship").request
    assert (checked.parent_id, checked.student_id) == (PARENT, STUDENT)
    assert fakes.archive.last("ListAuditRecordsAboutMe").request.subject_person_id == STUDENT


async def test_a_parent_of_another_child_and_a_stranger_get_404_and_nothing_is_read(
    client, bearer, fakes
) -> None:
    arrange(fakes)
    fakes.identity.reply("CheckGuardianship", identity_pb.CheckGuardianshipResponse(linked=False))
    response = await client.get(f"/api/v1/people/{STUDENT}/export", headers=bearer(("parent",)))
    assert (response.status_code, response.json()["error"]["code"]) == (404, "person_not_found")
    for roles in [("teacher",), ("admin",), ("student",)]:
        response = await client.get(f"/api/v1/people/{STUDENT}/export", headers=bearer(roles))
        assert (response.status_code, response.json()["error"]["code"]) == (404, "person_not_found")
    assert [c.method for c in fakes.identity.calls] == ["CheckGuardianship"]
    assert fakes.journal.calls == fakes.messaging.calls == fakes.archive.calls == []


async def test_a_service_down_fails_the_whole_export_with_503(client, bearer, fakes) -> None:
    arrange(fakes)
    fakes.messaging.fail("ListNotifications", grpc.StatusCode.UNAVAILABLE, "connection refused")
    response = await client.get("/api/v1/me/export", headers=bearer(("student",), subject=STUDENT))
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "export_incomplete" and "messaging" in error["message"]
    assert "content-disposition" not in response.headers
    # Nothing was downloaded, so the archive (whose read audits the download) was never asked.
    assert fakes.archive.calls == []
    fakes.messaging.errors.clear()
    fakes.archive.fail("ListAuditRecordsAboutMe", grpc.StatusCode.UNAVAILABLE, "down")
    response = await client.get("/api/v1/me/export", headers=bearer(("student",), subject=STUDENT))
    assert (response.status_code, response.json()["error"]["code"]) == (503, "export_incomplete")


async def test_a_bad_person_id_is_refused_at_the_edge(client, bearer, fakes) -> None:
    response = await client.get("/api/v1/people/не-uuid/export", headers=bearer(("parent",)))
    assert response.status_code == 400
    assert fakes.total_calls() == 0


async def test_the_portal_links_and_downloads_the_export(client, idp, fakes) -> None:
    from .test_portal_absences import log_in

    arrange(fakes)
    await log_in(client, idp, roles=("student",), subject=STUDENT)
    home = await client.get("/")
    assert f'href="/my-data/{STUDENT}/export" download>Мои данные (152-ФЗ)' in home.text
    response = await client.get(f"/my-data/{STUDENT}/export")
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith('attachment; filename="ejournal-export-')
    assert response.json()["sections"]["audit"]["records"][0]["actor_name"] == "Иванов Олег"
    fakes.archive.fail("ListAuditRecordsAboutMe", grpc.StatusCode.UNAVAILABLE, "down")
    refused = await client.get(f"/my-data/{STUDENT}/export")
    assert refused.status_code == 503 and "Выгрузка не сформирована" in refused.text
    stranger = await client.get(f"/my-data/{uuid.uuid4()}/export")
    assert stranger.status_code == 404


async def test_a_parent_sees_a_download_per_child(client, idp, fakes) -> None:
    from .test_portal_absences import log_in

    fakes.identity.reply(
        "ListChildren",
        identity_pb.ListChildrenResponse(
            children=[
                identity_pb2.Person(person_id=STUDENT, role=identity_pb2.ROLE_STUDENT, last_name="Петрова")
            ]
        ),
    )
    await log_in(client, idp, roles=("parent",), subject=PARENT)
    home = await client.get("/")
    assert f'href="/my-data/{STUDENT}/export" download>данные ребёнка (152-ФЗ)' in home.text
    assert f'href="/my-data/{PARENT}/export" download>Мои данные (152-ФЗ)' in home.text
