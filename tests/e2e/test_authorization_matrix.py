"""Issue 8's proof: every route the gateway serves × every role × own vs foreign object, on the real stack.

The table below is the expected outcome. One row per (method, path template) of every route of
`gateway.main.create_app` (REST `/api/v1/...` and the portal's pages and form posts); `EXEMPT` lists the
few that are not about anyone's data, each with its reason. A route missing from the table, or a row
naming no route, fails `test_every_route_is_in_the_table`: the matrix grows with the API.

Columns: anon (no token, no session), adm (admin), dir (director), dep (deputy), cur (curator),
ct (class teacher of group A), tch (teacher with the only load in group A), stu (student A1 of group A),
par (parent P of A1, a minor). Each cell says what the role may do:

    A  allowed on its own object and on the foreign one (or, for a route that takes no object, allowed)
    o  allowed on its own object only (group A, student A1, A's lesson/mark/final/…), denied on B's
    -  denied on both

«Own» is the role's own group/child/load/self — side A of `authz_college.College`; «foreign» is side
B (group B, taught only by teacher B; student B1; parent Q). A route whose path (or body, see
`OBJECT_IN_BODY`) names no object runs once per role.

DENY is 401/403/404 (an anonymous portal visitor is sent to /login instead); ALLOW is whatever passed
the access check: 2xx, a redirect elsewhere than /login, or a domain refusal (400/409/422 with a code
that is not an access code) — so a write's body only has to reach the access check, and the body
builders below (`CALLS`) give each write a minimal body that does. A 400 `invalid_request` (the
matrix's own request is malformed) or a 5xx fails the cell whatever it expected.

Adding a route: add its row here (`AUTHZ_MATRIX_PRINT=1` prints what the live stack answers, as rows
to compare with the rules of `../shared/requirements.md` §R1.4 — never copy them blindly: an allow the
requirements do not give is a security bug to fix in the service), and a `CALLS` builder when the
route needs a query or a body.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from gateway.auth.session import COOKIE_NAME

from .authz_college import HEADERS, ROLES, Actor, College, Side, build_college

pytestmark = pytest.mark.e2e

# fmt: off
MATRIX = """
method path                                                                    anon adm  dir  dep  cur  ct   tch  stu  par
GET    /api/v1/groups/{group_id}/absences                                      -    A    A    A    A    o    o    -    -
POST   /api/v1/groups/{group_id}/absences/corrections                          -    A    -    -    -    o    -    -    -
POST   /api/v1/academic-years                                                  -    A    -    -    -    -    -    -    -
GET    /api/v1/academic-years                                                  -    A    A    A    A    A    A    -    -
PUT    /api/v1/groups/{group_id}/calendar/{year_id}                            -    A    -    -    -    -    -    -    -
GET    /api/v1/groups/{group_id}/calendar/{year_id}                            -    A    A    A    A    o    o    -    -
PUT    /api/v1/lessons/{lesson_id}/attendance                                  -    -    -    -    -    -    o    -    -
GET    /api/v1/lessons/{lesson_id}/attendance                                  -    A    A    A    A    o    o    -    -
GET    /api/v1/audit                                                           -    A    A    -    -    -    -    -    -
PUT    /api/v1/bell-schedule                                                   -    A    -    -    -    -    -    -    -
GET    /api/v1/bell-schedule                                                   -    A    A    A    A    A    A    A    A
PUT    /api/v1/groups/{group_id}/curriculum                                    -    A    -    -    -    -    -    -    -
GET    /api/v1/groups/{group_id}/curriculum                                    -    A    A    A    A    o    o    -    -
GET    /api/v1/students/{student_id}/debts                                     -    A    A    A    A    o    o    o    o
GET    /api/v1/groups/{group_id}/debts                                         -    A    A    A    A    o    o    -    -
# The curator (head of department) records retakes with the commission, as the journal allows.
POST   /api/v1/finals/{final_id}/retakes                                       -    A    -    -    A    -    o    -    -
GET    /api/v1/demo-exam/scale                                                 -    A    A    A    A    A    A    -    -
POST   /api/v1/demo-exam/scale/versions                                        -    A    -    -    -    -    -    -    -
POST   /api/v1/groups/{group_id}/demo-exam/results                             -    -    -    -    -    -    o    -    -
GET    /api/v1/groups/{group_id}/demo-exam/results                             -    A    A    A    A    o    o    -    -
GET    /api/v1/students/{student_id}/diary                                     -    A    A    A    A    o    o    o    o
POST   /api/v1/disciplines                                                     -    A    -    -    -    -    -    -    -
GET    /api/v1/disciplines                                                     -    A    A    A    A    A    A    -    -
GET    /api/v1/final-rule                                                      -    A    A    A    A    A    A    -    -
POST   /api/v1/final-rule/versions                                             -    A    -    -    -    -    -    -    -
GET    /api/v1/groups/{group_id}/finals                                        -    A    A    A    A    o    o    -    -
PUT    /api/v1/groups/{group_id}/finals/{student_id}                           -    A    -    -    -    -    o    -    -
GET    /api/v1/groups/{group_id}/finals-sheet                                  -    A    A    A    A    o    o    -    -
GET    /api/v1/students/{student_id}/finals                                    -    A    A    A    A    o    o    o    o
GET    /api/v1/groups/{group_id}/too-few-marks                                 -    A    A    A    A    o    -    -    -
GET    /api/v1/finals/{final_id}/history                                       -    A    A    A    A    o    o    o    o
PATCH  /api/v1/groups/{group_id}                                               -    A    -    -    -    -    -    -    -
GET    /api/v1/groups                                                          -    A    A    A    A    A    A    -    -
GET    /api/v1/groups/{group_id}                                               -    A    A    A    A    o    o    -    -
POST   /api/v1/groups                                                          -    A    -    -    -    -    -    -    -
POST   /api/v1/groups/{group_id}/students                                      -    A    -    -    -    -    -    -    -
# The class teacher reads their own group's list (R1.4; refused before, fixed in the journal).
GET    /api/v1/groups/{group_id}/students                                      -    A    A    A    A    o    o    -    -
GET    /api/v1/marks/{mark_id}/history                                         -    A    A    A    A    o    o    o    o
GET    /api/v1/lessons/{lesson_id}/attendance/{student_id}/history             -    A    A    A    A    o    o    o    o
POST   /api/v1/marks/{mark_id}/correction-requests                             -    -    -    -    -    -    -    o    -
GET    /api/v1/correction-requests                                             -    -    -    -    -    -    A    A    -
POST   /api/v1/correction-requests/{request_id}/answer                         -    -    -    -    -    -    o    -    -
GET    /api/v1/groups/{group_id}/disciplines/{discipline_id}/journal           -    A    A    A    A    o    o    -    -
GET    /api/v1/groups/{group_id}/overview                                      -    A    A    A    A    o    o    -    -
PUT    /api/v1/groups/{group_id}/disciplines/{discipline_id}/ktp               -    A    -    -    -    -    o    -    -
GET    /api/v1/groups/{group_id}/disciplines/{discipline_id}/ktp               -    A    A    A    A    o    o    -    -
GET    /api/v1/ktp/missing                                                     -    A    A    A    A    -    -    -    -
POST   /api/v1/lessons                                                         -    -    -    -    -    -    o    -    -
GET    /api/v1/groups/{group_id}/lessons                                       -    A    A    A    A    o    o    -    -
GET    /api/v1/people/{person_id}/account                                      -    A    -    -    -    -    -    -    -
POST   /api/v1/people/{person_id}/account/disable                              -    A    -    -    -    -    -    -    -
POST   /api/v1/people/{person_id}/account/enable                               -    A    -    -    -    -    -    -    -
POST   /api/v1/marks                                                           -    -    -    -    -    -    o    -    -
GET    /api/v1/students/{student_id}/marks                                     -    A    A    A    A    o    o    o    o
PATCH  /api/v1/marks/{mark_id}                                                 -    -    -    -    -    -    o    -    -
DELETE /api/v1/marks/{mark_id}                                                 -    -    -    -    -    -    o    -    -
GET    /api/v1/me                                                              -    A    A    A    A    A    A    A    A
GET    /api/v1/me/children                                                     -    A    A    A    A    A    A    A    A
POST   /api/v1/students/{student_id}/movements                                 -    A    -    -    -    -    -    -    -
POST   /api/v1/groups/{group_id}/graduation                                    -    A    -    -    -    -    -    -    -
GET    /api/v1/students/{student_id}/movements                                 -    A    A    A    A    o    -    o    o
GET    /api/v1/groups/{group_id}/movements                                     -    A    A    A    A    o    -    -    -
GET    /api/v1/me/notifications                                                -    A    A    A    A    A    A    A    A
PUT    /api/v1/people/{person_id}/birth-date                                   -    A    -    -    -    -    -    -    -
GET    /api/v1/me/parent-access                                                -    -    -    -    -    -    -    A    -
POST   /api/v1/me/parent-access/{parent_id}/grant                              -    -    -    -    -    -    -    o    -
POST   /api/v1/me/parent-access/{parent_id}/withdraw                           -    -    -    -    -    -    -    o    -
POST   /api/v1/people                                                          -    A    -    -    -    -    -    -    -
GET    /api/v1/people                                                          -    A    A    A    A    -    -    -    -
# Names are filtered, not refused: each caller gets only the names they may see (a student or parent
# of A gets no name of B's: checked after the run). Staff get anyone's name (the pages name people).
GET    /api/v1/people/names                                                    -    A    A    A    A    A    A    A    A
# A teacher or class teacher reads the profile of a student of a group they teach or lead (identity's
# projection of the journal's loads and groups), not of another group's (issue 8 item 11, R1.4).
GET    /api/v1/people/{person_id}                                              -    A    A    A    A    o    o    o    o
POST   /api/v1/students/{student_id}/guardians                                 -    A    -    -    -    -    -    -    -
POST   /api/v1/groups/{group_id}/disciplines/{discipline_id}/period-locks      -    A    -    A    -    -    -    -    -
GET    /api/v1/groups/{group_id}/period-locks                                  -    A    A    A    A    o    o    -    -
POST   /api/v1/reopen-requests                                                 -    -    -    -    -    -    o    -    -
GET    /api/v1/reopen-requests                                                 -    -    -    A    -    -    A    -    -
POST   /api/v1/reopen-requests/{request_id}/approve                            -    -    -    A    -    -    -    -    -
POST   /api/v1/reopen-requests/{request_id}/reject                             -    -    -    A    -    -    -    -    -
# Reports cannot tell a teacher's own groups: the administration only (fixed here; was any staff).
GET    /api/v1/reports/groups/{group_id}/mark-summary                          -    A    A    A    A    -    -    -    -
GET    /api/v1/reports/substitutions                                           -    A    A    A    -    -    -    -    -
POST   /api/v1/groups/{group_id}/subgroups                                     -    A    -    -    -    -    -    -    -
GET    /api/v1/groups/{group_id}/subgroups                                     -    A    A    A    A    o    o    -    -
# Dated subgroup membership (slice J): the administration (admin, deputy) moves; the group's readers read.
POST   /api/v1/students/{student_id}/subgroup-movements                        -    A    -    A    -    -    -    -    -
GET    /api/v1/groups/{group_id}/subgroup-memberships                          -    A    A    A    A    o    o    -    -
# Staff accounts and scoped role assignments (slice H4): the admin's (R1.2, §4.1.2); a person reads their own roles.
GET    /api/v1/staff                                                           -    A    -    -    -    -    -    -    -
POST   /api/v1/staff                                                           -    A    -    -    -    -    -    -    -
GET    /api/v1/people/{person_id}/roles                                        -    A    -    -    -    -    -    o    -
POST   /api/v1/people/{person_id}/roles                                        -    A    -    -    -    -    -    -    -
DELETE /api/v1/people/{person_id}/roles/{assignment_id}                        -    A    -    -    -    -    -    -    -
# Group-list import (slice H2): the admin and the group's class teacher; the templates hold no data.
POST   /api/v1/groups/{group_id}/accounts/import                               -    A    -    -    -    o    -    -    -
GET    /api/v1/group-list-import/template.xlsx                                 -    A    A    A    A    A    A    A    A
GET    /api/v1/group-list-import/template.csv                                  -    A    A    A    A    A    A    A    A
# «Учётные записи» (slice H1, R1.2): the admin and the class teacher of the group (its students and their parents).
GET    /api/v1/groups/{group_id}/accounts                                      -    A    -    -    -    o    -    -    -
POST   /api/v1/groups/{group_id}/accounts/credentials                          -    A    -    -    -    o    -    -    -
POST   /api/v1/students/{student_id}/parents                                   -    A    -    -    -    o    -    -    -
GET    /api/v1/me/export                                                       -    A    A    A    A    A    A    A    A
GET    /api/v1/people/{person_id}/export                                       -    -    -    -    -    -    -    o    o
POST   /api/v1/substitutions                                                   -    A    -    A    -    -    -    -    -
POST   /api/v1/substitutions/{substitution_id}/cancel                          -    A    -    A    -    -    -    -    -
GET    /api/v1/substitutions                                                   -    A    A    A    A    A    A    -    -
GET    /api/v1/groups/{group_id}/curriculum-execution                          -    A    A    A    A    o    -    -    -
GET    /api/v1/academic-years/{year_id}/curriculum-lag                         -    A    A    A    A    -    -    -    -
POST   /api/v1/teaching-loads                                                  -    A    -    -    -    -    -    -    -
GET    /api/v1/groups/{group_id}/teaching-loads                                -    A    A    A    A    o    o    -    -
DELETE /api/v1/teaching-loads/{load_id}                                        -    A    -    -    -    -    -    -    -
PUT    /api/v1/groups/{group_id}/timetable                                     -    A    -    -    -    -    -    -    -
GET    /api/v1/groups/{group_id}/timetable                                     -    A    A    A    A    o    o    o    o
GET    /api/v1/teachers/{teacher_id}/day                                       -    A    A    A    A    -    o    -    -
GET    /api/v1/me/day                                                          -    A    A    A    A    A    A    -    -
POST   /api/v1/academic-years/{year_id}/import                                 -    A    -    -    -    -    -    -    -
POST   /api/v1/academic-years/{to_year_id}/copy-from/{from_year_id}            -    A    -    -    -    -    -    -    -
GET    /api/v1/year-import/template.xlsx                                       -    A    A    A    A    -    -    -    -
GET    /                                                                       A    A    A    A    A    A    A    A    A
GET    /diary                                                                  -    A    A    A    A    A    A    A    A
GET    /diary/{student_id}                                                     -    A    A    A    A    o    o    o    o
GET    /notifications                                                          -    A    A    A    A    A    A    A    A
GET    /my-data/{person_id}/export                                             -    -    -    -    -    -    -    o    o
GET    /parent-access                                                          -    -    -    -    -    -    -    A    -
POST   /parent-access                                                          -    -    -    -    -    -    -    A    -
# «Сотрудники» (slice H4): the admin's page of staff accounts and scoped roles.
GET    /staff                                                                  -    A    -    -    -    -    -    -    -
POST   /staff                                                                  -    A    -    -    -    -    -    -    -
POST   /staff/roles                                                            -    A    -    -    -    -    -    -    -
POST   /staff/{person_id}/roles/{assignment_id}/revoke                         -    A    -    -    -    -    -    -    -
POST   /staff/{person_id}/disable                                              -    A    -    -    -    -    -    -    -
POST   /staff/{person_id}/enable                                               -    A    -    -    -    -    -    -    -
# «Загрузка списка группы» (slice H2): the admin and the group's class teacher; the templates hold no data.
GET    /groups/{group_id}/accounts/import                                      -    A    -    -    -    o    -    -    -
POST   /groups/{group_id}/accounts/import                                      -    A    -    -    -    o    -    -    -
GET    /group-list-import/template.xlsx                                        -    A    A    A    A    A    A    A    A
GET    /group-list-import/template.csv                                         -    A    A    A    A    A    A    A    A
# «Учётные записи» (slice H1): the admin and the group's class teacher.
GET    /groups/{group_id}/accounts                                             -    A    -    -    -    o    -    -    -
POST   /groups/{group_id}/accounts/credentials                                 -    A    -    -    -    o    -    -    -
POST   /groups/{group_id}/accounts/parents                                     -    A    -    -    -    o    -    -    -
GET    /academic-years                                                         -    A    A    A    A    -    -    -    -
POST   /academic-years                                                         -    A    -    -    -    -    -    -    -
GET    /bell-schedule                                                          -    A    A    A    A    -    -    -    -
POST   /bell-schedule                                                          -    A    -    -    -    -    -    -    -
GET    /groups                                                                 -    A    A    A    A    -    -    -    -
GET    /groups/{group_id}                                                      -    A    A    A    A    -    -    -    -
POST   /groups/{group_id}/attributes                                           -    A    -    -    -    -    -    -    -
POST   /groups/{group_id}/calendar                                             -    A    -    -    -    -    -    -    -
GET    /groups/{group_id}/loads                                                -    A    A    A    A    -    -    -    -
POST   /groups/{group_id}/loads/{load_id}/remove                               -    A    -    -    -    -    -    -    -
POST   /groups/{group_id}/loads                                                -    A    -    -    -    -    -    -    -
GET    /groups/{group_id}/timetable                                            -    A    A    A    A    -    -    -    -
POST   /groups/{group_id}/timetable                                            -    A    -    -    -    -    -    -    -
GET    /groups/{group_id}/curriculum                                           -    A    A    A    A    -    -    -    -
POST   /groups/{group_id}/curriculum                                           -    A    -    -    -    -    -    -    -
POST   /reopen-requests/new                                                    -    -    -    -    -    -    o    -    -
GET    /reopen-requests                                                        -    -    -    A    -    -    A    -    -
POST   /reopen-requests/{request_id}/approve                                   -    -    -    A    -    -    -    -    -
POST   /reopen-requests/{request_id}/reject                                    -    -    -    A    -    -    -    -    -
GET    /journal/token                                                          -    A    A    A    A    A    A    A    A
GET    /journal                                                                -    A    A    A    A    A    A    -    -
GET    /journal/{group_id}                                                     -    A    A    A    A    o    o    -    -
GET    /journal/{group_id}/{discipline_id}                                     -    A    A    A    A    o    o    -    -
POST   /journal/{group_id}/{discipline_id}/lessons                             -    -    -    -    -    -    o    -    -
POST   /journal/{group_id}/{discipline_id}/marks                               -    -    -    -    -    -    o    -    -
POST   /journal/{group_id}/{discipline_id}/attendance                          -    -    -    -    -    -    o    -    -
GET    /year-import                                                            -    A    A    A    A    -    -    -    -
GET    /year-import/template.xlsx                                              -    A    A    A    A    -    -    -    -
POST   /year-import/check                                                      -    A    -    -    -    -    -    -    -
POST   /year-import/import                                                     -    A    -    -    -    -    -    -    -
POST   /year-import/copy                                                       -    A    -    -    -    -    -    -    -
GET    /today                                                                  -    -    -    -    -    -    A    -    -
GET    /diary/{student_id}/week                                                -    A    A    A    A    o    o    o    o
GET    /absences/{group_id}                                                    -    A    A    A    A    o    -    -    -
POST   /absences/{group_id}                                                    -    A    -    -    -    o    -    -    -
GET    /ktp/{group_id}/{discipline_id}                                         -    A    A    A    A    o    o    -    -
POST   /ktp/{group_id}/{discipline_id}                                         -    A    -    -    -    -    o    -    -
GET    /ktp-missing                                                            -    A    A    A    A    -    -    -    -
GET    /finals/{group_id}/{discipline_id}                                      -    A    A    A    A    o    o    -    -
POST   /finals/{group_id}/{discipline_id}                                      -    A    -    -    -    -    o    -    -
GET    /too-few-marks/{group_id}                                               -    A    A    A    A    o    -    -    -
GET    /final-history/{final_id}                                               -    A    A    A    A    o    o    o    o
POST   /journal/{group_id}/{discipline_id}/marks/{mark_id}                     -    -    -    -    -    -    o    -    -
POST   /journal/{group_id}/{discipline_id}/marks/{mark_id}/remove              -    -    -    -    -    -    o    -    -
GET    /substitutions                                                          -    A    A    A    A    -    -    -    -
POST   /substitutions                                                          -    A    -    A    -    -    -    -    -
POST   /substitutions/{substitution_id}/cancel                                 -    A    -    A    -    -    -    -    -
GET    /groups/{group_id}/curriculum-execution                                 -    A    A    A    A    o    -    -    -
GET    /curriculum-lag                                                         -    A    A    A    A    -    -    -    -
GET    /reports/substitutions                                                  -    A    A    A    -    -    -    -    -
GET    /marks/{mark_id}/history                                                -    A    A    A    A    o    o    o    o
POST   /marks/{mark_id}/history                                                -    -    -    -    -    -    -    o    -
GET    /corrections                                                            -    -    -    -    -    -    A    A    -
POST   /corrections/{request_id}/answer                                        -    -    -    -    -    -    o    -    -
GET    /debts/{group_id}                                                       -    A    A    A    A    o    o    -    -
POST   /debts/{group_id}                                                       -    A    -    -    A    -    o    -    -
GET    /diary/{student_id}/debts                                               -    A    A    A    A    o    o    o    o
GET    /diary/{student_id}/finals                                              -    A    A    A    A    o    o    o    o
GET    /demo-exam/{group_id}/{discipline_id}                                   -    A    A    A    A    o    o    -    -
POST   /demo-exam/{group_id}/{discipline_id}                                   -    -    -    -    -    -    o    -    -
GET    /demo-exam-scale                                                        -    A    A    A    A    A    A    -    -
POST   /demo-exam-scale                                                        -    A    -    -    -    -    -    -    -
GET    /groups/{group_id}/movements                                            -    A    A    A    A    -    -    -    -
POST   /groups/{group_id}/movements                                            -    A    -    -    -    -    -    -    -
POST   /groups/{group_id}/graduation                                           -    A    -    -    -    -    -    -    -
"""
# fmt: on

EXEMPT = {
    ("GET", "/healthz"): "infrastructure: the health probe, public by design, names no data",
    ("GET", "/api/openapi.json"): "the API's public description, no data (test_hardening checks it)",
    ("GET", "/api/docs"): "Swagger UI over the public description, vendored assets (test_hardening)",
    ("GET", "/login"): "the start of the login round trip, public by design (test_hardening)",
    ("GET", "/auth/callback"): "Keycloak's redirect back, checked by state/nonce/PKCE (test_hardening)",
    ("POST", "/logout"): "ends the caller's own session only, with its logout token (test_hardening)",
    ("MOUNT", "/static"): "static files: CSS, scripts, fonts, no data",
}

ALLOW, DENY = "ALLOW", "DENY"
ACCESS_CODES = {
    "forbidden",
    "permission_denied",
    "not_authenticated",
    "unauthenticated",
    "csrf_token_invalid",
}
SYMBOLS = {"A": (ALLOW, ALLOW), "o": (ALLOW, DENY), "f": (DENY, ALLOW), "-": (DENY, DENY)}
CONCURRENCY = 8


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    cells: dict[str, str]  # role → symbol

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def portal(self) -> bool:
        return not self.path.startswith("/api/")


def parse_matrix(text: str) -> list[Row]:
    """Return the table's rows; a malformed row fails at import, naming itself."""
    lines = [line for line in text.strip().splitlines() if line.strip() and not line.startswith("#")]
    header = lines[0].split()
    assert tuple(header[2:]) == HEADERS, header
    rows: list[Row] = []
    for line in lines[1:]:
        parts = line.split()
        assert len(parts) == 2 + len(ROLES), f"row with {len(parts)} columns: {line}"
        assert all(p in SYMBOLS for p in parts[2:]), f"unknown symbol in: {line}"
        rows.append(Row(parts[0], parts[1], dict(zip(ROLES, parts[2:], strict=True))))
    keys = [r.key for r in rows]
    assert len(keys) == len(set(keys)), "a route has two rows"
    return rows


