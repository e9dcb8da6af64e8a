"""Within one network, who may follow the answers to an opportunity: the answers page, a CV,
the export and a change of status, for every role; and nobody answers what they cannot see."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from tsunagu.careers.models import Application, Opportunity, Recruiter, Status
from tsunagu.core.testing.factories import make_member, make_user
from tsunagu.notify.models import Notification
from tsunagu.tenancy.models import Membership, Role
from tsunagu.tenancy.models import Status as MemberStatus
from tsunagu.testing.world import World

from .helpers import answer, cv_upload, make_opportunity, pdf_bytes, reload, url

pytestmark = pytest.mark.django_db

# What each of them gets: the answers page, the applicant's CV, the CSV export, a status change.
# The answers page and the export are of an opportunity the reader may open, so the refusal is a
# 403; the CV and the status change are of an answer that is not theirs to know of: 404.
EXPECTED: dict[str, tuple[int, int, int, int]] = {
    "poster": (200, 200, 200, 302),
    "operator": (200, 200, 200, 302),
    "applicant": (403, 200, 403, 403),
    "another employee": (403, 404, 403, 404),
    "recruiter": (403, 404, 403, 404),
    "supporter": (403, 404, 403, 404),
    "alumni": (403, 404, 403, 404),
    "suspended": (403, 403, 403, 403),  # "your membership is suspended", before any lookup
}


def cast(world: World) -> dict[str, Membership]:
    recruiter = make_member(world.net_a, make_user(name="採用 担当"), role=Role.EMPLOYEE)
    with scopes_disabled():
        Recruiter.objects.create(network=world.net_a, membership=recruiter)
    return {
        "poster": world.employee_a,
        "operator": world.operator_a,
        "applicant": make_member(world.net_a, make_user(name="応募 花子")),
        "another employee": make_member(
            world.net_a, make_user(name="同僚 太郎"), role=Role.EMPLOYEE
        ),
        "recruiter": recruiter,
        "supporter": world.supporter_a,
        "alumni": world.alumni_a,
        "suspended": make_member(
            world.net_a, make_user(name="停止 中"), status=MemberStatus.SUSPENDED
        ),
    }


def test_each_role_reaches_the_answers_a_cv_the_export_and_the_status_as_the_table_says(
    world: World,
) -> None:
    people = cast(world)
    opportunity = make_opportunity(world.employee_a)
    found = answer(people["applicant"], opportunity, mode="apply", message="ぜひ", cv=cv_upload())
    next_status = iter([Status.CONTACT, Status.INTERVIEW])
    seen: dict[str, tuple[int, int, int, int]] = {}
    for role, (_page, _cv, _export, allowed) in EXPECTED.items():
        client = world.client(people[role])
        before = reload(found).status
        wanted = next(next_status) if allowed == 302 else Status.OFFER
        status = client.post(url(world, f"answers/{found.pk}/status/"), {"status": wanted})
        seen[role] = (
            client.get(url(world, f"{opportunity.pk}/answers/")).status_code,
            client.get(url(world, f"answers/{found.pk}/cv/")).status_code,
            client.get(url(world, f"{opportunity.pk}/answers.csv")).status_code,
            status.status_code,
        )
        after = reload(found).status
        assert after == (wanted if allowed == 302 else before), role
    assert seen == EXPECTED


def test_an_employee_of_network_b_reaches_nothing_of_network_a(
    world: World, employee_b: Membership
) -> None:
    opportunity = make_opportunity(world.employee_a, audience="employees")
    colleague = make_member(world.net_a, make_user(name="社内 応募者"), role=Role.EMPLOYEE)
    found = answer(colleague, opportunity, mode="apply", message="社内公募に", cv=cv_upload())
    client = world.client(employee_b)
    b = world.net_b
    for path in (
        f"{opportunity.pk}/",
        f"{opportunity.pk}/answers/",
        f"{opportunity.pk}/answers.csv",
        f"answers/{found.pk}/cv/",
    ):
        assert client.get(url(world, path, network=b)).status_code == 404, path
    status = client.post(url(world, f"answers/{found.pk}/status/", network=b), {"status": "hired"})
    assert status.status_code == 404
    listed = client.get(url(world, "", network=b)).content.decode()
    assert opportunity.title not in listed
    # In network A's own addresses, B's employee is an outsider: off to the network's door.
    outside = client.get(url(world, f"{opportunity.pk}/answers/"))
    assert outside.status_code == 302 and "/answers/" not in outside["Location"]
    assert reload(found).status == Status.NEW
    # B's own employees-only opening is theirs; A's employee never sees it.
    b_opening = make_opportunity(world.operator_b, audience="employees", title="ひだまり社内公募")
    assert client.get(url(world, f"{b_opening.pk}/", network=b)).status_code == 200
    assert (
        world.client(world.employee_a).get(url(world, f"{b_opening.pk}/", network=b)).status_code
        == 302
    )


def _cv_files() -> list[str]:
    root = settings.PRIVATE_MEDIA_ROOT / "careers"
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize(
    ("reader", "audience"),
    [("employee_a", "alumni"), ("supporter_a", "employees"), ("alumni_a", "employees")],
)
def test_answering_an_opportunity_hidden_from_ones_audience_is_missing_and_stores_nothing(
    world: World, reader: str, audience: str, django_capture_on_commit_callbacks: Any
) -> None:
    member = getattr(world, reader)
    opportunity = make_opportunity(world.operator_a, kind="career", audience=audience)
    files = _cv_files()
    with scopes_disabled():
        Notification.objects.all().delete()
    cv = SimpleUploadedFile("職務経歴書.pdf", pdf_bytes("hidden"), content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = world.client(member).post(
            url(world, f"{opportunity.pk}/answer/"),
            {"mode": "apply", "message": "応募します", "cv": cv},
        )
    assert response.status_code == 404
    with scopes_disabled():
        assert not Application.objects.filter(opportunity=opportunity).exists()
        assert Opportunity.objects.get(pk=opportunity.pk).answer_count == 0
        assert not Notification.objects.filter(kind="careers_answer").exists()
    assert _cv_files() == files
