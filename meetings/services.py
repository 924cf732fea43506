"""Writes with side effects for meetings: plan, change, cancel, invite, answer, waiting list,
attendance, minutes, calendar feeds and reminders.

Keyword-only arguments and the acting user (``by``); ``full_clean``; ``transaction.atomic``;
``ValidationError`` with Swedish messages for the form. Each change writes its audit row in its
transaction (``audit_record``: an ``event`` naming the change, ids only in ``detail``). Every
e-mail is an outbox row written in the same transaction (portal/outbox.py), unique per (kind,
recipient, meeting, period), so a second attempt - a retried task, a second beat - is a no-op."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from networks.models import Network, NetworkMembership
from portal.audit import audit_record
from portal.models import AuditEvent
from portal.notices import meeting_change_is_urgent
from portal.outbox import outbox_add_many

from .models import (
    AgendaItem,
    Attendance,
    CalendarFeed,
    Invitation,
    Meeting,
    MinutesRevision,
    NetworkMeetingDefaults,
    new_token,
)

User = get_user_model()
Action = AuditEvent.Action

# Changes to these fields move everyone's calendar: a new SEQUENCE and a notice to invitees.
NOTIFY_FIELDS = ("starts_at", "ends_at", "place", "video_url")
EDITABLE_FIELDS = (
    "title", "kind", "starts_at", "ends_at", "place", "video_url", "description", "rsvp_deadline",
    "capacity", "cost_note", "remind_unanswered_days", "remind_attending_days",
)

# Outbox kinds (renderers in meetings/emails.py).
KIND_INVITATION = "meeting_invitation"
KIND_ANSWER = "meeting_answer"
KIND_PROMOTED = "meeting_waitlist_promoted"
KIND_CHANGED = "meeting_changed"
KIND_CANCELLED = "meeting_cancelled"
KIND_REMIND_UNANSWERED = "meeting_reminder_unanswered"
KIND_REMIND_ATTENDING = "meeting_reminder_attending"
KIND_CLOSE_REMINDER = "meeting_close_reminder"


def meeting_key(meeting):
    return f"meeting:{meeting.pk if hasattr(meeting, 'pk') else meeting}"


def change_is_urgent(object_key):
    """A meeting's change or cancellation goes out at once while its answers are open or it is
    near (``portal.notices.meeting_change_is_urgent``); otherwise it may wait for a digest."""
    row = Meeting.objects.filter(pk=int(object_key.split(":", 1)[1])).values_list("starts_at", "rsvp_deadline").first()
    return row is None or meeting_change_is_urgent(*row)


def _notify_invitees(meeting, kind, period, *, exclude_declined=True):
    qs = Invitation.objects.filter(meeting=meeting, sent_at__isnull=False)
    if exclude_declined:
        qs = qs.exclude(response=Invitation.Response.NO)
    return outbox_add_many(
        kind=kind, recipients=qs.values_list("email", flat=True), object_key=meeting_key(meeting), period=period
    )


# --- network defaults --------------------------------------------------------------------------


def meeting_defaults_for(network):
    """The network's reminder and cost defaults (unsaved defaults when it has none)."""
    return NetworkMeetingDefaults.objects.filter(network=network).first() or NetworkMeetingDefaults(network=network)


@transaction.atomic
def meeting_defaults_set(*, network, by, remind_unanswered_days, remind_attending_days, cost_note):
    defaults = meeting_defaults_for(network)
    defaults.remind_unanswered_days = remind_unanswered_days
    defaults.remind_attending_days = remind_attending_days
    defaults.cost_note = cost_note
    defaults.full_clean()
    defaults.save()
    audit_record(action=Action.UPDATE, event="meeting_defaults.set", user=by, obj=defaults,
                 detail={"network_id": network.pk})
    return defaults


# --- plan, change, cancel, close ---------------------------------------------------------------


@transaction.atomic
def meeting_schedule(*, network, by, title, starts_at, ends_at, topics=(), **fields):
    """Plan a meeting. Reminder days and the cost note default to the network's settings."""
    defaults = meeting_defaults_for(network)
    fields.setdefault("remind_unanswered_days", defaults.remind_unanswered_days)
    fields.setdefault("remind_attending_days", defaults.remind_attending_days)
    if not fields.get("cost_note"):
        fields["cost_note"] = defaults.cost_note
    for key in [k for k, v in fields.items() if v is None and k in ("remind_unanswered_days", "remind_attending_days")]:
        fields[key] = getattr(defaults, key)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown meeting fields: {sorted(unknown)}")
    meeting = Meeting(network=network, title=title, starts_at=starts_at, ends_at=ends_at, created_by=by, **fields)
    meeting.full_clean()
    meeting.save()
    if topics:
        meeting.topics.set(topics)
    audit_record(action=Action.CREATE, event="meeting.scheduled", user=by, obj=meeting,
                 detail={"network_id": network.pk})
    return meeting