ROWS = parse_matrix(MATRIX)


# -- the routes the gateway serves -------------------------------------------------------------------


def served_routes() -> set[tuple[str, str]]:
    """Return (method, path) of every route of the gateway app (HEAD aside; a mount as MOUNT)."""
    from gateway.config import GatewaySettings
    from gateway.main import create_app

    settings = GatewaySettings(oidc_issuer="http://127.0.0.1:1/realms/x", session_secret="s" * 48)
    app = create_app(settings)
    found: set[tuple[str, str]] = set()

    def walk(routes: list[Any]) -> None:
        for route in routes:
            candidates = getattr(route, "effective_candidates", None)  # an included router (FastAPI ≥ 0.16x)
            if candidates is not None:
                for inner in candidates():
                    if hasattr(inner, "effective_candidates"):
                        walk([inner])
                    else:
                        methods = getattr(inner.original_route, "methods", None) or set()
                        found.update((m, inner.path) for m in methods if m != "HEAD")
            elif getattr(route, "methods", None):
                found.update((m, route.path) for m in route.methods if m != "HEAD")
            else:
                found.add(("MOUNT", route.path))

    walk(app.routes)
    return found


def test_every_route_is_in_the_table() -> None:
    """A route the gateway serves without a row (or a row for no route) fails: the matrix grows with the API."""
    served = served_routes()
    tabled = {r.key for r in ROWS}
    missing = sorted(served - tabled - EXEMPT.keys())
    stale = sorted((tabled | EXEMPT.keys()) - served)
    assert not missing, "routes without a row in MATRIX:\n" + "\n".join(f"{m} {p}" for m, p in missing)
    assert not stale, "rows naming no route:\n" + "\n".join(f"{m} {p}" for m, p in stale)
    assert not tabled & EXEMPT.keys()


