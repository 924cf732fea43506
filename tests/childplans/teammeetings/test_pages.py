"""The team meeting pages through the client: the contact person calls, prepares, runs the agenda
and closes the minutes; a team member answers; bad input gets a Swedish message next to its
field and changes nothing; the rest of the team reads but cannot change; "Mina kommande möten"
shows the coming team meetings behind two-step verification, never a child's name."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from childplans.models import Action, ChronologyEntry, PlanChange, Review, TeamMember
from childplans.teammeetings.models import AgendaPoint, Invitee, MinutesAction, TeamMeeting
from portal.models import AuditEvent, OutboundEmail

from ..conftest import CHILD_FAMILY, CHILD_GIVEN, person
from .helpers import PLACE, at, call, hold

pytestmark = pytest.mark.django_db


def url(name, meeting=None, plan=None):
    kwargs = {"plan_pk": (plan or meeting.plan).pk}
    if meeting is not None:
        kwargs["meeting_pk"] = meeting.pk
    return reverse(f"childplans:{name}", kwargs=kwargs)


def field_error(response, field):
    """The messages shown next to ``field`` (crispy's invalid-feedback block)."""
    body = response.content.decode()
    block = re.search(rf'id="id_{field}_error"[^>]*>(.*?)</div>', body, re.S)
    return re.sub(r"<[^>]+>", " ", block.group(1)).split() if block else []


def error_next_to(response, field):
    return " ".join(field_error(response, field))


def state():
    return (
        list(TeamMeeting.objects.order_by("pk").values()), list(Invitee.objects.order_by("pk").values()),
        list(AgendaPoint.objects.order_by("pk").values()), list(MinutesAction.objects.order_by("pk").values()),
        Review.objects.count(), Action.objects.count(), ChronologyEntry.objects.count(),
        PlanChange.objects.count(), OutboundEmail.objects.count(),
    )


def call_data(**extra):
    start = at(10)
    data = {"starts_at": f"{start:%Y-%m-%dT%H:%M}", "ends_at": f"{start + timedelta(hours=1):%Y-%m-%dT%H:%M}",
            "place": PLACE, "video_url": "", "child_part": "i_rummet", "child_spokesperson": "",
            "guardians_by_email": "on"}
    data.update(extra)
    return data


def test_the_contact_person_calls_a_meeting(client, full_plan, contact, teacher, deacon, guardian,
                                            django_capture_on_commit_callbacks):
    plan = full_plan["plan"]
    client.force_login(contact)
    page = client.get(url("teammeeting_call", plan=plan))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Lars Lärare – Fagrabäcksskolan (Mentor)" in body and "checked" in body
    members = list(TeamMember.objects.filter(plan=plan).exclude(user=contact).values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("teammeeting_call", plan=plan),
                               call_data(members=members, guardians=[guardian.pk]))
    meeting = TeamMeeting.objects.get()
    assert response.status_code == 302 and response["Location"] == url("teammeeting_detail", meeting)
    assert Invitee.objects.filter(meeting=meeting).count() == 4
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "Mötet är kallat" in body and "Lars Lärare" in body and "Gunilla Vårdnadshavarsson" in body
    assert AuditEvent.objects.filter(action="create", plan_id=plan.pk, object_type="teammeetings.teammeeting").exists()


def test_a_time_in_the_past_through_the_page(client, full_plan, contact):
    client.force_login(contact)
    before = state()
    start = timezone.localtime() - timedelta(days=1)
    response = client.post(url("teammeeting_call", plan=full_plan["plan"]), call_data(
        starts_at=f"{start:%Y-%m-%dT%H:%M}", ends_at=f"{start + timedelta(hours=1):%Y-%m-%dT%H:%M}",
        members=[full_plan["member"].pk]))
    assert response.status_code == 200
    assert "Mötet kan inte ligga i det förflutna" in error_next_to(response, "starts_at")
    assert state() == before


def test_a_guardian_without_an_address_through_the_page(client, full_plan, contact):
    from childplans import services as plan_services

    plan = full_plan["plan"]
    father = plan_services.guardian_add(plan=plan, by=contact, name="Ture Testbarnsson", relation="pappa",
                                        has_custody=True)
    client.force_login(contact)
    before = state()
    response = client.post(url("teammeeting_call", plan=plan),
                           call_data(members=[full_plan["member"].pk], guardians=[father.pk]))
    assert response.status_code == 200
    assert "Ture Testbarnsson har ingen e-postadress." in error_next_to(response, "guardians")
    assert state() == before


def test_minutes_with_no_decision_through_the_page(client, full_plan, contact):
    plan = full_plan["plan"]
    meeting = hold(call(plan, contact))
    client.force_login(contact)
    before = state()
    response = client.post(url("teammeeting_minutes", meeting), {
        "action": "close", "decisions": "", "child_took_part": "ja", "guardians_know_plan": "ja",
    })
    assert response.status_code == 200
    assert "Skriv vad som beslutades innan protokollet stängs." in error_next_to(response, "decisions")
    assert state() == before


def test_an_action_owner_not_on_the_team_through_the_page(client, full_plan, contact, org_social):
    plan = full_plan["plan"]
    meeting = call(plan, contact)
    stranger = person("utanfor@vaxjo.se", org_social)
    client.force_login(contact)
    before = state()
    response = client.post(url("teammeeting_minutes_action", meeting), {
        "goal": full_plan["goal"].pk, "what": "Läxhjälp", "responsible_organisation": org_social.pk,
        "responsible_person": stranger.pk, "due_on": f"{timezone.localdate() + timedelta(days=20)}",
        "status": "planerad",
    })
    assert response.status_code == 200
    assert "Den ansvariga personen måste vara med i teamet." in error_next_to(response, "responsible_person")
    assert state() == before


def test_a_team_member_answers_on_the_meeting_page(client, full_plan, contact, teacher):
    meeting = call(full_plan["plan"], contact)
    client.force_login(teacher)
    page = client.get(url("teammeeting_detail", meeting)).content.decode()
    assert "Ditt svar" in page and "Ändra tid eller plats" not in page  # not the contact person
    response = client.post(url("teammeeting_detail", meeting), {"response": "no"})
    assert response.status_code == 302
    assert Invitee.objects.get(meeting=meeting, team_member__user=teacher).response == "no"


def test_the_rest_of_the_team_reads_but_does_not_change(client, full_plan, contact, teacher):
    meeting = call(full_plan["plan"], contact)
    client.force_login(teacher)
    for name in ("teammeeting_prepare", "teammeeting_agenda", "teammeeting_minutes"):
        assert client.get(url(name, meeting)).status_code == 200
    before = state()
    assert client.post(url("teammeeting_prepare", meeting), {"child_words": "x"}).status_code == 403
    assert client.post(url("teammeeting_agenda", meeting), {"title": "x"}).status_code == 403
    assert client.post(url("teammeeting_minutes", meeting), {"decisions": "x", "action": "save"}).status_code == 403
    for name in ("teammeeting_call", "teammeeting_update", "teammeeting_cancel", "teammeeting_minutes_action"):
        target = url(name, plan=meeting.plan) if name == "teammeeting_call" else url(name, meeting)
        assert client.get(target).status_code == 403
    assert state() == before


def test_a_meeting_of_another_plan_is_404(client, full_plan, contact, org_social):
    from childplans import services as plan_services

    other_plan = plan_services.plan_open(by=contact, organisation=org_social, given_name="Ola", family_name="O",
                                         birth_date=timezone.localdate() - timedelta(days=3000), reason="x")
    meeting = call(full_plan["plan"], contact)
    client.force_login(contact)
    wrong = reverse("childplans:teammeeting_detail", kwargs={"plan_pk": other_plan.pk, "meeting_pk": meeting.pk})
    assert client.get(wrong).status_code == 404
    assert AuditEvent.objects.filter(action="denied", plan_id=other_plan.pk,
                                     detail__reason="object_not_in_plan").exists()


def test_prepare_agenda_and_minutes_through_the_pages(client, full_plan, contact, teacher, guardian,
                                                      django_capture_on_commit_callbacks):
    plan = full_plan["plan"]
    meeting = call(plan, contact, guardians=[guardian])
    client.force_login(contact)
    response = client.post(url("teammeeting_prepare", meeting), {
        "family_topics": "Rasterna", "not_before_child": "Pappas sjukdom", "child_words": "Jag vill ha en kompis.",
    })
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.child_words == "Jag vill ha en kompis."
    agenda_url = url("teammeeting_agenda", meeting)
    client.post(agenda_url, {"title": "Sommarlovet"})
    added = AgendaPoint.objects.get(meeting=meeting, title="Sommarlovet")
    client.post(agenda_url, {"op": "up", "point": added.pk})
    assert list(meeting.agenda.order_by("-position").values_list("title", flat=True)[:2])[1] == "Sommarlovet"
    client.post(agenda_url, {"op": "remove", "point": added.pk})
    assert not AgendaPoint.objects.filter(pk=added.pk).exists()
    assert client.post(agenda_url, {"op": "up", "point": 10**12}).status_code == 404
    body = client.get(agenda_url).content.decode()
    assert "Tas inte upp när barnet är med:" in body and "Pappas sjukdom" in body

    hold(meeting)
    client.post(url("teammeeting_minutes_action", meeting), {
        "goal": full_plan["goal"].pk, "what": "Läxhjälp med mentor", "responsible_organisation":
        full_plan["member"].organisation_id, "responsible_person": teacher.pk,
        "due_on": f"{timezone.localdate() + timedelta(days=20)}", "status": "planerad",
    })
    assert MinutesAction.objects.filter(meeting=meeting).count() == 1
    first = meeting.agenda.order_by("position").first()
    present = list(Invitee.objects.filter(meeting=meeting).values_list("pk", flat=True))
    data = {"attended": present, "child_came": "on", "decisions": "Läxhjälp två gånger i veckan.",
            f"point_{first.pk}": "Tindra vill ha mer rast.", "child_took_part": "ja", "guardians_know_plan": "ja",
            "next_meeting_on": f"{timezone.localdate() + timedelta(days=60)}"}
    response = client.post(url("teammeeting_minutes", meeting), {**data, "action": "save"})
    assert response.status_code == 302 and TeamMeeting.objects.get(pk=meeting.pk).status == "planned"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("teammeeting_minutes", meeting), {**data, "action": "close"})
    assert response.status_code == 302 and response["Location"] == url("teammeeting_detail", meeting)
    meeting.refresh_from_db()
    assert meeting.status == "closed" and meeting.review.status == "held"
    assert Action.objects.filter(plan=plan, what="Läxhjälp med mentor", responsible_person=teacher).exists()
    page = client.get(url("teammeeting_detail", meeting)).content.decode()
    assert "Läxhjälp två gånger i veckan." in page
    # closed: nothing more can be changed
    before = state()
    client.post(url("teammeeting_minutes", meeting), {**data, "decisions": "Ändrat", "action": "save"})
    assert state() == before


