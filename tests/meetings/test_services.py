"""Meeting rules through the services: validation, term, defaults, invitations, answers,
waiting list, changes, cancellation, reminders (each once per person and kind)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from meetings import services
from meetings.models import DEFAULT_COST_NOTE, Invitation, Meeting, NetworkMeetingDefaults, Topic
from portal.models import OutboundEmail
from tests import factories as f

from .conftest import future, local

pytestmark = pytest.mark.django_db


def schedule(network, by, **kw):
    starts = kw.pop("starts_at", future(10))
    fields = {
        "title": "Träff",
        "starts_at": starts,
        "ends_at": kw.pop("ends_at", starts + timedelta(hours=2)),
        "place": "Församlingshemmet",
    }
    fields.update(kw)
    return services.meeting_schedule(network=network, by=by, **fields)


def test_topics_are_seeded_by_the_migration():
    names = set(Topic.objects.values_list("name", flat=True))
    assert {"ANDTS", "Våld i nära relationer", "Barn som anhöriga", "Psykisk hälsa"} <= names


def test_schedule_derives_term_and_copies_network_defaults(network, coordinator):
    NetworkMeetingDefaults.objects.create(network=network, remind_unanswered_days=5, remind_attending_days=2)
    spring = schedule(network, coordinator, starts_at=local(2027, 6, 30, 23, 30), ends_at=local(2027, 7, 1, 1))
    autumn = schedule(network, coordinator, starts_at=local(2027, 7, 1, 0, 30), ends_at=local(2027, 7, 1, 2))
    assert (spring.term, spring.term_year, spring.term_label) == ("VT", 2027, "VT 2027")
    assert (autumn.term, autumn.term_year) == ("HT", 2027)  # 1 July local time, 30 June in UTC
    with translation.override("en"):
        assert (spring.term_label, autumn.term_label) == ("Spring 2027", "Autumn 2027")
    assert spring.remind_unanswered_days == 5 and spring.remind_attending_days == 2
    assert spring.cost_note == DEFAULT_COST_NOTE
    assert spring.status == Meeting.Status.PLANNED and spring.sequence == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"ends_at": future(10) - timedelta(hours=1)}, "ends_at", "Mötet måste sluta efter att det börjar."),
        ({"rsvp_deadline": future(11).date()}, "rsvp_deadline", "Sista svarsdag kan inte vara efter mötesdagen."),
        ({"place": "", "video_url": ""}, "place", "Ange en plats, en videolänk eller båda."),
    ],
)
def test_schedule_rejects_bad_input_and_saves_nothing(network, coordinator, changes, field, message):
    with pytest.raises(ValidationError) as exc:
        schedule(network, coordinator, starts_at=future(10), **changes)
    assert message in exc.value.message_dict[field]
    assert not Meeting.objects.exists()


def test_end_before_start_is_also_a_database_constraint(network, coordinator):
    meeting = schedule(network, coordinator)
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(ends_at=meeting.starts_at)


def test_one_invitation_per_meeting_and_address_is_a_database_constraint(meeting):
    Invitation.objects.create(meeting=meeting, email="a@exempel.se")
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(meeting=meeting, email="a@exempel.se")


def test_invite_sends_one_mail_each_with_calendar_and_links(meeting, coordinator, participant,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        count = services.meeting_invite(meeting=meeting, by=coordinator)
    assert count == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([coordinator.email, participant.email])
    msg = next(m for m in mail.outbox if m.to == [participant.email])
    assert msg.subject.startswith("Inbjudan: Nätverksträff om ANDTS")
    assert "Jag kommer:" in msg.body and "?svar=ja" in msg.body and "?svar=nej" in msg.body
    assert "Kostnadsfritt. Deltagarna står själva för sina resekostnader." in msg.body
    html = msg.alternatives[0]
    assert html[1] == "text/html" and "Jag kan inte komma" in html[0]
    [ics_part] = [a for a in msg.attachments if getattr(a, "get_content_type", lambda: "")() == "text/calendar"]
    assert ics_part.get_param("method") == "REQUEST"
    assert f"UID:meeting-{meeting.pk}@barnstodsportalen.se" in ics_part.get_payload(decode=True).decode()
    # Only hashes are stored: the raw token in the link is not in the database.
    token = msg.body.split("/svara/")[1].split("/")[0]
    from meetings.models import RsvpToken

    assert not RsvpToken.objects.filter(token_hash=token).exists()
    assert RsvpToken.objects.count() == 2

    # Inviting again sends nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.meeting_invite(meeting=meeting, by=coordinator) == 0
    assert len(mail.outbox) == 2


def test_invite_regional_members_and_guests(meeting, coordinator, regional_network, django_capture_on_commit_callbacks):
    regional_member = f.MembershipFactory(network=regional_network).user
    guests = services.parse_guests("gast@exempel.se; Greta Gäst; Röda korset\n\nGAST@exempel.se")
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_invite(meeting=meeting, by=coordinator, include_regional=True, guests=guests)
    invitations = {i.email: i for i in Invitation.objects.filter(meeting=meeting)}
    assert invitations[regional_member.email].source == Invitation.Source.REGIONAL
    guest = invitations["gast@exempel.se"]
    assert (guest.source, guest.name, guest.organisation_name, guest.user) == ("guest", "Greta Gäst", "Röda korset", None)
    assert "gast@exempel.se" in [m.to[0] for m in mail.outbox]


def test_guest_address_that_is_not_an_email_is_rejected():
    with pytest.raises(ValidationError) as exc:
        services.parse_guests("ok@exempel.se\ninte-en-adress")
    assert exc.value.message_dict["guests"] == ["Rad 2: ”inte-en-adress” är inte en e-postadress."]


def test_answers_waiting_list_and_promotion(invited, coordinator, participant, django_capture_on_commit_callbacks):
    meeting = invited
    extra = f.MembershipFactory(network=meeting.network).user
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_invite(meeting=meeting, by=coordinator)
    services.meeting_update(meeting=meeting, by=coordinator, capacity=1)
    inv = {i.user_id: i for i in Invitation.objects.filter(meeting=meeting)}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.invitation_answer(invitation=inv[participant.pk], response="yes", comment="Vegetarisk kost")
        second = services.invitation_answer(invitation=inv[extra.pk], response="yes")
        third = services.invitation_answer(invitation=inv[coordinator.pk], response="yes")
    assert (first.response, second.response, third.response) == ("yes", "waitlist", "waitlist")
    assert (second.waitlist_position, third.waitlist_position) == (1, 2)
    assert first.comment == "Vegetarisk kost"
    # Capacity below the number coming is refused, nothing changed.
    with pytest.raises(ValidationError) as exc:
        services.meeting_update(meeting=meeting, by=coordinator, capacity=0)
    assert "capacity" in exc.value.message_dict
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_answer(invitation=first, response="no", decline_reason="Krockar med annat möte")
    promoted = Invitation.objects.get(pk=second.pk)
    assert promoted.response == "yes" and promoted.waitlist_position is None
    assert Invitation.objects.get(pk=third.pk).response == "waitlist"
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[extra.email].startswith("Du har fått en plats:")
    assert subjects[participant.email].startswith("Ditt svar:")
    declined = Invitation.objects.get(pk=first.pk)
    assert declined.decline_reason == "Krockar med annat möte"


def test_answer_confirmation_carries_partstat(invited, participant, django_capture_on_commit_callbacks):
    inv = Invitation.objects.get(meeting=invited, user=participant)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_answer(invitation=inv, response="yes")
    [msg] = mail.outbox
    ics_text = next(a for a in msg.attachments if a.get_content_type() == "text/calendar").get_payload(decode=True).decode()
    assert "PARTSTAT=ACCEPTED" in ics_text and f"mailto:{participant.email}" in ics_text


def test_no_answers_after_the_meeting_or_after_cancellation(invited, coordinator, participant):
    inv = Invitation.objects.get(meeting=invited, user=participant)
    services.meeting_cancel(meeting=invited, by=coordinator)
    with pytest.raises(ValidationError):
        services.invitation_answer(invitation=inv, response="yes")
    assert Invitation.objects.get(pk=inv.pk).response == "pending"


def test_change_of_time_bumps_sequence_and_notifies_those_not_declined(invited, coordinator, participant,
                                                                        django_capture_on_commit_callbacks):
    inv = Invitation.objects.get(meeting=invited, user=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_answer(invitation=inv, response="no")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.meeting_update(meeting=invited, by=coordinator, title="Ny rubrik")
    assert moved == [] and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.meeting_update(
            meeting=invited, by=coordinator, starts_at=invited.starts_at + timedelta(hours=1),
            ends_at=invited.ends_at + timedelta(hours=1),
        )
    assert moved == ["starts_at", "ends_at"]
    invited.refresh_from_db()
    assert invited.sequence == 1
    assert [m.to for m in mail.outbox] == [[participant.email]]
    assert mail.outbox[0].subject.startswith("Ändrat:")
    assert "SEQUENCE:1" in mail.outbox[0].attachments[0].get_payload(decode=True).decode()


def test_cancel_sends_method_cancel_once(invited, coordinator, participant, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(meeting=invited, by=coordinator)
    with pytest.raises(ValidationError):
        services.meeting_cancel(meeting=invited, by=coordinator)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([coordinator.email, participant.email])
    part = mail.outbox[0].attachments[0]
    assert part.get_param("method") == "CANCEL"
    text = part.get_payload(decode=True).decode()
    assert "METHOD:CANCEL" in text and "STATUS:CANCELLED" in text and "SEQUENCE:1" in text


def test_reminders_go_out_once_per_person_and_kind(invited, coordinator, participant,
                                                   django_capture_on_commit_callbacks):
    meeting = invited
    inv = Invitation.objects.get(meeting=meeting, user=participant)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_answer(invitation=inv, response="yes")
    mail.outbox.clear()
    # Before the window: nothing.
    early = meeting.starts_at - timedelta(days=12)
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_due(now=early)
    assert mail.outbox == []
    # Within the unanswered window (deadline 5 days before; reminder 3 days before that), twice.
    window = timezone.make_aware(
        timezone.datetime.combine(meeting.rsvp_deadline - timedelta(days=2), timezone.datetime.min.time())
    ) + timedelta(hours=9)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.reminders_due(now=window)
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert mail.outbox[0].subject.startswith("Påminnelse: svara")
    mail.outbox.clear()
    # The day before the meeting: those who come, once.
    day_before = meeting.starts_at - timedelta(hours=20)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.reminders_due(now=day_before)
    assert [m.to for m in mail.outbox] == [[participant.email]]
    mail.outbox.clear()
    # After the meeting: the coordinator is reminded to close it, once.
    after = meeting.ends_at + timedelta(hours=1)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            services.reminders_due(now=after)
    assert [m.to for m in mail.outbox] == [[coordinator.email]]
    assert mail.outbox[0].subject.startswith("Avsluta mötet:")
    kinds = OutboundEmail.objects.filter(object_key=f"meeting:{meeting.pk}").values_list("kind", "recipient")
    assert len(kinds) == len(set(kinds))


def test_attendance_minutes_and_representation(invited, coordinator, participant, org_church):
    from meetings import selectors

    Meeting.objects.filter(pk=invited.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    invited.refresh_from_db()
    inv = Invitation.objects.get(meeting=invited, user=participant)
    assert services.attendance_set(meeting=invited, by=coordinator, invitation_ids=[inv.pk]) == 1
    assert services.attendance_set(meeting=invited, by=coordinator, invitation_ids=[inv.pk]) == 0
    services.attendance_add_walk_in(meeting=invited, by=coordinator, name="Polis Pelle", organisation_name="Polisen")
    with pytest.raises(ValidationError):
        services.attendance_add_walk_in(meeting=invited, by=coordinator, name="Per igen", email=participant.email)
    rep = selectors.representation(selectors.attendances_for(invited))
    assert rep["people"] == 2 and rep["organisation_count"] == 2
    assert [k["label"] for k in rep["kinds"]] == ["Kyrka/församling"]
    assert rep["kommuner"] == [("Växjö", 1)]
    first = services.minutes_save(meeting=invited, by=coordinator, text="Vi pratade om ANDTS.")
    same = services.minutes_save(meeting=invited, by=coordinator, text="Vi pratade om ANDTS.")
    second = services.minutes_save(meeting=invited, by=coordinator, text="Vi pratade om ANDTS och spel.")
    assert (first.number, same.number, second.number) == (1, 1, 2)
    services.meeting_close(meeting=invited, by=coordinator)
    invited.refresh_from_db()
    assert invited.status == Meeting.Status.CLOSED


def test_message_id_is_fixed_per_outbox_row(meeting, coordinator, django_capture_on_commit_callbacks):
    """A resend of the same outbox row (worker died after the SMTP server accepted) is the
    same message to the recipient's mail system."""
    from portal.outbox import build_message

    with django_capture_on_commit_callbacks(execute=False):
        services.meeting_invite(meeting=meeting, by=coordinator)
    row = OutboundEmail.objects.filter(kind=services.KIND_INVITATION).first()
    first, again = build_message(row).message(), build_message(row).message()
    assert first["Message-ID"] == again["Message-ID"] == f"<outbox-{row.pk}@barnstodsportalen.se>"
