"""docs/security.md promise 15 for child data: opening any page or form under a plan with GET, as
a member of the plan's team, writes exactly one audit row — a read (VIEW, or PRINT/EXPORT for a
print or an export) — and nothing else in any table (the session aside): opening
``/planer/N/mal/ny/`` creates nothing, so it writes no "create" row. The routes come from the
URL resolver (tests/childplans/test_access.py), the tables from the models, so a new route or
model is covered. The rule lives in one place, ``childplans.access.ChildDataMixin``; the test
over every route and persona of the whole portal is the crawler's."""

import pytest
from django.apps import apps
from django.urls import reverse

from childplans.access import ChildDataMixin, PlanAccessMixin
from portal.models import AuditEvent

from .conftest import reauthenticate
from .test_access import CHILD_PATTERNS, kwargs_for

pytestmark = pytest.mark.django_db

READS = {AuditEvent.Action.VIEW, AuditEvent.Action.PRINT, AuditEvent.Action.EXPORT}
# "The session": Django's session row and allauth's record of it (Mina sessioner).
SESSION_TABLES = {"sessions.Session", "usersessions.UserSession"}


def row_counts():
    """The number of rows of every model's table (m2m tables included), but the audit log's and
    the session's."""
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and m._meta.label not in SESSION_TABLES | {"portal.AuditEvent"}
    }


def get_changes_nothing(client, url):
    """GET ``url``: (status, the new audit rows); asserts no other table changed."""
    before = row_counts()
    since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = client.get(url)
    after = row_counts()
    changed = {label: (before[label], after[label]) for label in before if before[label] != after[label]}
    assert not changed, (url, response.status_code, changed)
    return response.status_code, list(AuditEvent.objects.filter(pk__gt=since).order_by("pk"))


def test_every_child_view_is_a_child_data_view():
    for pattern in CHILD_PATTERNS:
        view = pattern.callback.view_class
        assert issubclass(view, PlanAccessMixin) and issubclass(view, ChildDataMixin), pattern.name
        assert view.read_action in READS, (pattern.name, view.read_action)
        assert view.change_action not in READS, (pattern.name, view.change_action)


@pytest.mark.parametrize("who", ["contact", "teacher"])
def test_opening_any_plan_page_writes_one_read_row_and_nothing_else(client, full_plan, contact, teacher, who):
    """The contact person may open every page; another team member (the teacher) every page but
    the contact person's (403 — 404 for the registerutdrag, which does not show that it is
    there — and one DENIED row, nothing else)."""
    user = {"contact": contact, "teacher": teacher}[who]
    urls = [
        (p.name, reverse(f"childplans:{p.name}", kwargs=kwargs_for(p, full_plan))) for p in CHILD_PATTERNS
    ]  # every object the URLs need is made before anything is counted
    client.force_login(user)
    reauthenticate(client, user)
    client.get(reverse("childplans:plan_list"))  # the session's first request
    seen = set()
    for name, url in urls:
        status, rows = get_changes_nothing(client, url)
        if status == 403 or (status == 404 and name == "registerutdrag"):
            assert who == "teacher", (name, status)
            assert [r.action for r in rows] == [AuditEvent.Action.DENIED], (name, [r.action for r in rows])
            continue
        assert status == 200, (name, status)
        assert len(rows) == 1, (name, [r.action for r in rows])
        row = rows[0]
        assert row.action in READS, (name, row.action)
        assert row.user_id == user.pk and row.plan_id == full_plan["plan"].pk, name
        seen.add(name)
    for form in ("goal_add", "action_add", "assessment_create", "guardian_add", "map_person_add"):
        assert form in seen or who == "teacher", form


@pytest.mark.parametrize(
    "name, action",
    [("print", AuditEvent.Action.PRINT), ("access_log", AuditEvent.Action.EXPORT),
     ("map_print", AuditEvent.Action.PRINT), ("goal_add", AuditEvent.Action.VIEW), ("action_add", AuditEvent.Action.VIEW),
     ("assessment_create", AuditEvent.Action.VIEW), ("consents", AuditEvent.Action.VIEW)],
)
def test_the_read_row_says_what_was_read(client, full_plan, contact, name, action):
    client.force_login(contact)
    reauthenticate(client, contact)
    url = reverse(f"childplans:{name}", kwargs={"plan_pk": full_plan["plan"].pk})
    status, rows = get_changes_nothing(client, url)
    assert status == 200 and [r.action for r in rows] == [action]


def test_a_form_posted_with_errors_is_a_read_and_a_change_is_its_own_kind(client, full_plan, contact):
    plan = full_plan["plan"]
    client.force_login(contact)
    url = reverse("childplans:goal_add", kwargs={"plan_pk": plan.pk})
    since = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert client.post(url, {"area": "trygg"}).status_code == 200  # no description
    assert client.post(url, {"area": "trygg", "description": "Trygg i skolan"}).status_code == 302
    rows = AuditEvent.objects.filter(pk__gt=since).order_by("pk")
    assert [r.action for r in rows] == [AuditEvent.Action.VIEW, AuditEvent.Action.CREATE]