def test_changing_and_cancelling_through_the_pages(client, full_plan, contact):
    meeting = call(full_plan["plan"], contact)
    client.force_login(contact)
    start = at(12)
    response = client.post(url("teammeeting_update", meeting), {
        "starts_at": f"{start:%Y-%m-%dT%H:%M}", "ends_at": f"{start + timedelta(hours=2):%Y-%m-%dT%H:%M}",
        "place": "Familjecentralen", "video_url": "", "child_part": "brev", "child_spokesperson": "",
    })
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.sequence == 1 and meeting.place == "Familjecentralen"
    assert "uppdaterad kalenderfil" in client.get(response["Location"]).content.decode()
    response = client.post(url("teammeeting_update", meeting), {
        "starts_at": f"{start:%Y-%m-%dT%H:%M}", "ends_at": f"{start + timedelta(hours=2):%Y-%m-%dT%H:%M}",
        "place": "", "video_url": "", "child_part": "genom_person", "child_spokesperson": "",
    })
    assert "Ange en plats, en videolänk eller båda." in error_next_to(response, "place")
    assert "Skriv vem som talar för barnet." in error_next_to(response, "child_spokesperson")
    assert client.post(url("teammeeting_cancel", meeting), {}).status_code == 302
    assert TeamMeeting.objects.get(pk=meeting.pk).status == "cancelled"


