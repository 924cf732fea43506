"""Minutes that reach everyone (issue 21, part 3): publishing a revision of the minutes.

Writing the minutes saves revisions (meetings.services.minutes_save); publishing is the step
after: the latest revision is stamped ``published_at``/``published_by`` and never changed again
(editing it saves a new revision). The participants - by default those present and those with
notice of absence (``MEETING_MINUTES_RECIPIENTS = "attended"``), or everyone invited
(``"invited"``) - get one e-mail per published revision through the outbox (unique per
recipient, meeting and ``minutes:<revision>``), with the minutes as an HTML attachment and a
link. A revision published after an earlier one is a correction ("Rättelse"). The "att göra
till nästa gång" lines become agenda items of the network's next meeting."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.models import AuditEvent
from portal.outbox import outbox_add_many, register

from . import emails
from . import register as attendance_register
from .models import AgendaItem, Meeting, MinutesRevision
from .services import meeting_key

KIND_MINUTES = "meeting_minutes"
RECIPIENT_CHOICES = ("attended", "invited")
TITLE_MAX = AgendaItem._meta.get_field("title").max_length
BULLETS = "-*•–—·"

Action = AuditEvent.Action


def recipients_setting():
    value = settings.MEETING_MINUTES_RECIPIENTS
    if value not in RECIPIENT_CHOICES:
        raise ImproperlyConfigured(f"MEETING_MINUTES_RECIPIENTS must be one of {RECIPIENT_CHOICES}, not {value!r}")
    return value


def minutes_recipients(meeting):
    """The addresses the minutes go to: the register's present and excused ("attended"), or
    every invitee whose invitation was sent and everyone present ("invited"). Two queries."""
    everyone = recipients_setting() == "invited"
    wanted = {attendance_register.STATUS.PRESENT, attendance_register.STATUS.EXCUSED}
    addresses = set()
    for e in attendance_register.register_for(meeting):
        if not e.email:
            continue
        if e.status in wanted or (everyone and e.invitation is not None and e.invitation.sent_at is not None):
            addresses.add(e.email.lower())
    return sorted(addresses)


def next_meeting_of(meeting):
    """The network's next planned meeting after this one, by date (an occurrence of a series is
    a meeting like any other)."""
    return (
        Meeting.objects.filter(network_id=meeting.network_id, starts_at__gt=meeting.starts_at,
                               status=Meeting.Status.PLANNED)
        .order_by("starts_at", "pk")
        .first()
    )


def follow_up_items(text):
    """The follow-up lines as agenda titles: one per non-empty line, a leading bullet or number
    removed, cut to the agenda's length."""
    items = []
    for line in (text or "").splitlines():
        line = line.strip().lstrip(BULLETS).strip()
        head, dot, rest = line.partition(".")
        if dot and head.isdigit() and rest.strip():
            line = rest.strip()
        if not line:
            continue
        if len(line) > TITLE_MAX:
            line = line[: TITLE_MAX - 1].rstrip() + "…"
        if line not in items:
            items.append(line)
    return items


def carry_follow_ups(*, meeting, revision, by):
    """Add the revision's follow-ups to the next meeting's agenda (those it has not got yet, by
    title). Returns (next meeting or None, number added). Call inside the publishing
    transaction: it writes its audit row on the next meeting."""
    items = follow_up_items(revision.follow_ups)
    target = next_meeting_of(meeting) if items else None
    if target is None:
        return None, 0
    target = Meeting.objects.select_for_update().get(pk=target.pk)
    existing = set(AgendaItem.objects.filter(meeting=target).values_list("title", flat=True))
    top = AgendaItem.objects.filter(meeting=target).aggregate(m=Max("position"))["m"] or 0
    new = []
    for title in items:
        if title in existing:
            continue
        top += 1
        item = AgendaItem(meeting=target, position=top, title=title)
        item.full_clean(exclude=["meeting"])
        new.append(item)
    if new:
        AgendaItem.objects.bulk_create(new)
        audit_record(action=Action.UPDATE, event="meeting.agenda_follow_ups_added", user=by, obj=target,
                     detail={"from_meeting_id": meeting.pk, "revision": revision.number, "items": len(new)})
    return target, len(new)