def _coming_count(meeting):
    return Invitation.objects.filter(meeting=meeting, response=Invitation.Response.YES).count()


@transaction.atomic
def meeting_update(*, meeting, by, topics=None, notify=True, **changes):
    """Change a planned meeting. A new time or place bumps the calendar SEQUENCE and tells every
    invitee who has not declined (unless ``notify`` is False: a series change tells them once
    for the whole series, meetings/series.py). Returns the list of changed fields that moved
    calendars."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown meeting fields: {sorted(unknown)}")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError(_("Mötet är inställt eller avslutat och kan inte ändras."))
    old = {f: getattr(meeting, f) for f in NOTIFY_FIELDS}
    old_capacity = meeting.capacity
    for name, value in changes.items():
        setattr(meeting, name, value)
    errors = {}
    try:
        meeting.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    coming = _coming_count(meeting)
    if meeting.capacity is not None and meeting.capacity < coming:
        errors.setdefault("capacity", []).append(
            _("%(count)d personer har redan tackat ja. Antalet platser kan inte vara färre än så.")
            % {"count": coming}
        )
    if errors:
        raise ValidationError(errors)
    moved = [f for f in NOTIFY_FIELDS if getattr(meeting, f) != old[f]]
    if moved:
        meeting.sequence += 1
    meeting.save()
    if topics is not None:
        meeting.topics.set(topics)
    if old_capacity is not None and (meeting.capacity is None or meeting.capacity > old_capacity):
        _promote_waitlist(meeting)
    if moved and meeting.invitations_sent_at and notify:
        _notify_invitees(meeting, KIND_CHANGED, f"v{meeting.sequence}")
    audit_record(action=Action.UPDATE, event="meeting.updated", user=by, obj=meeting,
                 detail={"network_id": meeting.network_id, "fields": sorted(changes), "moved": moved,
                         "sequence": meeting.sequence})
    return moved


@transaction.atomic
def meeting_cancel(*, meeting, by, notify=True, now=None):
    """Cancel: every invitee who has not declined gets a notice with METHOD:CANCEL, once (unless
    ``notify`` is False: ending a series tells them once, meetings/series.py)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError(_("Mötet är redan inställt eller avslutat."))
    meeting.status = Meeting.Status.CANCELLED
    meeting.cancelled_at = now or timezone.now()
    meeting.sequence += 1
    meeting.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
    if meeting.invitations_sent_at and notify:
        _notify_invitees(meeting, KIND_CANCELLED, "")
    audit_record(action=Action.UPDATE, event="meeting.cancelled", user=by, obj=meeting,
                 detail={"network_id": meeting.network_id})
    return meeting


@transaction.atomic
def meeting_close(*, meeting, by):
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError(_("Mötet är redan inställt eller avslutat."))
    if meeting.starts_at > timezone.now():
        raise ValidationError(_("Mötet kan avslutas först när det har börjat."))
    meeting.status = Meeting.Status.CLOSED
    meeting.closed_at = timezone.now()
    meeting.save(update_fields=["status", "closed_at", "updated_at"])
    audit_record(action=Action.UPDATE, event="meeting.closed", user=by, obj=meeting,
                 detail={"network_id": meeting.network_id})
    return meeting


@transaction.atomic
def agenda_set(*, meeting, by, items):
    """Replace the agenda with ``items``: dicts with title, responsible, responsible_name,
    duration_minutes, in order."""
    AgendaItem.objects.filter(meeting=meeting).delete()
    objs = []
    for position, item in enumerate(items, start=1):
        obj = AgendaItem(meeting=meeting, position=position, **item)
        obj.full_clean(exclude=["meeting"])
        objs.append(obj)
    AgendaItem.objects.bulk_create(objs)
    audit_record(action=Action.UPDATE, event="meeting.agenda_set", user=by, obj=meeting,
                 detail={"items": len(objs)})
    return objs


# --- invitations -------------------------------------------------------------------------------