# --- Min översikt ---------------------------------------------------------------------------------


def test_mina_kommande_moten_shows_the_team_meeting_without_the_child(client, full_plan, contact, teacher):
    meeting = call(full_plan["plan"], contact)
    client.force_login(teacher)
    body = client.get(reverse("dashboard")).content.decode()
    assert f"Möte om en plan (plan {meeting.plan_id})" in body
    assert url("teammeeting_detail", meeting) in body
    assert CHILD_GIVEN not in body and CHILD_FAMILY not in body
    audit = AuditEvent.objects.filter(user=teacher, detail__list="dashboard").last()
    assert meeting.plan_id in audit.detail["plan_ids"]


def test_mina_kommande_moten_needs_two_step_and_the_team(client, full_plan, contact, teacher):
    from allauth.mfa.models import Authenticator

    from childplans import services as plan_services

    meeting = call(full_plan["plan"], contact)
    Authenticator.objects.filter(user=teacher).delete()
    client.force_login(teacher)
    assert url("teammeeting_detail", meeting) not in client.get(reverse("dashboard")).content.decode()
    client.logout()
    other = person("annan@skolan.se", full_plan["member"].organisation)
    client.force_login(other)
    assert "Möte om en plan" not in client.get(reverse("dashboard")).content.decode()
    plan_services.consent_withdraw(plan=full_plan["plan"], consent=full_plan["consent"], by=contact,
                                   withdrawn_on=timezone.localdate())
    from ..conftest import add_mfa

    add_mfa(teacher)
    client.force_login(teacher)
    assert url("teammeeting_detail", meeting) not in client.get(reverse("dashboard")).content.decode()