# -- how each route is called --------------------------------------------------------------------------


@dataclass
class Call:
    """One request: path values, query, JSON or form body."""

    params: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    json: Any = None
    form: dict[str, Any] | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None


Builder = Callable[[College, Actor, Side], Call]


def path_values(c: College, side: Side, path: str) -> dict[str, str]:
    """Return the default value of every placeholder of a path, from the side's objects."""
    request_id = side.reopen_id if "reopen" in path else side.correction_id
    values = {
        "group_id": side.group_id,
        "student_id": side.student_id,
        "person_id": side.student_id,
        "discipline_id": c.discipline_id,
        "lesson_id": side.lesson_id,
        "mark_id": side.mark_id,
        "final_id": side.final_id,
        "load_id": side.load_id,
        "parent_id": side.parent_id,
        "teacher_id": side.teacher_id,
        "substitution_id": side.substitution_id,
        "request_id": request_id,
        "year_id": c.year_id,
        "to_year_id": c.year_id,
        "from_year_id": c.year_id,
    }
    return {name: values[name] for name in re.findall(r"{(\w+)}", path) if name in values}


def _week(day: date) -> str:
    return (day - timedelta(days=day.weekday())).isoformat()


def _span(c: College, side: Side) -> dict[str, str]:
    return {"date_from": c.semester_starts_on.isoformat(), "date_to": date.today().isoformat()}