def invitation_candidates(meeting, *, include_regional=False, include_local=False):
    """Who would be invited: the network's members, optionally the regional network's members
    (for a local network) or the local networks' members (for a regional one). One entry per
    address, the closest source first; two queries whatever the number of people."""
    network = meeting.network
    sources = [(Invitation.Source.MEMBER, NetworkMembership.objects.filter(network=network))]
    if include_regional and network.parent_id:
        sources.append((Invitation.Source.REGIONAL, NetworkMembership.objects.filter(network_id=network.parent_id)))
    if include_local and network.kind == Network.Kind.REGIONAL:
        sources.append((Invitation.Source.LOCAL, NetworkMembership.objects.filter(network__parent=network)))
    invited = set(Invitation.objects.filter(meeting=meeting).values_list("email", flat=True))
    seen = {}
    for source, qs in sources:
        rows = (
            qs.filter(user__is_active=True)
            .select_related("user", "organisation", "network")
            .order_by("user__first_name", "user__last_name", "user__email")
        )
        for m in rows:
            email = m.user.email.lower()
            if email in seen:
                continue
            seen[email] = {
                "user": m.user,
                "email": email,
                "name": m.user.display_name,
                "organisation": m.organisation,
                "source": source,
                "network": m.network,
                "already_invited": email in invited,
            }
    return list(seen.values())


def parse_guests(text):
    """Guests, one per line: ``e-post``, optionally ``; namn; organisation``. Raises a
    ValidationError naming each bad line."""
    guests, errors, seen = [], [], set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = [p.strip() for p in line.replace(",", ";").split(";")]
        email = parts[0].lower()
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                _("Rad %(line)d: ”%(value)s” är inte en e-postadress.") % {"line": number, "value": parts[0]}
            )
            continue
        if email in seen:
            continue
        seen.add(email)
        guests.append({"email": email, "name": parts[1] if len(parts) > 1 else "", "organisation_name": parts[2] if len(parts) > 2 else ""})
    if errors:
        raise ValidationError({"guests": errors})
    return guests


@transaction.atomic
def meeting_invite(
    *, meeting, by, user_ids=None, include_regional=False, include_local=False, guests=(), notify=True
):
    """Invite the chosen candidates (all when ``user_ids`` is None) and the guests, and record
    one invitation e-mail per new invitee (unless ``notify`` is False: a series sends one
    invitation for all its meetings, meetings/series.py). Already invited addresses are skipped.
    Returns the number of new invitations."""
    meeting = Meeting.objects.select_for_update().select_related("network").get(pk=meeting.pk)
    if not meeting.is_open_for_answers:
        raise ValidationError(_("Mötet är inställt, avslutat eller redan genomfört."))
    now = timezone.now()
    candidates = invitation_candidates(meeting, include_regional=include_regional, include_local=include_local)
    wanted = None if user_ids is None else set(user_ids)  # ids (the view's form cleaned them)
    new = []
    emails = set()
    for c in candidates:
        if c["already_invited"] or (wanted is not None and c["user"].pk not in wanted):
            continue
        emails.add(c["email"])
        new.append(Invitation(
            meeting=meeting, user=c["user"], email=c["email"], name=c["name"], organisation=c["organisation"],
            source=c["source"], sent_at=now,
        ))
    guests = [g for g in guests if g["email"] not in emails]
    if guests:
        invited = set(Invitation.objects.filter(meeting=meeting).values_list("email", flat=True))
        users = {u.email.lower(): u for u in User.objects.filter(email__in=[g["email"] for g in guests])}
        for g in guests:
            if g["email"] in invited:
                continue
            user = users.get(g["email"])
            new.append(Invitation(
                meeting=meeting, user=user, email=g["email"],
                name=g["name"] or (user.display_name if user else ""),
                organisation_name=g["organisation_name"], source=Invitation.Source.GUEST, sent_at=now,
            ))
            emails.add(g["email"])
    if not new:
        return 0
    for inv in new:  # field validation only: uniqueness is the database's (ignore_conflicts)
        inv.full_clean(exclude=["meeting", "user", "organisation"], validate_unique=False,
                       validate_constraints=False)
    Invitation.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    if meeting.invitations_sent_at is None:
        meeting.invitations_sent_at = now
        meeting.save(update_fields=["invitations_sent_at", "updated_at"])
    if notify:
        outbox_add_many(kind=KIND_INVITATION, recipients=emails, object_key=meeting_key(meeting))
    audit_record(action=Action.CREATE, event="meeting.invitations_sent", user=by, obj=meeting,
                 detail={"network_id": meeting.network_id, "invitations": len(new),
                         "guests": sum(1 for inv in new if inv.source == Invitation.Source.GUEST)})
    return len(new)


