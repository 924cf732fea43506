"""Invitations, answers and the waiting list (``meetings.services``)."""


from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from networks.models import Network, NetworkMembership
from portal.audit import audit_record
from portal.outbox import outbox_add_many

from ..models import (
    Invitation,
    Meeting,
)
from .common import (
    KIND_ANSWER,
    KIND_INVITATION,
    KIND_PROMOTED,
    Action,
    User,
    _coming_count,
    meeting_key,
)

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