def _finals_query(c: College, side: Side) -> dict[str, str]:
    return {"discipline": c.discipline_id, "year_id": c.year_id, "semester": str(c.semester), "kind": "exam"}


FAR = (date.today() + timedelta(days=3650)).isoformat()

CALLS: dict[tuple[str, str], Builder] = {}


def call(method: str, path: str) -> Callable[[Builder], Builder]:
    """Register the request builder of a row."""

    def register(builder: Builder) -> Builder:
        CALLS[(method, path)] = builder
        return builder

    return register


def _same_timetable(c: College, side: Side) -> list[dict[str, Any]]:
    return [
        {
            "weekday": weekday,
            "pair_number": 1,
            "discipline_id": c.discipline_id,
            "teacher_id": side.teacher_id,
        }
        for weekday in (1, 2, 3, 4, 5)
    ]


def _curriculum_rows(c: College) -> list[dict[str, Any]]:
    return [
        {
            "discipline_id": d,
            "semester": c.semester,
            "total_hours": 72,
            "weekly_hours": 2,
            "control_form": "exam",
        }
        for d in (c.discipline_id, c.closed_discipline_id)
    ]


async def _admin(c: College, method: str, path: str, body: Any = None) -> Any:
    return await _as(c.admin_token, c, method, path, body)


async def _as(token: str, c: College, method: str, path: str, body: Any = None) -> Any:
    async with httpx.AsyncClient(base_url=c.gateway, timeout=60) as http:
        response = await http.request(method, path, json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 201), f"{method} {path}: {response.status_code} {response.text}"
    return response.json() if response.content else None


async def _fresh_mark(c: College, side: Side) -> str:
    """A new mark of the side's second student at the side's lesson (a removal row removes it)."""
    body = {"student_id": side.other_student_id, "lesson_id": side.lesson_id, "value": "5"}
    existing = await _as(side.teacher_token, c, "GET", f"/api/v1/students/{side.other_student_id}/marks")
    for mark in existing.get("marks", []):
        if mark.get("lesson_id") == side.lesson_id:
            return str(mark["mark_id"])
    return str((await _as(side.teacher_token, c, "POST", "/api/v1/marks", body))["mark_id"])


async def _fresh_load(c: College, side: Side) -> str:
    """A new teaching load of the side's teacher in a new discipline (a removal row removes it)."""
    discipline = await _admin(
        c,
        "POST",
        "/api/v1/disciplines",
        {"code": f"ОП.{uuid.uuid4().hex[:4]}", "name": "Снимаемая", "kind": "discipline"},
    )
    load = await _admin(
        c,
        "POST",
        "/api/v1/teaching-loads",
        {
            "teacher_id": side.teacher_id,
            "group_id": side.group_id,
            "discipline_id": discipline["discipline_id"],
        },
    )
    return str(load["load_id"])


async def _fresh_substitution(c: College, a: Actor, s: Side) -> dict[str, str]:
    """A substitution of its own for an administration cell of a cancelling row (each may cancel it);
    the others try the side's substitution, which a denied cancel leaves as it is."""
    if a.role not in ("admin", "director", "deputy", "curator"):
        return {}
    day = c.free_days.pop(0)
    created = await _admin(
        c,
        "POST",
        "/api/v1/substitutions",
        {
            "group_id": s.group_id,
            "discipline_id": c.discipline_id,
            "lesson_date": day.isoformat(),
            "pair_number": 1,
            "substitute_teacher_id": c.substitute_id,
            "reason": "other",
        },
    )
    return {
        "substitution_id": str(created.get("substitution_id") or created["substitution"]["substitution_id"])
    }