@dataclass
class Published:
    revision: MinutesRevision
    correction: bool
    recipients: int
    next_meeting: Meeting | None
    agenda_items: int


def check_publishable(meeting):
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("Mötet är inställt."))
    if meeting.starts_at > timezone.now():
        raise ValidationError(_("Minnesanteckningarna kan publiceras först när mötet har börjat."))


@transaction.atomic
def minutes_publish(*, meeting, by):
    """Publish the latest revision: stamp it, record one e-mail per participant (a correction
    when an earlier revision was published), carry the follow-ups to the next meeting."""
    meeting = Meeting.objects.select_for_update().select_related("network").get(pk=meeting.pk)
    check_publishable(meeting)
    latest = MinutesRevision.objects.select_for_update().filter(meeting=meeting).order_by("-number").first()
    if latest is None:
        raise ValidationError(_("Skriv minnesanteckningarna innan du publicerar dem."))
    if latest.published_at is not None:
        raise ValidationError(
            _("Den senaste versionen är redan publicerad. Ändra anteckningarna om du vill skicka en rättelse.")
        )
    correction = MinutesRevision.objects.filter(meeting=meeting, published_at__isnull=False).exists()
    latest.published_at, latest.published_by = timezone.now(), by
    latest.save(update_fields=["published_at", "published_by"])
    recipients = minutes_recipients(meeting)
    outbox_add_many(kind=KIND_MINUTES, recipients=recipients, object_key=meeting_key(meeting),
                    period=minutes_period(latest.number))
    target, added = carry_follow_ups(meeting=meeting, revision=latest, by=by)
    audit_record(action=Action.UPDATE, event="minutes.published", user=by, obj=latest,
                 detail={"meeting_id": meeting.pk, "revision": latest.number, "correction": correction,
                         "recipients": len(recipients), "next_meeting_id": target.pk if target else None,
                         "agenda_items": added})
    return Published(latest, correction, len(recipients), target, added)


def minutes_period(number):
    return f"minutes:{number}"


def published_revisions(meeting):
    return list(MinutesRevision.objects.filter(meeting=meeting, published_at__isnull=False).order_by("number"))


# --- the e-mail ----------------------------------------------------------------------------------


@register(KIND_MINUTES)
def render_minutes(row):
    """The published revision named by the row's period, as text with a link and an HTML
    attachment. None when the meeting or the revision is gone or the meeting was cancelled."""
    meeting_id = int(row.object_key.split(":", 1)[1])
    number = int(row.period.split(":", 1)[1])
    meeting = Meeting.objects.select_related("network").filter(pk=meeting_id).first()
    revision = MinutesRevision.objects.filter(meeting_id=meeting_id, number=number,
                                              published_at__isnull=False).first()
    if meeting is None or revision is None or meeting.status == Meeting.Status.CANCELLED:
        return None
    correction = MinutesRevision.objects.filter(
        meeting_id=meeting_id, number__lt=number, published_at__isnull=False
    ).exists()
    with translation.override(settings.LANGUAGE_CODE):
        title = emails._title(meeting)
        if correction:
            subject = _("Rättelse: minnesanteckningar från %(title)s") % {"title": title}
            intro = _(
                "Minnesanteckningarna från mötet har rättats. Den rättade versionen finns som bilaga och i portalen; "
                "den ersätter den du fick tidigare."
            )
        else:
            subject = _("Minnesanteckningar från %(title)s") % {"title": title}
            intro = _("Här är minnesanteckningarna från mötet, som bilaga och i portalen.")
        attachment = render_to_string("emails/meeting_minutes_attachment.html", {
            "meeting": meeting, "revision": revision, "correction": correction, "when": emails.when_text(meeting),
            "subject": subject,
        })
    msg = emails._message(row=row, meeting=meeting, subject=subject, intro=intro, links=False, attach=False,
                          extra={"minutes_attached": True})
    msg.attach(f"minnesanteckningar-{meeting.pk}-v{revision.number}.html", attachment, "text/html")
    return msg
