"""Demo meetings for the embedded default (``load_demo`` calls ``load_meeting_demo``).

For every network with a coordinator and no meetings yet: last term's meeting, held and closed
(attendance, minutes), and a coming one with the invitations sent, some answers, and the
"not answered yet" reminder due now, so the worker's beat sends it as a mail file under
var/mail within minutes. Regional networks also get a planned meeting not yet sent, for trying
the invitation flow. A second run creates nothing (networks that have meetings are skipped)."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from networks.models import Network, NetworkMembership

from . import services
from .models import Invitation, Meeting, Topic

AGENDA = [
    ("Välkomna och presentationsrunda", 20),
    ("Aktuellt från verksamheterna", 40),
    ("Tema: ANDTS – vad ser vi hos barn och familjer?", 45),
    ("Hur hänvisar vi till varandra?", 25),
    ("Nästa träff och vem som driver nätverket vidare", 10),
]


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@transaction.atomic
def load_meeting_demo(today=None):
    """Create the demo meetings that are missing; returns {what: number created}."""
    today = today or timezone.localdate()
    created = {"möten": 0, "inbjudningar": 0}
    topics = {t.name: t for t in Topic.objects.all()}
    coordinators = {}
    for m in NetworkMembership.objects.filter(role=NetworkMembership.Role.COORDINATOR).select_related("user"):
        coordinators.setdefault(m.network_id, m.user)
    with_meetings = set(Meeting.objects.values_list("network_id", flat=True))
    networks = Network.objects.filter(pk__in=coordinators).exclude(pk__in=with_meetings).order_by("kind", "name")
    for network in networks:
        by = coordinators[network.pk]
        place = f"Kommunhuset, {network.kommun.name}" if network.kommun_id else "Länsstyrelsen, sammanträdesrum 2"
        members = list(
            NetworkMembership.objects.filter(network=network).select_related("user").order_by("user__email")
        )

        # Last term: held, attendance recorded, minutes written, closed.
        past_day = today - timedelta(days=120)
        past = services.meeting_schedule(
            network=network, by=by, title="Terminsträff: lära känna varandras verksamheter",
            starts_at=_at(past_day, 13), ends_at=_at(past_day, 15, 30), place=place,
            description="Vi presenterar våra verksamheter för barn och familjer och hur man hänvisar till dem.",
            topics=[t for n, t in topics.items() if n in ("Föräldrastöd", "Sekretess och samverkan")],
        )
        services.agenda_set(meeting=past, by=by, items=[
            {"title": title, "responsible": by if i == 0 else None, "responsible_name": "",
             "duration_minutes": minutes}
            for i, (title, minutes) in enumerate(AGENDA[:2] + AGENDA[3:])
        ])
        Invitation.objects.bulk_create([
            Invitation(meeting=past, user=m.user, email=m.user.email.lower(), name=m.user.display_name,
                       organisation_id=m.organisation_id, response="yes" if i % 4 else "no",
                       responded_at=_at(past_day - timedelta(days=10), 9), sent_at=_at(past_day - timedelta(days=30), 9))
            for i, m in enumerate(members)
        ])
        Meeting.objects.filter(pk=past.pk).update(invitations_sent_at=_at(past_day - timedelta(days=30), 9))
        came = Invitation.objects.filter(meeting=past, response="yes").values_list("pk", flat=True)
        services.attendance_set(meeting=past, by=by, invitation_ids=list(came))
        services.minutes_save(
            meeting=past, by=by,
            text="Varje organisation berättade om sina verksamheter. Vi gick igenom hur man hänvisar en "
                 "familj till en annan verksamhet utan att lämna ut uppgifter om familjen.",
            follow_ups="Uppdatera verksamhetskatalogen. Nästa träff: tema ANDTS.",
        )
        services.meeting_close(meeting=past, by=by)
        created["möten"] += 1

        # This term: invitations sent, some answers, the reminder to those who have not
        # answered due now (last day to answer is the day after tomorrow).
        day = today + timedelta(days=9)
        coming = services.meeting_schedule(
            network=network, by=by, title="Nätverksträff om ANDTS", kind=Meeting.Kind.NETWORK,
            starts_at=_at(day, 13), ends_at=_at(day, 16), place=place,
            video_url="" if network.kommun_id else "https://meet.example.org/barnstod-regional",
            description="Länets ANDTS-samordnare berättar om läget bland unga. Fika från 12.45.",
            rsvp_deadline=today + timedelta(days=2), capacity=40,
            topics=[t for n, t in topics.items() if n in ("ANDTS", "Psykisk hälsa")],
        )
        services.agenda_set(meeting=coming, by=by, items=[
            {"title": title, "responsible": by if i == 0 else None, "responsible_name": "",
             "duration_minutes": minutes}
            for i, (title, minutes) in enumerate(AGENDA)
        ])
        created["inbjudningar"] += services.meeting_invite(meeting=coming, by=by)
        for i, inv in enumerate(Invitation.objects.filter(meeting=coming).exclude(user=by).order_by("email")):
            if i % 3 == 0:
                services.invitation_answer(invitation=inv, response="yes",
                                           comment="Vegetarisk lunch, tack." if i % 2 else "")
            elif i % 3 == 1 and i > 3:
                services.invitation_answer(invitation=inv, response="no", decline_reason="Krock med annat möte.")
        created["möten"] += 1

        if network.kind == Network.Kind.REGIONAL:
            later = today + timedelta(days=45)
            services.meeting_schedule(
                network=network, by=by, title="Styrgruppsmöte", kind=Meeting.Kind.STEERING,
                starts_at=_at(later, 9), ends_at=_at(later, 11), place=place,
                rsvp_deadline=later - timedelta(days=7),
            )
            created["möten"] += 1
    return created