# REST reads with required queries.
call("GET", "/api/v1/groups/{group_id}/absences")(
    lambda c, a, s: Call(query={"week_start": _week(s.lesson_day)})
)
call("GET", "/api/v1/groups/{group_id}/curriculum")(lambda c, a, s: Call(query={"year_id": c.year_id}))
call("GET", "/api/v1/groups/{group_id}/debts")(lambda c, a, s: Call(query={"year_id": c.year_id}))
call("GET", "/api/v1/groups/{group_id}/demo-exam/results")(
    lambda c, a, s: Call(
        query={"discipline": c.discipline_id, "year_id": c.year_id, "semester": str(c.semester)}
    )
)
call("GET", "/api/v1/students/{student_id}/diary")(lambda c, a, s: Call(query=_span(c, s)))
call("GET", "/api/v1/groups/{group_id}/finals")(lambda c, a, s: Call(query=_finals_query(c, s)))
call("GET", "/api/v1/groups/{group_id}/finals-sheet")(
    lambda c, a, s: Call(query={"year_id": c.year_id, "semester": str(c.semester)})
)
call("GET", "/api/v1/students/{student_id}/finals")(lambda c, a, s: Call(query={"year_id": c.year_id}))
call("GET", "/api/v1/groups/{group_id}/too-few-marks")(
    lambda c, a, s: Call(query={"year_id": c.year_id, "semester": str(c.semester)})
)
call("GET", "/api/v1/groups/{group_id}/disciplines/{discipline_id}/journal")(
    lambda c, a, s: Call(query=_span(c, s))
)
call("GET", "/api/v1/groups/{group_id}/overview")(lambda c, a, s: Call(query=_span(c, s)))
call("GET", "/api/v1/ktp/missing")(lambda c, a, s: Call(query={"year_id": c.year_id}))
call("GET", "/api/v1/groups/{group_id}/lessons")(
    lambda c, a, s: Call(
        query={
            "discipline_id": c.discipline_id,
            "from": _span(c, s)["date_from"],
            "to": _span(c, s)["date_to"],
        }
    )
)
call("GET", "/api/v1/people")(lambda c, a, s: Call(query={"query": "Аверин"}))
call("GET", "/api/v1/people/names")(lambda c, a, s: Call(query={"person_id": s.student_id}))
call("GET", "/api/v1/reports/substitutions")(lambda c, a, s: Call(query=_span(c, s)))
call("GET", "/api/v1/substitutions")(
    lambda c, a, s: Call(
        query={
            "from": _span(c, s)["date_from"],
            "to": (c.semester_starts_on + timedelta(days=120)).isoformat(),
        }
    )
)
call("GET", "/api/v1/groups/{group_id}/curriculum-execution")(
    lambda c, a, s: Call(query={"year_id": c.year_id})
)
call("GET", "/api/v1/groups/{group_id}/timetable")(
    lambda c, a, s: Call(query={"year_id": c.year_id, "semester": str(c.semester)})
)

# REST writes: minimal bodies that reach the access check; replacing writes put back what is there.
call("POST", "/api/v1/groups/{group_id}/absences/corrections")(
    lambda c, a, s: Call(
        json={
            "corrections": [
                {"lesson_id": s.absence_lesson_id, "student_id": s.student_id, "reason": "illness"}
            ]
        }
    )
)
call("POST", "/api/v1/academic-years")(
    lambda c, a, s: Call(
        json={
            "name": "2090/2091",
            "starts_on": "2090-09-01",
            "ends_on": "2091-08-31",
            "semester1": {"starts_on": "2090-09-01", "ends_on": "2091-01-15"},
            "semester2": {"starts_on": "2091-01-16", "ends_on": "2091-08-31"},
        }
    )
)
call("PUT", "/api/v1/groups/{group_id}/calendar/{year_id}")(
    lambda c, a, s: Call(
        json={"spans": [{"kind": "theory", "starts_on": c.semester_starts_on.isoformat(), "ends_on": FAR}]}
    )
)
call("PUT", "/api/v1/lessons/{lesson_id}/attendance")(
    lambda c, a, s: Call(
        json={
            "entries": [
                {"student_id": s.student_id, "status": "present"},
                {"student_id": s.other_student_id, "status": "present"},
            ]
        }
    )
)
call("PUT", "/api/v1/bell-schedule")(lambda c, a, s: Call(json={"pairs": c.bell_pairs}))
call("PUT", "/api/v1/groups/{group_id}/curriculum")(
    lambda c, a, s: Call(query={"year_id": c.year_id}, json={"rows": _curriculum_rows(c)})
)
call("POST", "/api/v1/finals/{final_id}/retakes")(
    lambda c, a, s: Call(json={"retake_date": date.today().isoformat(), "value": "5"})
)
call("POST", "/api/v1/demo-exam/scale/versions")(
    lambda c, a, s: Call(
        json={"bands": [{"from_percent": "0", "to_percent": "100", "mark": "9"}], "effective_from": FAR}
    )
)
call("POST", "/api/v1/groups/{group_id}/demo-exam/results")(
    lambda c, a, s: Call(
        json={
            "discipline_id": c.discipline_id,
            "year_id": c.year_id,
            "semester": c.semester,
            "student_id": s.student_id,
            "points": "3",
            "maximum": "5",
            "exam_date": s.lesson_day.isoformat(),
        }
    )
)
call("POST", "/api/v1/disciplines")(
    lambda c, a, s: Call(json={"code": f"ОП.{uuid.uuid4().hex[:4]}", "name": "Новая", "kind": "discipline"})
)
call("POST", "/api/v1/final-rule/versions")(
    lambda c, a, s: Call(json={"kind": "mean", "rounding": "half_up", "effective_from": "2000-01-01"})
)
call("PUT", "/api/v1/groups/{group_id}/finals/{student_id}")(
    lambda c, a, s: Call(
        json={
            "discipline_id": c.discipline_id,
            "year_id": c.year_id,
            "semester": c.semester,
            "kind": "exam",
            "value": "4",
            "confirm_not_enough_marks": True,
        }
    )
)
call("PATCH", "/api/v1/groups/{group_id}")(lambda c, a, s: Call(json={"course_year": 2}))
call("POST", "/api/v1/groups")(lambda c, a, s: Call(json={"name": f"МН-{uuid.uuid4().hex[:6]}"}))
call("POST", "/api/v1/groups/{group_id}/students")(
    lambda c, a, s: Call(json={"student_id": s.other_student_id})
)
call("POST", "/api/v1/marks/{mark_id}/correction-requests")(
    lambda c, a, s: Call(json={"text": "Прошу проверить."})
)
call("POST", "/api/v1/correction-requests/{request_id}/answer")(
    lambda c, a, s: Call(json={"decision": "explained", "text": "Оценка верна."})
)
call("PUT", "/api/v1/groups/{group_id}/disciplines/{discipline_id}/ktp")(
    lambda c, a, s: Call(json={"topics": [{"title": "Тема", "hours": 0, "kind": "lecture"}]})
)
call("POST", "/api/v1/lessons")(
    lambda c, a, s: Call(
        json={
            "group_id": s.group_id,
            "discipline_id": c.discipline_id,
            "lesson_date": FAR,
            "pair_number": 1,
            "topic": "В будущем",
            "kind": "lecture",
        }
    )
)
call("POST", "/api/v1/marks")(
    lambda c, a, s: Call(
        json={"student_id": s.other_student_id, "lesson_id": s.absence_lesson_id, "value": "5"}
    )
)
call("PATCH", "/api/v1/marks/{mark_id}")(
    lambda c, a, s: Call(json={"value": "5", "reason": "Проверка доступа"})
)


@call("DELETE", "/api/v1/marks/{mark_id}")
async def _remove_mark(c: College, a: Actor, s: Side) -> Call:
    return Call(params={"mark_id": await _fresh_mark(c, s)}, query={"reason": "Проверка доступа"})


