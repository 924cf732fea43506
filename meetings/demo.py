"""Demo meetings for the embedded default (``load_demo`` calls ``load_meeting_demo``), read from
meetings/data/demo/meetings.toml.

For every network with a coordinator and no meetings yet: last term's meeting, held and closed
(attendance, a register with notice of absence from the answers, minutes published), and a coming one with the invitations sent, some answers, and the
"not answered yet" reminder due now, so the worker's beat sends it as a mail file under
var/mail within minutes. Regional networks also get a planned meeting not yet sent, for trying
the invitation flow. A second run creates nothing (networks that have meetings are skipped)."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from networks.models import Network, NetworkMembership
from portal.demo import dated, own_fields, read_data

from . import minutes, services
from . import series as series_services
from .models import Invitation, Meeting, MeetingSeries, Topic
from .recurrence import TZ

MEETINGS = read_data(__file__, "meetings.toml")
# What the data adds to a meeting's own fields (meeting_schedule takes the rest as they are).
NOT_FIELDS = ("topics", "agenda", "invitations_sent_at", "answered_at", "minutes", "follow_ups",
              "regional_video_url", "yes_comment", "decline_reason")  # fmt: skip


@transaction.atomic
def load_meeting_demo(today=None):
    """Create the demo meetings that are missing; returns {what: number created}."""
    today = today or timezone.localdate()
    held, coming, steering = (dated(MEETINGS[key], today) for key in ("held", "coming", "steering"))
    created = {"möten": 0, "inbjudningar": 0}
    topics = {t.name: t for t in Topic.objects.all()}
    coordinators = {}
    for m in NetworkMembership.objects.filter(role=NetworkMembership.Role.COORDINATOR).select_related("user"):
        coordinators.setdefault(m.network_id, m.user)
    with_meetings = set(Meeting.objects.values_list("network_id", flat=True))
    networks = Network.objects.filter(pk__in=coordinators).exclude(pk__in=with_meetings).order_by("kind", "name")
    for network in networks:
        by = coordinators[network.pk]
        places = MEETINGS["places"]
        place = places["local"].format(kommun=network.kommun.name) if network.kommun_id else places["regional"]
        members = list(
            NetworkMembership.objects.filter(network=network).select_related("user").order_by("user__email")
        )

        past = _schedule(network, by, place, held, topics)
        Invitation.objects.bulk_create([
            Invitation(meeting=past, user=m.user, email=m.user.email.lower(), name=m.user.display_name,
                       organisation_id=m.organisation_id, response="yes" if i % 4 else "no",
                       responded_at=held["answered_at"], sent_at=held["invitations_sent_at"])
            for i, m in enumerate(members)
        ])
        Meeting.objects.filter(pk=past.pk).update(invitations_sent_at=held["invitations_sent_at"])
        came = Invitation.objects.filter(meeting=past, response="yes").values_list("pk", flat=True)
        services.attendance_set(meeting=past, by=by, invitation_ids=list(came))
        services.minutes_save(meeting=past, by=by, text=held["minutes"], follow_ups=held["follow_ups"])
        services.meeting_close(meeting=past, by=by)
        created["möten"] += 1

        video_url = "" if network.kommun_id else coming["regional_video_url"]
        meeting = _schedule(network, by, place, coming, topics, video_url=video_url)
        created["inbjudningar"] += services.meeting_invite(meeting=meeting, by=by)
        for i, inv in enumerate(Invitation.objects.filter(meeting=meeting).exclude(user=by).order_by("email")):
            if i % 3 == 0:
                services.invitation_answer(invitation=inv, response="yes",
                                           comment=coming["yes_comment"] if i % 2 else "")
            elif i % 3 == 1 and i > 3:
                services.invitation_answer(invitation=inv, response="no", decline_reason=coming["decline_reason"])
        created["möten"] += 1
        # Issue 21: the held meeting's minutes are published (to the present and the excused);
        # its follow-ups land on the coming meeting's agenda.
        minutes.minutes_publish(meeting=past, by=by)

        if network.kind == Network.Kind.REGIONAL:
            _schedule(network, by, place, steering, topics)
            created["möten"] += 1
    return created


def _schedule(network, by, place, spec, topics, **extra):
    """Schedule a meeting of the data, with its topics and agenda."""
    chosen = [t for name, t in topics.items() if name in spec.get("topics", ())]
    meeting = services.meeting_schedule(
        network=network, by=by, place=place, topics=chosen, **own_fields(spec, *NOT_FIELDS), **extra
    )
    if "agenda" in spec:
        services.agenda_set(meeting=meeting, by=by, items=[
            {"title": item["title"], "responsible": by if item.get("responsible") == "coordinator" else None,
             "responsible_name": "", "duration_minutes": item["duration_minutes"]}
            for item in spec["agenda"]
        ])
    return meeting


SERIES = read_data(__file__, "series.toml")


@transaction.atomic
def load_series_demo(today=None):
    """The demo series (meetings/data/demo/series.toml) for its network, if the network has a
    coordinator and no series yet: held meetings with answers, attendance and published minutes, and coming
    ones invited as a series. Returns {what: number created}."""
    today = today or timezone.localdate()
    network = Network.objects.filter(name=SERIES["network"]).first()
    by = network and (
        NetworkMembership.objects.filter(network=network, role=NetworkMembership.Role.COORDINATOR)
        .select_related("user").order_by("pk").first()
    )
    if by is None or MeetingSeries.objects.filter(network=network).exists():
        return {"mötesserier": 0}
    by = by.user
    starts = [datetime.combine(today + timedelta(days=n), SERIES["start"]).replace(tzinfo=TZ)
              for n in SERIES["days_from_today"]]
    series = series_services.series_create(
        network=network, by=by, title=SERIES["title"], kind=SERIES["kind"], place=SERIES["place"],
        description=SERIES["description"], agenda=SERIES["agenda"], starts=starts,
        length_minutes=SERIES["length_minutes"],
        topics=list(Topic.objects.filter(name__in=SERIES["topics"])),
    )
    members = list(NetworkMembership.objects.filter(network=network).select_related("user").order_by("user__email"))
    now = timezone.now()
    held = list(Meeting.objects.filter(series=series, ends_at__lt=now).order_by("starts_at"))
    for meeting in held:
        sent = meeting.starts_at - timedelta(days=30)
        Invitation.objects.bulk_create([
            Invitation(meeting=meeting, user=m.user, email=m.user.email.lower(), name=m.user.display_name,
                       organisation_id=m.organisation_id, response="yes" if i % 4 else "no",
                       responded_at=sent + timedelta(days=5), sent_at=sent)
            for i, m in enumerate(members)
        ])
        Meeting.objects.filter(pk=meeting.pk).update(invitations_sent_at=sent)
        came = Invitation.objects.filter(meeting=meeting, response="yes").values_list("pk", flat=True)
        services.attendance_set(meeting=meeting, by=by, invitation_ids=list(came))
        services.minutes_save(meeting=meeting, by=by, text=SERIES["minutes"], follow_ups=SERIES["follow_ups"])
        services.meeting_close(meeting=meeting, by=by)
        if meeting != held[-1]:  # the last one's minutes wait for the coordinator to publish them
            minutes.minutes_publish(meeting=meeting, by=by)  # to the present and the excused (issue 21)
    series_services.series_invite(series=series, by=by)
    return {"mötesserier": 1}