@transaction.atomic
def invitation_answer(*, invitation, response, comment="", decline_reason="", by=None, notify=True):
    """Record an answer ("yes" or "no"). Past capacity a yes goes on the waiting list; a yes
    turned no lets the first on the list move up (and tells them). The person gets a
    confirmation with a calendar file that carries their answer (unless ``notify`` is False: the
    answers to a series are confirmed once, meetings/series.py)."""
    if response not in (Invitation.Response.YES, Invitation.Response.NO):
        raise ValidationError(_("Välj om du kommer eller inte."))
    meeting = Meeting.objects.select_for_update().get(pk=invitation.meeting_id)
    if not meeting.is_open_for_answers:
        raise ValidationError(_("Det går inte längre att svara på den här inbjudan."))
    inv = Invitation.objects.select_for_update().get(pk=invitation.pk)
    previous = inv.response
    if response == Invitation.Response.YES:
        if previous not in (Invitation.Response.YES, Invitation.Response.WAITLIST):
            if meeting.capacity is not None and _coming_count(meeting) >= meeting.capacity:
                inv.response = Invitation.Response.WAITLIST
                top = Invitation.objects.filter(meeting=meeting).aggregate(m=Max("waitlist_position"))["m"] or 0
                inv.waitlist_position = top + 1
            else:
                inv.response = Invitation.Response.YES
        inv.decline_reason = ""
    else:
        inv.response = Invitation.Response.NO
        inv.waitlist_position = None
        inv.decline_reason = decline_reason.strip()
    inv.comment = comment.strip()
    inv.responded_at = timezone.now()
    inv.full_clean(exclude=["meeting", "user", "organisation"], validate_unique=False,
                   validate_constraints=False)
    inv.save(update_fields=["response", "waitlist_position", "decline_reason", "comment", "responded_at"])
    if previous == Invitation.Response.YES and inv.response == Invitation.Response.NO:
        _promote_waitlist(meeting)
    if notify:
        outbox_add_many(
            kind=KIND_ANSWER, recipients=[inv.email], object_key=meeting_key(meeting),
            period=f"answer:{inv.responded_at.isoformat()}",
        )
    # The invitee answers for themselves: logged in (``by``), or through the e-mail's link.
    audit_record(action=Action.UPDATE, event="invitation.answered", user=by or inv.user, obj=inv,
                 detail={"meeting_id": meeting.pk, "from": previous, "to": inv.response,
                         "through": "portal" if by is not None else "link"})
    return inv


def _promote_waitlist(meeting):
    """Move people up from the waiting list while there is room; each is told once."""
    promoted = []
    coming = _coming_count(meeting)
    queue = Invitation.objects.filter(meeting=meeting, response=Invitation.Response.WAITLIST).order_by(
        "waitlist_position"
    )
    for inv in queue.select_for_update():
        if meeting.capacity is not None and coming >= meeting.capacity:
            break
        inv.response = Invitation.Response.YES
        inv.waitlist_position = None
        inv.save(update_fields=["response", "waitlist_position"])
        coming += 1
        promoted.append(inv)
        outbox_add_many(
            kind=KIND_PROMOTED, recipients=[inv.email], object_key=meeting_key(meeting),
            period=f"promoted:{timezone.now().isoformat()}",
        )
    return promoted


@transaction.atomic
def invitation_remove(*, invitation, by):
    """Withdraw an invitation (a place may open for the waiting list)."""
    meeting = Meeting.objects.select_for_update().get(pk=invitation.meeting_id)
    was_coming = invitation.response == Invitation.Response.YES
    audit_record(action=Action.DELETE, event="invitation.removed", user=by, obj=invitation,
                 detail={"meeting_id": meeting.pk, "response": invitation.response})
    invitation.delete()
    if was_coming and meeting.is_open_for_answers:
        _promote_waitlist(meeting)


# --- attendance and minutes --------------------------------------------------------------------


def _attendance_from_invitation(inv, *, by, source):
    return Attendance(
        meeting_id=inv.meeting_id, invitation=inv, user_id=inv.user_id, name=inv.display_name, email=inv.email,
        organisation_id=inv.organisation_id, organisation_name=inv.organisation_name, source=source, recorded_by=by,
    )