call("POST", "/api/v1/students/{student_id}/movements")(
    lambda c, a, s: Call(
        json={
            "kind": "return",
            "on_date": date.today().isoformat(),
            "order_number": "1-к",
            "to_group_id": s.group_id,
        }
    )
)
# Slice J: the same subgroup on both sides reaches the access check and is refused after it (400
# transfer_to_same_subgroup) without moving anyone.
_SAME_SUBGROUP = str(uuid.uuid4())
call("POST", "/api/v1/students/{student_id}/subgroup-movements")(
    lambda c, a, s: Call(
        json={"from_subgroup_id": _SAME_SUBGROUP, "to_subgroup_id": _SAME_SUBGROUP, "on_date": FAR}
    )
)
call("POST", "/api/v1/groups/{group_id}/graduation")(
    lambda c, a, s: Call(json={"on_date": FAR, "order_number": "1-в"})
)
call("PUT", "/api/v1/people/{person_id}/birth-date")(lambda c, a, s: Call(json={"birth_date": "2012-01-01"}))
call("POST", "/api/v1/people")(
    lambda c, a, s: Call(json={"role": "admin", "last_name": "Лишний", "first_name": "Л"})
)
call("POST", "/api/v1/students/{student_id}/guardians")(lambda c, a, s: Call(json={"parent_id": s.parent_id}))
call("POST", "/api/v1/groups/{group_id}/disciplines/{discipline_id}/period-locks")(
    lambda c, a, s: Call(
        params={"discipline_id": c.closed_discipline_id}, json={"year_id": c.year_id, "semester": c.semester}
    )
)
call("POST", "/api/v1/reopen-requests")(
    lambda c, a, s: Call(
        json={
            "group_id": s.group_id,
            "discipline_id": c.closed_discipline_id,
            "year_id": c.year_id,
            "semester": c.semester,
            "reason": "Опечатка",
        }
    )
)
call("POST", "/api/v1/reopen-requests/{request_id}/approve")(lambda c, a, s: Call(json={"hours": 24}))
call("POST", "/api/v1/reopen-requests/{request_id}/reject")(
    lambda c, a, s: Call(json={"reason": "Нет оснований"})
)
call("POST", "/api/v1/groups/{group_id}/subgroups")(
    lambda c, a, s: Call(
        json={"discipline_id": c.discipline_id, "name": f"П-{uuid.uuid4().hex[:4]}", "student_ids": []}
    )
)
call("POST", "/api/v1/substitutions")(
    lambda c, a, s: Call(
        json={
            "group_id": s.group_id,
            "discipline_id": c.discipline_id,
            "lesson_date": (c.substitution_day or date.today()).isoformat(),
            "pair_number": 1,
            "substitute_teacher_id": c.substitute_id,
            "reason": "sick_leave",
        }
    )
)
call("POST", "/api/v1/teaching-loads")(
    lambda c, a, s: Call(
        json={"teacher_id": s.teacher_id, "group_id": s.group_id, "discipline_id": c.discipline_id}
    )
)


@call("DELETE", "/api/v1/teaching-loads/{load_id}")
async def _remove_load(c: College, a: Actor, s: Side) -> Call:
    return Call(params={"load_id": await _fresh_load(c, s)})


call("PUT", "/api/v1/groups/{group_id}/timetable")(
    lambda c, a, s: Call(
        query={"year_id": c.year_id, "semester": str(c.semester)}, json={"entries": _same_timetable(c, s)}
    )
)
call("POST", "/api/v1/academic-years/{year_id}/import")(
    lambda c, a, s: Call(
        query={"dry_run": "true"},
        files={"workbook": ("plan.xlsx", b"not a workbook", "application/octet-stream")},
    )
)
# A list with a header and no student: refused as empty_file once access is granted, nothing created.
call("POST", "/api/v1/groups/{group_id}/accounts/import")(
    lambda c, a, s: Call(
        files={"file": ("list.csv", "Фамилия студента;Имя студента\r\n".encode(), "text/csv")}
    )
)
# Slice H1: the second student's password (nobody of the matrix logs in as them) and a parent for them.
call("POST", "/api/v1/groups/{group_id}/accounts/credentials")(
    lambda c, a, s: Call(json={"person_ids": [s.other_student_id]})
)
call("POST", "/api/v1/students/{student_id}/parents")(
    lambda c, a, s: Call(
        params={"student_id": s.other_student_id}, json={"last_name": "Матрицына", "first_name": "Вера"}
    )
)
call("POST", "/groups/{group_id}/accounts/credentials")(
    lambda c, a, s: Call(form={"person_ids": s.other_student_id})
)
call("POST", "/groups/{group_id}/accounts/parents")(
    lambda c, a, s: Call(
        form={"student_id": s.other_student_id, "last_name": "Матрицына", "first_name": "Вера"}
    )
)
call("POST", "/api/v1/people/{person_id}/account/disable")(
    lambda c, a, s: Call(params={"person_id": s.other_student_id})
)
call("POST", "/api/v1/people/{person_id}/account/enable")(
    lambda c, a, s: Call(params={"person_id": s.other_student_id})
)
call("GET", "/api/v1/people/{person_id}/account")(
    lambda c, a, s: Call(params={"person_id": s.other_student_id})
)

call("POST", "/api/v1/staff")(
    lambda c, a, s: Call(json={"role": "teacher", "last_name": "Принятая", "first_name": "Пелагея"})
)
call("POST", "/api/v1/people/{person_id}/roles")(
    lambda c, a, s: Call(
        params={"person_id": c.substitute_id}, json={"role": "teacher", "scope": {"kind": "college"}}
    )
)


@call("DELETE", "/api/v1/people/{person_id}/roles/{assignment_id}")
async def _revoke_role(c: College, a: Actor, s: Side) -> Call:
    """The admin revokes an assignment of their own making (the substitute's second role); the others
    are refused before the assignment is looked up, so any id does."""
    if a.role != "admin":
        return Call(params={"person_id": c.substitute_id, "assignment_id": str(uuid.uuid4())})
    role = "head_of_commission" if s is c.a else "master"
    made = await _admin(
        c, "POST", f"/api/v1/people/{c.substitute_id}/roles", {"role": role, "scope": {"kind": "college"}}
    )
    return Call(params={"person_id": c.substitute_id, "assignment_id": str(made["assignment_id"])})


# «Сотрудники» (slice H4): a form that reaches identity (an empty one is refused by the page itself
# for the admin, 400, after the access check); disable/enable the side's second student, as the REST rows.
call("POST", "/staff")(lambda c, a, s: Call(form={"role": "teacher", "last_name": "Портальная"}))
call("POST", "/staff/roles")(
    lambda c, a, s: Call(form={"person_id": c.substitute_id, "role": "teacher", "scope_kind": "college"})
)
call("POST", "/staff/{person_id}/disable")(lambda c, a, s: Call(params={"person_id": s.other_student_id}))
call("POST", "/staff/{person_id}/enable")(lambda c, a, s: Call(params={"person_id": s.other_student_id}))


@call("POST", "/staff/{person_id}/roles/{assignment_id}/revoke")
async def _revoke_role_in_the_portal(c: College, a: Actor, s: Side) -> Call:
    """As the REST revoke: the admin revokes an assignment made for the cell; the others are refused
    before anything is looked up."""
    if a.role != "admin":
        return Call(params={"person_id": c.substitute_id, "assignment_id": str(uuid.uuid4())})
    scope = {"kind": "discipline_in_group", "group_id": s.group_id, "discipline_id": c.discipline_id}
    made = await _admin(
        c, "POST", f"/api/v1/people/{c.substitute_id}/roles", {"role": "head_of_commission", "scope": scope}
    )
    return Call(params={"person_id": c.substitute_id, "assignment_id": str(made["assignment_id"])})


# Portal pages with a choice in the query.
call("GET", "/groups/{group_id}/curriculum")(lambda c, a, s: Call(query={"year_id": c.year_id}))
call("GET", "/groups/{group_id}/timetable")(
    lambda c, a, s: Call(query={"year_id": c.year_id, "semester": str(c.semester)})
)
call("GET", "/finals/{group_id}/{discipline_id}")(
    lambda c, a, s: Call(query={"year": c.year_id, "period": f"{c.semester}:exam"})
)
call("GET", "/debts/{group_id}")(lambda c, a, s: Call(query={"year_id": c.year_id}))
call("GET", "/absences/{group_id}")(lambda c, a, s: Call(query={"week": _week(s.lesson_day)}))

# Portal form posts (the CSRF token is added to every one).
call("POST", "/academic-years")(
    lambda c, a, s: Call(
        form={
            "name": "2090/2091",
            "starts_on": "2090-09-01",
            "ends_on": "2091-08-31",
            "semester1_starts_on": "2090-09-01",
            "semester1_ends_on": "2091-01-15",
            "semester2_starts_on": "2091-01-16",
            "semester2_ends_on": "2091-08-31",
        }
    )
)
call("POST", "/bell-schedule")(lambda c, a, s: Call(form={"starts_1": "10:00", "ends_1": "09:00"}))
call("POST", "/groups/{group_id}/attributes")(lambda c, a, s: Call(form={"course_year": "9"}))
call("POST", "/groups/{group_id}/calendar")(
    lambda c, a, s: Call(
        form={
            "year_id": c.year_id,
            "kind_1": "theory",
            "starts_1": c.semester_starts_on.isoformat(),
            "ends_1": FAR,
        }
    )
)


