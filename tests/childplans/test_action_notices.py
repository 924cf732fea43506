"""An action that is new or changed is a notice to the person responsible (issue 21: "new or
changed actions assigned to me"), in their digest or at once as they chose; never to the person
who made the change, never for a change that changed nothing, and no child data in it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from childplans import services
from portal.models import OutboundEmail

pytestmark = pytest.mark.django_db


def notices_to(user):
    return OutboundEmail.objects.filter(kind="plan_action_assigned", recipient=user.email)


def test_the_responsible_person_hears_of_a_new_and_a_changed_action(full_plan, contact, teacher, mailoutbox,
                                                                  django_capture_on_commit_callbacks):
    plan, action = full_plan["plan"], full_plan["action"]
    assert notices_to(teacher).count() == 1  # full_plan's action_add by the contact person
    with django_capture_on_commit_callbacks(execute=True):
        services.action_update(plan=plan, action=action, by=contact, due_on=action.due_on + timedelta(days=7))
    assert notices_to(teacher).count() == 2
    (msg,) = [m for m in mailoutbox if m.to == [teacher.email]]
    assert msg.subject == "En insats som du ansvarar för är ny eller ändrad"
    assert "Tindra" not in msg.body and "Samtal varje vecka" not in msg.body and "/planer/mina-insatser/" in msg.body


def test_not_to_the_person_who_made_it_nor_for_nothing_changed(full_plan, contact, teacher):
    plan, action = full_plan["plan"], full_plan["action"]
    services.action_update(plan=plan, action=action, by=teacher, what="Samtal varannan vecka")
    services.action_update(plan=plan, action=action, by=contact, what="Samtal varannan vecka")  # no change
    assert notices_to(teacher).count() == 1
    assert not notices_to(contact).exists()


def test_a_done_action_is_no_notice(full_plan, contact, teacher):
    plan, action = full_plan["plan"], full_plan["action"]
    services.action_complete(plan=plan, action=action, by=contact, follow_up="Klart")
    assert notices_to(teacher).count() == 1


def test_in_the_daily_digest_by_default(settings, full_plan, contact, teacher):
    settings.NOTICE_DEFAULT_FREQUENCY = "daily"
    plan, action = full_plan["plan"], full_plan["action"]
    services.action_update(plan=plan, action=action, by=contact, starts_on=timezone.localdate() - timedelta(days=1))
    assert notices_to(teacher).latest("pk").status == OutboundEmail.Status.HELD
