"""The plan's rules, through the services and through the pages: clear Swedish messages, and
nothing changed on bad input."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from childplans import services
from childplans.models import Action, ChildPlan, Consent, PlanChange, Review, TeamMember
from childplans.personnummer import mask_personnummer, validate_personnummer

from .conftest import CHILD_PNR, person, reauthenticate

pytestmark = pytest.mark.django_db


# --- personnummer ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, normalized",
    [
        ("20150412-2381", "20150412-2381"),
        ("201504122381", "20150412-2381"),
        ("150412-2381", "20150412-2381"),
        ("19121212-1212", "19121212-1212"),
        ("121212+1212", "19121212-1212"),  # + : a hundred years or older
        ("20150472-2388", "20150472-2388"),  # samordningsnummer (day + 60)
    ],
)
def test_personnummer_is_normalised(raw, normalized):
    assert validate_personnummer(raw) == normalized


@pytest.mark.parametrize("raw", ["20150412-2380", "20151312-2381", "2015-04-12", "abc", "", "20150230-2381"])
def test_bad_personnummer_is_refused_in_swedish(raw):
    with pytest.raises(ValidationError) as exc:
        validate_personnummer(raw)
    assert "Personnumret är inte giltigt" in exc.value.messages[0]


def test_samordningsnummer_matches_the_real_birth_date(contact, org_social):
    plan = services.plan_open(by=contact, organisation=org_social, given_name="S", family_name="S",
                              birth_date=date(2015, 4, 12), personnummer="201504722388", reason="x")
    assert plan.child.personnummer == "20150472-2388"


def test_personnummer_is_masked_in_lists(client, full_plan, contact):
    assert mask_personnummer(CHILD_PNR) == "20150412-****"
    client.force_login(contact)
    body = client.get(reverse("childplans:plan_list")).content.decode()
    assert "20150412-****" in body and CHILD_PNR not in body


# --- opening -----------------------------------------------------------------------------------


def open_data(org, **extra):
    data = {"organisation": org.pk, "given_name": "Nils", "family_name": "Nilsson", "birth_date": "2016-02-01",
            "personnummer": "", "reason": "Barn som anhöriga.", "part": "Skolkurator"}
    data.update(extra)
    return data


def test_open_a_plan_through_the_page(client, contact, org_social):
    client.force_login(contact)
    response = client.post(reverse("childplans:plan_create"), open_data(org_social))
    plan = ChildPlan.objects.get(child__given_name="Nils")
    assert response.status_code == 302
    assert response["Location"] == reverse("childplans:plan_detail", kwargs={"plan_pk": plan.pk})
    assert plan.contact_person == contact and plan.owner_organisation == org_social
    assert TeamMember.objects.filter(plan=plan, user=contact, removed_at__isnull=True).exists()
    assert "Nils" not in response["Location"]


def test_one_active_plan_per_child(client, plan, contact, org_social):
    client.force_login(contact)
    count = ChildPlan.objects.count()
    response = client.post(reverse("childplans:plan_create"),
                           open_data(org_social, personnummer=CHILD_PNR, birth_date="2015-04-12"))
    assert response.status_code == 200
    assert "Barnet har redan en aktiv plan" in response.content.decode()
    assert ChildPlan.objects.count() == count


def test_one_active_plan_per_child_is_a_database_constraint(plan):
    with pytest.raises(IntegrityError), transaction.atomic():
        ChildPlan.objects.create(child=plan.child, owner_organisation=plan.owner_organisation,
                                 contact_person=plan.contact_person, opened_by=plan.opened_by, reason="x")


def test_a_closed_plan_allows_a_new_one(plan, contact, org_social):
    services.plan_close(plan=plan, by=contact, reason="Målen är nådda.")
    again = services.plan_open(by=contact, organisation=org_social, given_name="T", family_name="T",
                               birth_date=date(2015, 4, 12), personnummer=CHILD_PNR, reason="Ny oro.")
    assert again.child_id == plan.child_id


@pytest.mark.parametrize(
    "extra, field, message",
    [
        ({"personnummer": "20150412-2380"}, "personnummer", "Personnumret är inte giltigt"),
        ({"personnummer": "20150412-2381", "birth_date": "2015-04-13"}, "personnummer", "stämmer inte"),
        ({"birth_date": "2999-01-01"}, "birth_date", "framtiden"),
        ({"given_name": ""}, "given_name", "Detta fält måste fyllas i"),
    ],
)
def test_bad_input_on_opening(client, contact, org_social, extra, field, message):
    client.force_login(contact)
    count = ChildPlan.objects.count()
    response = client.post(reverse("childplans:plan_create"), open_data(org_social, **extra))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ChildPlan.objects.count() == count


def test_only_plan_keeping_organisations_open_plans(church):
    user = person("kyrka@pastorat.se", church)
    with pytest.raises(ValidationError):
        services.plan_open(by=user, organisation=church, given_name="A", family_name="B",
                           birth_date=date(2015, 1, 1), reason="x")


# --- consent and team ----------------------------------------------------------------------------


def test_team_member_needs_consent_for_their_organisation(plan, contact, org_other, guardian):
    doctor = person("lakare@region.se", org_other)
    with pytest.raises(ValidationError) as exc:
        services.team_add(plan=plan, by=contact, user=doctor, organisation=org_other)
    assert "Inget samtycke omfattar" in str(exc.value)
    assert not TeamMember.objects.filter(user=doctor).exists()


def test_team_member_must_belong_to_the_organisation(plan, contact, consent, org_school, org_other):
    stranger = person("fel@region.se", org_other)
    with pytest.raises(ValidationError):
        services.team_add(plan=plan, by=contact, user=stranger, organisation=org_school)


def test_consent_withdrawal_removes_members_and_frees_their_actions(full_plan, contact, teacher):
    plan = full_plan["plan"]
    removed = services.consent_withdraw(plan=plan, consent=full_plan["consent"], by=contact,
                                        withdrawn_on=timezone.localdate())
    assert [m.user for m in removed] == [teacher]
    assert not ChildPlan.objects.visible_to(teacher).exists()
    assert Action.objects.get(pk=full_plan["action"].pk).responsible_person is None
    assert PlanChange.objects.filter(plan=plan, what="Samtycke återkallat").exists()


def test_withdrawal_keeps_members_covered_by_another_consent(full_plan, contact, teacher, guardian, org_school):
    plan = full_plan["plan"]
    services.consent_record(plan=plan, by=contact, guardian=guardian, given_on=timezone.localdate(),
                            method=Consent.Method.VERBAL, purposes="Skolan", organisations=[org_school])
    removed = services.consent_withdraw(plan=plan, consent=full_plan["consent"], by=contact,
                                        withdrawn_on=timezone.localdate())
    assert removed == []
    assert ChildPlan.objects.visible_to(teacher).filter(pk=plan.pk).exists()


def test_consent_bad_input(client, full_plan, contact, guardian):
    client.force_login(contact)
    reauthenticate(client, contact)
    count = Consent.objects.count()
    response = client.post(reverse("childplans:consents", kwargs={"plan_pk": full_plan["plan"].pk}),
                           {"guardian": guardian.pk, "given_on": "2999-01-01", "method": "written",
                            "purposes": ["coordination"], "organisations": []})
    assert response.status_code == 200
    assert Consent.objects.count() == count
    assert "Detta fält måste fyllas i" in response.content.decode()


def test_contact_person_cannot_be_removed(plan, contact):
    member = TeamMember.objects.get(plan=plan, user=contact)
    with pytest.raises(ValidationError):
        services.team_remove(plan=plan, member=member, by=contact)


def test_only_the_contact_person_changes_the_team(client, full_plan, teacher):
    client.force_login(teacher)
    reauthenticate(client, teacher)
    before = TeamMember.objects.filter(removed_at__isnull=True).count()
    response = client.post(reverse("childplans:team_add", kwargs={"plan_pk": full_plan["plan"].pk}), {})
    assert response.status_code == 403
    assert TeamMember.objects.filter(removed_at__isnull=True).count() == before


# --- contact person handover -----------------------------------------------------------------------


def test_handover_takes_effect_when_accepted_and_both_are_told(
    client, plan, contact, org_social, mailoutbox, django_capture_on_commit_callbacks
):
    colleague = person("ny-kontakt@vaxjo.se", org_social, first_name="Nora", last_name="Ny")
    services.team_add(plan=plan, by=contact, user=colleague, organisation=org_social)
    client.force_login(contact)
    reauthenticate(client, contact)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("childplans:handover", kwargs={"plan_pk": plan.pk}), {"to_user": colleague.pk})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.contact_person == contact  # not yet
    assert [m.to for m in mailoutbox] == [[colleague.email]]
    client.force_login(colleague)
    reauthenticate(client, colleague)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("childplans:handover_respond", kwargs={"plan_pk": plan.pk}), {"answer": "accept"})
    plan.refresh_from_db()
    assert plan.contact_person == colleague
    assert sorted(m.to[0] for m in mailoutbox[1:]) == sorted([contact.email, colleague.email])
    url = reverse("childplans:plan_detail", kwargs={"plan_pk": plan.pk})
    for message in mailoutbox:
        assert url in message.body


def test_handover_only_to_a_team_member_of_the_owning_organisation(full_plan, contact, teacher):
    with pytest.raises(ValidationError):
        services.handover_request(plan=full_plan["plan"], by=contact, to_user=teacher)


def test_only_the_named_person_can_accept(full_plan, contact, org_social, teacher):
    plan = full_plan["plan"]
    colleague = person("ny2@vaxjo.se", org_social)
    services.team_add(plan=plan, by=contact, user=colleague, organisation=org_social)
    services.handover_request(plan=plan, by=contact, to_user=colleague)
    with pytest.raises(ValidationError):
        services.handover_accept(plan=plan, by=teacher)
    plan.refresh_from_db()
    assert plan.contact_person == contact


# --- actions, reviews, closing -----------------------------------------------------------------------


def test_due_date_before_start_is_refused(client, full_plan, contact, teacher):
    plan = full_plan["plan"]
    client.force_login(contact)
    count = Action.objects.count()
    today = timezone.localdate()
    response = client.post(reverse("childplans:action_add", kwargs={"plan_pk": plan.pk}), {
        "goal": full_plan["goal"].pk, "what": "x", "responsible_organisation": plan.owner_organisation_id,
        "responsible_person": teacher.pk, "starts_on": today.isoformat(),
        "due_on": (today - timedelta(days=1)).isoformat(), "status": "planerad",
    })
    assert response.status_code == 200
    assert "Slutdatumet kan inte ligga före startdatumet." in response.content.decode()
    assert Action.objects.count() == count


def test_due_date_rule_is_a_database_constraint(full_plan):
    action = full_plan["action"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(due_on=action.starts_on - timedelta(days=1))


def test_action_owner_must_be_on_the_team(full_plan, contact, org_social):
    outsider = person("inte-med@vaxjo.se", org_social)
    with pytest.raises(ValidationError) as exc:
        services.action_update(plan=full_plan["plan"], action=full_plan["action"], by=contact,
                               responsible_person=outsider)
    assert "måste vara med i teamet" in str(exc.value)


def test_review_date_in_the_past_is_refused(client, full_plan, contact):
    client.force_login(contact)
    count = Review.objects.count()
    response = client.post(reverse("childplans:reviews", kwargs={"plan_pk": full_plan["plan"].pk}),
                           {"date": (timezone.localdate() - timedelta(days=1)).isoformat()})
    assert response.status_code == 200
    assert "kan inte ligga i det förflutna" in response.content.decode()
    assert Review.objects.count() == count


def test_recording_a_review_versions_the_plan_and_plans_the_next(client, full_plan, contact):
    plan = full_plan["plan"]
    client.force_login(contact)
    next_date = timezone.localdate() + timedelta(days=60)
    response = client.post(
        reverse("childplans:review_record", kwargs={"plan_pk": plan.pk, "review_pk": full_plan["review"].pk}),
        {"participants": "Tindra, mamma, mentor", "decisions": "Fortsätt", "child_took_part": "delvis",
         "guardians_know_plan": "ja", "next_review_on": next_date.isoformat()},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.version == 2
    review = Review.objects.get(pk=full_plan["review"].pk)
    assert review.status == Review.Status.HELD and review.child_took_part == "delvis" and review.guardians_know_plan
    assert Review.objects.filter(plan=plan, status=Review.Status.PLANNED, date=next_date).exists()


def test_closed_plan_is_read_only(client, full_plan, contact):
    plan = full_plan["plan"]
    client.force_login(contact)
    response = client.post(reverse("childplans:close", kwargs={"plan_pk": plan.pk}), {"reason": "Målen nådda"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.is_closed and plan.close_reason == "Målen nådda"
    count = PlanChange.objects.count()
    response = client.post(reverse("childplans:goal_add", kwargs={"plan_pk": plan.pk}),
                           {"area": "trygg", "description": "x"})
    assert response.status_code == 302
    assert PlanChange.objects.count() == count
    assert client.get(reverse("childplans:plan_detail", kwargs={"plan_pk": plan.pk})).status_code == 200
    with pytest.raises(ValidationError):
        services.goal_add(plan=plan, by=contact, area="trygg", description="x")


def test_close_needs_a_reason(client, full_plan, contact):
    client.force_login(contact)
    response = client.post(reverse("childplans:close", kwargs={"plan_pk": full_plan["plan"].pk}), {"reason": ""})
    assert response.status_code == 200
    full_plan["plan"].refresh_from_db()
    assert not full_plan["plan"].is_closed


# --- history ----------------------------------------------------------------------------------------


def test_history_shows_who_changed_what_old_and_new(client, full_plan, contact):
    plan = full_plan["plan"]
    client.force_login(contact)
    action = full_plan["action"]
    response = client.post(reverse("childplans:action_update", kwargs={"plan_pk": plan.pk, "action_pk": action.pk}), {
        "goal": action.goal_id, "what": action.what, "responsible_organisation": action.responsible_organisation_id,
        "responsible_person": action.responsible_person_id, "starts_on": action.starts_on.isoformat(),
        "due_on": action.due_on.isoformat(), "status": "pagar", "follow_up": "Går bra",
    })
    assert response.status_code == 302
    change = PlanChange.objects.filter(plan=plan, field="status").latest("pk")
    assert (change.old_value, change.new_value, change.user) == ("Planerad", "Pågår", contact)
    body = client.get(reverse("childplans:history", kwargs={"plan_pk": plan.pk})).content.decode()
    assert "Planerad" in body and "Pågår" in body and contact.display_name in body


def test_team_reads_consents_but_only_the_contact_person_records_them(client, full_plan, teacher, guardian):
    from portal.models import AuditEvent

    plan = full_plan["plan"]
    client.force_login(teacher)
    reauthenticate(client, teacher)
    url = reverse("childplans:consents", kwargs={"plan_pk": plan.pk})
    assert client.get(url).status_code == 200
    count = Consent.objects.count()
    response = client.post(url, {"guardian": guardian.pk, "given_on": timezone.localdate().isoformat(),
                                 "method": "verbal", "organisations": [plan.owner_organisation_id], "purposes": ["coordination"]})
    assert response.status_code == 403
    assert Consent.objects.count() == count
    assert AuditEvent.objects.latest("pk").action == AuditEvent.Action.DENIED


def test_a_closed_plan_can_be_read_but_not_changed_on_any_page(client, full_plan, contact):
    plan = full_plan["plan"]
    services.plan_close(plan=plan, by=contact, reason="Klart")
    client.force_login(contact)
    reauthenticate(client, contact)
    for name in ("child_update", "consents", "voice", "reviews", "chronology"):
        url = reverse(f"childplans:{name}", kwargs={"plan_pk": plan.pk})
        assert client.get(url).status_code == 200, name
        before = PlanChange.objects.count()
        response = client.post(url, {"given_name": "X", "family_name": "Y", "birth_date": "2015-04-12",
                                     "child_voice": "x", "date": timezone.localdate().isoformat(),
                                     "occurred_on": timezone.localdate().isoformat(), "event": "x",
                                     "source": "x", "impact": "positive"})
        assert response.status_code == 302, name
        assert PlanChange.objects.count() == before, name


def test_opener_may_name_a_colleague_as_contact_person(client, contact, org_social, mailoutbox,
                                                      django_capture_on_commit_callbacks):
    from childplans.models import ContactHandover

    colleague = person("kollega-kp@vaxjo.se", org_social, first_name="Kim", last_name="Kollega")
    client.force_login(contact)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("childplans:plan_create"), open_data(org_social, contact_person=colleague.pk))
    assert response.status_code == 302
    plan = ChildPlan.objects.get(child__given_name="Nils")
    assert plan.contact_person == contact  # until the colleague accepts
    assert TeamMember.objects.filter(plan=plan, user=colleague, removed_at__isnull=True).exists()
    assert ContactHandover.objects.get(plan=plan).to_user == colleague
    assert [m.to for m in mailoutbox] == [[colleague.email]]


def test_named_contact_person_must_be_a_colleague(client, contact, org_social, teacher):
    client.force_login(contact)
    response = client.post(reverse("childplans:plan_create"), open_data(org_social, contact_person=teacher.pk))
    assert response.status_code == 200
    assert not ChildPlan.objects.filter(child__given_name="Nils").exists()


# --- a guardian's e-mail address (for barnteamets möte) --------------------------------------


def test_a_guardians_email_is_validated_on_the_form_and_kept_in_the_history(client, plan, contact, guardian):
    client.force_login(contact)
    url = reverse("childplans:guardian_update", kwargs={"plan_pk": plan.pk, "guardian_pk": guardian.pk})
    data = {"name": guardian.name, "relation": "mamma", "has_custody": "on", "contact": "", "email": "inte en adress"}
    changes = PlanChange.objects.count()
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Fyll i en giltig e-postadress." in response.content.decode()
    guardian.refresh_from_db()
    assert guardian.email == "gunilla@example.se" and PlanChange.objects.count() == changes
    response = client.post(url, {**data, "email": " Gunilla.Ny@Example.se "})
    assert response.status_code == 302
    guardian.refresh_from_db()
    assert guardian.email == "gunilla.ny@example.se"
    assert PlanChange.objects.filter(plan=plan, field="e-postadress", new_value="gunilla.ny@example.se").exists()