@call("POST", "/groups/{group_id}/loads/{load_id}/remove")
async def _remove_load_form(c: College, a: Actor, s: Side) -> Call:
    return Call(params={"load_id": await _fresh_load(c, s)})


call("POST", "/groups/{group_id}/loads")(
    lambda c, a, s: Call(form={"discipline_id": c.discipline_id, "teacher_id": s.teacher_id})
)
call("POST", "/groups/{group_id}/timetable")(
    lambda c, a, s: Call(
        form={
            "year_id": c.year_id,
            "semester": str(c.semester),
            **{
                f"{k}_{n}": v
                for n, e in enumerate(_same_timetable(c, s), 1)
                for k, v in (
                    ("weekday", str(e["weekday"])),
                    ("pair", "1"),
                    ("parity", "every"),
                    ("discipline", c.discipline_id),
                    ("teacher", s.teacher_id),
                )
            },
        }
    )
)
call("POST", "/groups/{group_id}/curriculum")(
    lambda c, a, s: Call(
        form={
            "year_id": c.year_id,
            **{
                f"{k}_{n}": v
                for n, d in enumerate((c.discipline_id, c.closed_discipline_id), 1)
                for k, v in (
                    ("discipline", d),
                    ("semester", str(c.semester)),
                    ("total", "72"),
                    ("weekly", "2"),
                    ("control", "exam"),
                )
            },
        }
    )
)
call("POST", "/reopen-requests/new")(
    lambda c, a, s: Call(
        form={
            "group_id": s.group_id,
            "discipline_id": c.closed_discipline_id,
            "year_id": c.year_id,
            "semester": str(c.semester),
            "reason": "Опечатка",
        }
    )
)
call("POST", "/reopen-requests/{request_id}/approve")(lambda c, a, s: Call(form={"hours": "24"}))
call("POST", "/reopen-requests/{request_id}/reject")(lambda c, a, s: Call(form={"reason": "Нет оснований"}))
call("POST", "/journal/{group_id}/{discipline_id}/lessons")(
    lambda c, a, s: Call(
        form={"lesson_date": FAR, "pair_number": "1", "topic": "В будущем", "kind": "lecture"}
    )
)
call("POST", "/journal/{group_id}/{discipline_id}/marks")(
    lambda c, a, s: Call(
        form={"lesson_id": s.absence_lesson_id, "student_id": s.other_student_id, "value": "5"}
    )
)
call("POST", "/journal/{group_id}/{discipline_id}/attendance")(
    lambda c, a, s: Call(form={"lesson_id": s.absence_lesson_id, "entry": f"{s.student_id}:absent:illness"})
)
call("POST", "/year-import/check")(lambda c, a, s: Call(form={"year_id": c.year_id}))
call("POST", "/year-import/import")(lambda c, a, s: Call(form={"year_id": c.year_id}))
call("POST", "/groups/{group_id}/accounts/import")(
    lambda c, a, s: Call(
        files={"file": ("list.csv", "Фамилия студента;Имя студента\r\n".encode(), "text/csv")}
    )
)
call("POST", "/year-import/copy")(
    lambda c, a, s: Call(form={"from_year_id": c.year_id, "to_year_id": c.year_id})
)
call("POST", "/absences/{group_id}")(
    lambda c, a, s: Call(
        form={"week": _week(s.lesson_day), f"reason:{s.absence_lesson_id}:{s.student_id}": "illness"}
    )
)
call("POST", "/ktp/{group_id}/{discipline_id}")(
    lambda c, a, s: Call(
        form={"op": "save", "topic_id": "", "title": "Тема", "hours": "0", "kind": "lecture"}
    )
)
call("POST", "/finals/{group_id}/{discipline_id}")(
    lambda c, a, s: Call(
        form={
            "year": c.year_id,
            "period": f"{c.semester}:exam",
            "student_id": s.student_id,
            "value": "4",
            "confirm": "1",
        }
    )
)
call("POST", "/journal/{group_id}/{discipline_id}/marks/{mark_id}")(
    lambda c, a, s: Call(form={"value": "5", "reason": "Проверка доступа"})
)


@call("POST", "/journal/{group_id}/{discipline_id}/marks/{mark_id}/remove")
async def _remove_mark_form(c: College, a: Actor, s: Side) -> Call:
    return Call(params={"mark_id": await _fresh_mark(c, s)}, form={"reason": "Проверка доступа"})


call("POST", "/substitutions")(
    lambda c, a, s: Call(
        form={
            "group_id": s.group_id,
            "discipline_id": c.discipline_id,
            "lesson_date": (c.substitution_day or date.today()).isoformat(),
            "pair_number": "1",
            "reason": "sick_leave",
            "substitute_id": c.substitute_id,
        }
    )
)


@call("POST", "/substitutions/{substitution_id}/cancel")
async def _cancel_form(c: College, a: Actor, s: Side) -> Call:
    return Call(params=await _fresh_substitution(c, a, s), form={"week": _week(date.today())})


@call("POST", "/api/v1/substitutions/{substitution_id}/cancel")
async def _cancel(c: College, a: Actor, s: Side) -> Call:
    return Call(params=await _fresh_substitution(c, a, s))


call("POST", "/marks/{mark_id}/history")(lambda c, a, s: Call(form={"text": "Прошу проверить."}))
call("POST", "/corrections/{request_id}/answer")(
    lambda c, a, s: Call(form={"decision": "explained", "text": "Оценка верна."})
)
call("POST", "/debts/{group_id}")(
    lambda c, a, s: Call(
        form={
            "year_id": c.year_id,
            "final_id": s.final_id,
            "retake_date": date.today().isoformat(),
            "value": "5",
        }
    )
)
call("POST", "/demo-exam/{group_id}/{discipline_id}")(
    lambda c, a, s: Call(
        form={
            "year_id": c.year_id,
            "student_id": s.student_id,
            "semester": str(c.semester),
            "exam_date": s.lesson_day.isoformat(),
            "points": "3",
            "maximum": "5",
        }
    )
)
call("POST", "/demo-exam-scale")(
    lambda c, a, s: Call(form={"from_1": "0", "to_1": "100", "mark_1": "9", "effective_from": FAR})
)
call("POST", "/groups/{group_id}/movements")(
    lambda c, a, s: Call(
        form={
            "student_id": s.student_id,
            "kind": "return",
            "on_date": date.today().isoformat(),
            "order_number": "1-к",
        }
    )
)
call("POST", "/groups/{group_id}/graduation")(
    lambda c, a, s: Call(form={"on_date": FAR, "order_number": "1-в"})
)
call("POST", "/parent-access")(lambda c, a, s: Call(form={"action": "grant", "parent_id": s.parent_id}))


# Routes whose object is in the query or the body, not the path: they too run on own and foreign.
OBJECT_IN_BODY = {
    ("POST", "/api/v1/lessons"),
    ("POST", "/api/v1/marks"),
    ("POST", "/api/v1/teaching-loads"),
    ("POST", "/api/v1/substitutions"),
    ("POST", "/api/v1/reopen-requests"),
    ("GET", "/api/v1/people/names"),
    ("POST", "/substitutions"),
    ("POST", "/reopen-requests/new"),
}


def is_object_route(row: Row) -> bool:
    return "{" in row.path or row.key in OBJECT_IN_BODY


# -- running the cells ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    row: Row
    role: str
    side: str  # "own", "foreign" or "-" (a route without an object)
    expected: str
    status: int = 0
    code: str = ""
    got: str = ""


def verdict(row: Row, response: httpx.Response) -> tuple[str, str]:
    """Return (ALLOW/DENY/BAD, code) of an answer."""
    status = response.status_code
    code = ""
    if response.headers.get("content-type", "").startswith("application/json"):
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            error = body.get("error")
            code = str(error.get("code", "")) if isinstance(error, dict) else str(body.get("code", ""))
    if status >= 500 or (status == 400 and code == "invalid_request"):
        return "BAD", code
    if status in (401, 403, 404) or code in ACCESS_CODES:
        return DENY, code
    if 300 <= status < 400:
        location = response.headers.get("location", "")
        return (DENY if location.startswith("/login") else ALLOW), location
    return ALLOW, code