@transaction.atomic
def attendance_set(*, meeting, by, invitation_ids):
    """Tick who came: invitees in ``invitation_ids`` are present, the other invitees are not.
    People added without an invitation stay."""
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("Mötet är inställt."))
    if meeting.starts_at > timezone.now() + timedelta(hours=2):
        raise ValidationError(_("Närvaro kan registreras först när mötet börjar."))
    wanted = set(invitation_ids)  # ids (the view's form cleaned them)
    invitations = {inv.pk: inv for inv in Invitation.objects.filter(meeting=meeting, pk__in=wanted)}
    present_rows = Attendance.objects.filter(
        meeting=meeting, invitation__isnull=False, status=Attendance.Status.PRESENT
    )
    present = set(present_rows.values_list("invitation_id", flat=True))
    present_rows.exclude(invitation_id__in=wanted).delete()  # back to what their answer says
    # A register mark (excused, absent) of someone ticked now becomes present.
    marked = Attendance.objects.filter(meeting=meeting, invitation_id__in=wanted).exclude(
        status=Attendance.Status.PRESENT
    )
    remarked = set(marked.values_list("invitation_id", flat=True))
    marked.update(status=Attendance.Status.PRESENT, source=Attendance.Source.COORDINATOR, recorded_by=by,
                  recorded_at=timezone.now())
    present |= remarked
    users_present = set(Attendance.objects.filter(meeting=meeting, user__isnull=False).values_list("user_id", flat=True))
    new = []
    for pk, inv in invitations.items():
        if pk in present or (inv.user_id and inv.user_id in users_present):
            continue
        new.append(_attendance_from_invitation(inv, by=by, source=Attendance.Source.COORDINATOR))
    Attendance.objects.bulk_create(new)
    audit_record(action=Action.UPDATE, event="attendance.set", user=by, obj=meeting,
                 detail={"present_invitations": sorted(wanted & set(invitations)), "added": len(new) + len(remarked),
                         "removed": sorted(present - wanted)})
    return len(new) + len(remarked)


@transaction.atomic
def attendance_add_walk_in(*, meeting, by, name, email="", organisation=None, organisation_name=""):
    """Someone who came without an invitation."""
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("Mötet är inställt."))
    email = (email or "").strip().lower()
    user = User.objects.filter(email__iexact=email).first() if email else None
    present = Attendance.objects.filter(status=Attendance.Status.PRESENT)
    if user is not None and present.filter(meeting=meeting, user=user).exists():
        raise ValidationError({"email": _("%(email)s är redan markerad som närvarande.") % {"email": email}})
    inv = Invitation.objects.filter(meeting=meeting, email=email).first() if email else None
    if inv is not None:
        if present.filter(invitation=inv).exists():
            raise ValidationError({"email": _("%(email)s är redan markerad som närvarande.") % {"email": email}})
    # A register mark (excused, absent) gives way to the person who came after all.
    stale = Q(invitation=inv) if inv is not None else Q(pk__in=[])
    if user is not None:
        stale |= Q(meeting=meeting, user=user)
    Attendance.objects.filter(stale).exclude(status=Attendance.Status.PRESENT).delete()
    att = Attendance(
        meeting=meeting, invitation=inv, user=user, name=name.strip(), email=email, organisation=organisation,
        organisation_name=organisation_name.strip(), recorded_by=by,
    )
    att.full_clean(exclude=["meeting", "invitation", "user", "organisation"])
    att.save()
    audit_record(action=Action.CREATE, event="attendance.walk_in_added", user=by, obj=att,
                 detail={"meeting_id": meeting.pk})
    return att


def checkin_window(meeting):
    return meeting.starts_at - timedelta(hours=2), meeting.ends_at + timedelta(hours=2)


