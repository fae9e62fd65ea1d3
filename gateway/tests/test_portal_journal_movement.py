"""Portal «Журнал группы» (slice J): a student who joined or left within the page's dates carries
«переведён / выбыл / зачислен <дата>» next to the name, and the cells outside their days are greyed,
given no input, and say why; a subgroup's lessons follow the dated memberships."""

from __future__ import annotations

import uuid
from datetime import timedelta

from ejournal.journal.v1 import journal_pb2, journal_service_pb2

from .test_portal_journal import (
    ANNA,
    BORIS,
    LESSON_1,
    LESSON_2,
    PAGE,
    a_journal,
    college_today,
    local,
    log_in,
)


async def test_a_transferred_and_a_newly_enrolled_student_are_labelled_and_their_other_days_greyed(
    client, idp, fakes
) -> None:
    await log_in(client, idp)
    a_journal(fakes)
    today = college_today()
    page = fakes.journal.responses["GetJournalPage"]
    # Борис left on the day of lesson 2 (transferred); Анна was enrolled on it.
    page.memberships.extend(
        [
            journal_service_pb2.PageMembership(left_on=local(today), left_by="transfer"),
            journal_service_pb2.PageMembership(joined_on=local(today), joined_by="enrolment"),
        ]
    )
    response = await client.get(PAGE)
    assert response.status_code == 200
    text = response.text
    assert f'<span class="movement-label">переведён {today:%d.%m.%Y}</span>' in text
    assert f'<span class="movement-label">зачислен {today:%d.%m.%Y}</span>' in text
    # Борис's cell at lesson 2 and Анна's at lesson 1 are not theirs: greyed, with the reason.
    boris = text[text.index(f'<tr data-student="{BORIS}"') :]
    boris = boris[: boris.index("</tr>")]
    assert f'<td class="cell off" data-lesson="{LESSON_2}"' in boris
    assert f"переведён {today:%d.%m.%Y}: в этот день не в группе (подгруппе)" in boris
    assert f'<td class="cell" data-lesson="{LESSON_1}"' in boris
    anna = text[text.index(f'<tr data-student="{ANNA}"') :]
    anna = anna[: anna.index("</tr>")]
    assert f'<td class="cell off" data-lesson="{LESSON_1}"' in anna
    assert f'<td class="cell off" data-lesson="{LESSON_2}"' not in anna


async def test_a_subgroups_lesson_follows_the_membership_on_its_date(client, idp, fakes) -> None:
    await log_in(client, idp)
    a_journal(fakes)
    today = college_today()
    first = str(uuid.uuid4())
    page = fakes.journal.responses["GetJournalPage"]
    for lesson in page.lessons:
        lesson.subgroup_id = first
    fakes.journal.reply(
        "ListSubgroups",
        journal_service_pb2.ListSubgroupsResponse(
            subgroups=[journal_pb2.Subgroup(subgroup_id=first, name="подгруппа 1", student_ids=[ANNA])]
        ),
    )
    # Борис was in подгруппа 1 up to the day before lesson 2; Анна has no dated rows (members in force).
    fakes.journal.reply(
        "ListSubgroupMemberships",
        journal_service_pb2.ListSubgroupMembershipsResponse(
            memberships=[
                journal_service_pb2.SubgroupMembership(
                    subgroup_id=first,
                    student_id=BORIS,
                    from_date=local(today - timedelta(days=30)),
                    to_date=local(today),
                )
            ]
        ),
    )
    text = (await client.get(PAGE)).text
    boris = text[text.index(f'<tr data-student="{BORIS}"') :]
    boris = boris[: boris.index("</tr>")]
    assert f'<td class="cell" data-lesson="{LESSON_1}"' in boris
    assert f'<td class="cell off" data-lesson="{LESSON_2}"' in boris
    assert "Занятие подгруппы, в которой обучающийся в этот день не состоял" in boris