async def run_cell(
    http: httpx.AsyncClient, c: College, row: Row, role: str, side_name: str, limit: asyncio.Semaphore
) -> Outcome:
    actor = c.actors[role]
    side = c.side("own" if side_name in ("own", "-") else "foreign")
    symbol = row.cells[role]
    own, foreign = SYMBOLS[symbol]
    expected = foreign if side_name == "foreign" else own
    outcome = Outcome(row, role, side_name, expected)
    builder = CALLS.get(row.key)
    async with limit:
        prepared = builder(c, actor, side) if builder else Call()
        if asyncio.iscoroutine(prepared):
            prepared = await prepared
        values = {**path_values(c, side, row.path), **prepared.params}
        url = row.path.format(**values)
        headers: dict[str, str] = {}
        data = prepared.form
        if row.portal:
            headers = {"Cookie": f"{COOKIE_NAME}={actor.cookie}"} if actor.cookie else {}
            if row.method == "POST":
                data = {"csrf_token": actor.csrf, **(prepared.form or {})}
        else:
            headers = actor.headers()
        for _ in range(3):  # a write that makes a Keycloak account may miss the deadline under load
            response = await http.request(
                row.method,
                url,
                params=prepared.query or None,
                json=prepared.json if not row.portal else None,
                data=data if row.portal else None,
                files=prepared.files,
                headers=headers,
            )
            if response.status_code != 504:
                break
    outcome.got, outcome.code = verdict(row, response)
    outcome.status = response.status_code
    return outcome


def cells_of(row: Row) -> list[tuple[str, str]]:
    """Return the (role, side) cells of a row; an anonymous visitor has no own object: one cell."""
    sides = ("own", "foreign") if is_object_route(row) else ("-",)
    return [(role, side) for role in ROLES for side in (sides[-1:] if role == "anon" else sides)]


# Writes that must run after the others (they close, remove or end something), in this order.
LATE_PHASES: list[set[tuple[str, str]]] = [
    {
        ("POST", "/api/v1/groups/{group_id}/disciplines/{discipline_id}/period-locks"),
        ("POST", "/api/v1/reopen-requests/{request_id}/approve"),
        ("POST", "/api/v1/reopen-requests/{request_id}/reject"),
        ("POST", "/reopen-requests/{request_id}/approve"),
        ("POST", "/reopen-requests/{request_id}/reject"),
        ("POST", "/api/v1/correction-requests/{request_id}/answer"),
        ("POST", "/corrections/{request_id}/answer"),
        ("POST", "/api/v1/substitutions/{substitution_id}/cancel"),
        ("POST", "/substitutions/{substitution_id}/cancel"),
        ("POST", "/api/v1/people/{person_id}/account/disable"),
        ("POST", "/staff/{person_id}/disable"),
    },
    {
        ("POST", "/api/v1/people/{person_id}/account/enable"),
        ("POST", "/staff/{person_id}/enable"),
        ("POST", "/api/v1/groups/{group_id}/graduation"),
        ("POST", "/groups/{group_id}/graduation"),
    },
]


async def run_matrix(c: College) -> list[Outcome]:
    limit = asyncio.Semaphore(CONCURRENCY)
    reads = [r for r in ROWS if r.method == "GET"]
    late = set().union(*LATE_PHASES)
    writes = [r for r in ROWS if r.method != "GET" and r.key not in late]
    phases = [reads, writes, *([r for r in ROWS if r.key in phase] for phase in LATE_PHASES)]
    outcomes: list[Outcome] = []
    async with httpx.AsyncClient(base_url=c.gateway, timeout=60, follow_redirects=False) as http:
        for phase in phases:
            outcomes += await asyncio.gather(
                *(run_cell(http, c, row, role, side, limit) for row in phase for role, side in cells_of(row))
            )
    return outcomes


def observed_rows(outcomes: list[Outcome]) -> str:
    """Return the live answers as table rows (for `AUTHZ_MATRIX_PRINT=1`)."""
    by_row: dict[tuple[str, str], dict[str, dict[str, str]]] = {}
    for o in outcomes:
        by_row.setdefault(o.row.key, {}).setdefault(o.role, {})[o.side] = o.got
    lines = []
    for row in ROWS:
        cells = []
        for role in ROLES:
            got = by_row[row.key][role]
            own = got.get("own") or got.get("-") or got.get("foreign")
            foreign = got.get("foreign") or got.get("-")
            if "BAD" in (own, foreign):
                cells.append("!")
            else:
                cells.append(
                    {(ALLOW, ALLOW): "A", (ALLOW, DENY): "o", (DENY, ALLOW): "f", (DENY, DENY): "-"}[
                        (own, foreign)
                    ]
                )  # type: ignore[index]
        lines.append(f"{row.method:<7}{row.path:<64} " + " ".join(f"{s:<3}" for s in cells).rstrip())
    return "\n".join(lines)


@pytest.fixture(scope="module")
def college(stack_platform) -> College:  # type: ignore[no-untyped-def]
    return build_college(stack_platform)


def test_every_role_gets_exactly_what_the_table_says(college: College) -> None:
    started = time.monotonic()
    outcomes = asyncio.run(run_matrix(college))
    seconds = time.monotonic() - started
    print(f"\nauthorization matrix: {len(outcomes)} cells of {len(ROWS)} routes in {seconds:.1f} s")
    if os.environ.get("AUTHZ_MATRIX_PRINT"):
        print(observed_rows(outcomes))
    wrong = [o for o in outcomes if o.got != o.expected]
    if wrong:
        lines = [f"{'role':<14}{'side':<8}{'expected':<9}{'got':<6}{'status':<7}{'code':<28}route"]
        for o in sorted(wrong, key=lambda o: (o.row.path, o.row.method, o.role, o.side)):
            lines.append(
                f"{o.role:<14}{o.side:<8}{o.expected:<9}{o.got:<6}{o.status:<7}{o.code[:27]:<28}"
                f"{o.row.method} {o.row.path}"
            )
        unexpected_allows = sum(1 for o in wrong if o.got == ALLOW)
        pytest.fail(
            f"{len(wrong)} cells differ from the table ({unexpected_allows} unexpected allows):\n"
            + "\n".join(lines)
        )
    assert not (problems := asyncio.run(denied_writes_changed_nothing(college))), "\n".join(problems)


async def denied_writes_changed_nothing(c: College) -> list[str]:
    """Read back a few objects that only denied writes were aimed at: they are as the build left them."""
    problems: list[str] = []
    b = c.b
    marks = await _admin(c, "GET", f"/api/v1/students/{b.student_id}/marks")
    values = {m["mark_id"]: m["value"] for m in marks["marks"]}
    if values.get(b.mark_id) != "4":  # teacher A's change of B1's mark was refused
        problems.append(f"B1's mark is {values.get(b.mark_id)!r}, not '4'")
    second = await _admin(c, "GET", f"/api/v1/students/{b.other_student_id}/marks")
    strangers = [m for m in second["marks"] if m["teacher_id"] != b.teacher_id]
    if strangers:  # nobody but teacher B may mark B2 (teacher A's marks were refused)
        problems.append(f"B2 has marks of another teacher: {strangers}")
    attendance = await _admin(c, "GET", f"/api/v1/lessons/{b.lesson_id}/attendance")
    if attendance.get("entries"):  # teacher A's attendance of B's lesson was refused
        problems.append(f"B's lesson has attendance: {attendance['entries']}")
    # Names are filtered rather than refused: a student or parent of group A learns no name of B's.
    for role in ("student", "parent"):
        async with httpx.AsyncClient(base_url=c.gateway, timeout=60) as http:
            answer = await http.get(
                "/api/v1/people/names", params={"person_id": b.student_id}, headers=c.actors[role].headers()
            )
        if answer.status_code != 200 or answer.json().get("people"):
            problems.append(f"{role} of group A got B1's name: {answer.status_code} {answer.text[:200]}")
    return problems