@transaction.atomic
def attendance_checkin(*, meeting, user):
    """A participant scanned the meeting's QR code: mark them present (once)."""
    opens, closes = checkin_window(meeting)
    if meeting.status == Meeting.Status.CANCELLED or not (opens <= timezone.now() <= closes):
        raise ValidationError(_("Incheckningen är inte öppen just nu."))
    existing = Attendance.objects.filter(meeting=meeting, user=user).first()
    if existing is not None and existing.status == Attendance.Status.PRESENT:
        return existing, False
    if existing is not None:  # marked excused or absent in the register: they came after all
        existing.delete()
    inv = Invitation.objects.filter(meeting=meeting, user=user).first()
    if inv is not None:
        att = _attendance_from_invitation(inv, by=user, source=Attendance.Source.CHECKIN)
        Attendance.objects.filter(invitation=inv).delete()
    else:
        membership = NetworkMembership.objects.filter(network_id=meeting.network_id, user=user).first()
        att = Attendance(
            meeting=meeting, user=user, name=user.display_name, email=user.email,
            organisation_id=membership.organisation_id if membership else None,
            source=Attendance.Source.CHECKIN, recorded_by=user,
        )
    att.save()
    audit_record(action=Action.CREATE, event="attendance.checked_in", user=user, obj=att,
                 detail={"meeting_id": meeting.pk})
    return att, True


@transaction.atomic
def attendance_remove(*, attendance, by):
    audit_record(action=Action.DELETE, event="attendance.removed", user=by, obj=attendance,
                 detail={"meeting_id": attendance.meeting_id})
    attendance.delete()


@transaction.atomic
def minutes_save(*, meeting, by, text, follow_ups=""):
    """Save the minutes as a new revision (the history is kept)."""
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError(_("Mötet är inställt."))
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
    latest = MinutesRevision.objects.filter(meeting=meeting).order_by("-number").first()
    if latest is not None and latest.text == text and latest.follow_ups == follow_ups:
        return latest
    rev = MinutesRevision(
        meeting=meeting, number=(latest.number + 1) if latest else 1, text=text, follow_ups=follow_ups, author=by
    )
    rev.full_clean(exclude=["meeting", "author"])
    rev.save()
    audit_record(action=Action.CREATE, event="minutes.saved", user=by, obj=rev,
                 detail={"meeting_id": meeting.pk, "revision": rev.number})
    return rev


# --- calendar feed -------------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_renew(*, user):
    """A new private feed URL (the old one stops working). Returns the raw token, shown once."""
    raw, digest = new_token()
    feed, _created = CalendarFeed.objects.update_or_create(
        user=user, defaults={"token_hash": digest, "created_at": timezone.now(), "last_used_at": None}
    )
    audit_record(action=Action.UPDATE, event="calendar_feed.renewed", user=user, obj=feed)
    return raw


@transaction.atomic
def calendar_feed_revoke(*, user):
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is not None:
        audit_record(action=Action.DELETE, event="calendar_feed.revoked", user=user, obj=feed)
        feed.delete()


# --- reminders (Celery beat) ---------------------------------------------------------------------

REMINDER_HORIZON_DAYS = 60


def reminders_due(now=None):
    """Record every reminder that is due; the outbox's unique constraint makes each go out at
    most once per person and kind, however often this runs. Returns the number of addresses
    considered (not the number of new e-mails)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    count = 0
    meetings = Meeting.objects.filter(
        status=Meeting.Status.PLANNED,
        invitations_sent_at__isnull=False,
        starts_at__gt=now - timedelta(days=7),
        starts_at__lt=now + timedelta(days=REMINDER_HORIZON_DAYS),
    ).select_related("network")
    for meeting in meetings:
        start_day = timezone.localtime(meeting.starts_at).date()
        if meeting.starts_at > now:
            deadline = meeting.rsvp_deadline or start_day
            if deadline - timedelta(days=meeting.remind_unanswered_days) <= today <= deadline:
                with transaction.atomic():
                    count += outbox_add_many(
                        kind=KIND_REMIND_UNANSWERED,
                        recipients=Invitation.objects.filter(
                            meeting=meeting, response=Invitation.Response.PENDING, sent_at__isnull=False
                        ).values_list("email", flat=True),
                        object_key=meeting_key(meeting),
                    )
            if start_day - timedelta(days=meeting.remind_attending_days) <= today:
                with transaction.atomic():
                    count += outbox_add_many(
                        kind=KIND_REMIND_ATTENDING,
                        recipients=Invitation.objects.filter(
                            meeting=meeting, response=Invitation.Response.YES
                        ).values_list("email", flat=True),
                        object_key=meeting_key(meeting),
                    )
        elif meeting.ends_at <= now:
            with transaction.atomic():
                count += outbox_add_many(
                    kind=KIND_CLOSE_REMINDER,
                    recipients=NetworkMembership.objects.filter(
                        network_id=meeting.network_id, role=NetworkMembership.Role.COORDINATOR
                    ).values_list("user__email", flat=True),
                    object_key=meeting_key(meeting),
                )
    return count
