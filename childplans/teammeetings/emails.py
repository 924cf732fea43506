"""Outbox renderers for barnteamets möte, built at send time from ids (portal/outbox.py), and
registered from ``TeammeetingsConfig.ready()``.

Two audiences, two kinds of e-mail:

- **professionals** (team members): NO child data — no name, no reason, nothing from the plan;
  "Möte om en plan i Barnstödsportalen", the time and place, the one-click answer links and a
  link to the meeting's page, which needs login, two-step verification and team membership.
  Their calendar file says the same.
- **guardians** (no account): plain Swedish, the child's first name only, the time and place, who
  is invited, how the child takes part, the answer links and a calendar file.

Each e-mail with answer links carries its own token, made while it is rendered; only its hash
is stored (``meetings.models.new_token``). A renderer returns None — nothing is sent — when the
e-mail has become pointless (answered, cancelled, over) or the person no longer belongs
(a member removed from the team, or whose organisation's consent was withdrawn). Subjects are
rendered here, never stored: the outbox's subject column stays empty.

Reused from meetings, free of anything about networks: ``meetings.ics.event_ics`` (the calendar
file), ``meetings.emails.calendar_part``, ``message_id`` and ``when_text``."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from childplans.models import ChildPlan, TeamMember
from meetings.emails import calendar_part, message_id, when_text
from meetings.ics import event_ics
from meetings.models import new_token
from portal.notices import Category
from portal.outbox import register

from . import services as s
from .models import AnswerToken, ChildPart, Invitee, TeamMeeting

PARTSTAT = {Invitee.Response.PENDING: "NEEDS-ACTION", Invitee.Response.YES: "ACCEPTED",
            Invitee.Response.NO: "DECLINED"}
# The kinds whose e-mail carries the answer links (while the meeting is open for answers and the
# person has not answered; the day-before reminder only then).
KINDS_WITH_LINKS = {s.KIND_INVITATION, s.KIND_CHANGED, s.KIND_REMIND_UNANSWERED, s.KIND_REMIND_DAY_BEFORE}


def professional_summary():
    """What a professional's e-mail and calendar file call the meeting: nothing about the child."""
    return _("Möte om en plan i Barnstödsportalen")


def _meeting_id(row):
    return int(row.object_key.split(":", 1)[1])


def _url(name, **kwargs):
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def meeting_page_url(meeting):
    return _url("childplans:teammeeting_detail", plan_pk=meeting.plan_id, meeting_pk=meeting.pk)


def answer_urls(meeting_id, token):
    base = _url("childplans:teammeeting_answer", meeting_pk=meeting_id, token=token)
    return f"{base}?svar=ja", f"{base}?svar=nej"


def genitive(name):
    """Swedish genitive: "Sagas", "Jonas" (a name ending in s, x or z takes nothing)."""
    return name if name[-1:].lower() in ("s", "x", "z") else f"{name}s"


def _wants_links(row, inv):
    return (
        row.kind in KINDS_WITH_LINKS
        and inv.meeting.is_open_for_answers
        and (row.kind != s.KIND_REMIND_DAY_BEFORE or inv.response == Invitee.Response.PENDING)
    )


def load(rows):
    """What the rows about team meetings need, in four queries whatever their number: their
    meetings (with plan, child and contact person), every invitee of those meetings, which
    members still give access, and one insert of the answer tokens. Sets ``row.invitee``
    (``.meeting``, ``.valid``, ``.meeting.everyone``; None when gone) and ``row.answer_token``.
    Used as the batch's ``preload`` and by a single e-mail."""
    ids = {_meeting_id(row) for row in rows}
    meetings = TeamMeeting.objects.select_related("plan", "plan__child", "plan__contact_person").in_bulk(list(ids))
    everyone = list(
        Invitee.objects.filter(meeting_id__in=list(meetings))
        .select_related("team_member__user", "team_member__organisation", "guardian")
        .order_by(F("guardian_id").asc(nulls_first=True), "pk")
    )
    valid = set(
        TeamMember.objects.giving_access().filter(pk__in=[i.team_member_id for i in everyone if i.team_member_id])
        .values_list("pk", flat=True)
    )
    by_address = {}
    for meeting in meetings.values():
        meeting.everyone = []
    for inv in everyone:
        inv.meeting = meetings[inv.meeting_id]
        inv.valid = inv.guardian_id is not None or inv.team_member_id in valid
        inv.meeting.everyone.append(inv)
        if inv.email:
            by_address[(inv.meeting_id, inv.email)] = inv
    tokens = []
    for row in rows:
        inv = row.invitee = by_address.get((_meeting_id(row), row.recipient))
        row.answer_token = None
        if inv is not None and inv.valid and _wants_links(row, inv):
            raw, digest = new_token()
            row.answer_token = raw
            tokens.append(AnswerToken(invitee=inv, token_hash=digest))
    AnswerToken.objects.bulk_create(tokens)


def _invitee(row):
    if not hasattr(row, "invitee"):
        load([row])
    inv = row.invitee
    if inv is None or not inv.valid or inv.meeting.plan.status != ChildPlan.Status.ACTIVE:
        return None
    return inv


def _swedish(make):
    with translation.override(settings.LANGUAGE_CODE):
        return make()


def _message(row, *, subject, context, ics=None, method="REQUEST"):
    context = {"subject": subject, **context}
    text = render_to_string("teammeetings/email.txt", context)
    html = render_to_string("teammeetings/email.html", context)
    msg = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [row.recipient], headers={"Message-ID": message_id(row)}
    )
    msg.attach_alternative(html, "text/html")
    if ics is not None:
        msg.attach(calendar_part(ics, method))
    return msg


def _facts(meeting):
    facts = [(_("Tid"), when_text(meeting))]
    if meeting.place:
        facts.append((_("Plats"), meeting.place))
    if meeting.video_url:
        facts.append((_("Videolänk"), meeting.video_url))
    return facts


def _links(row, inv):
    if row.answer_token is None:
        return {}
    yes_url, no_url = answer_urls(inv.meeting_id, row.answer_token)
    return {"yes_url": yes_url, "no_url": no_url}


def _ics(meeting, inv, *, summary, description, url="", method="REQUEST", name=""):
    return event_ics(
        uid=meeting.uid, sequence=meeting.sequence, starts_at=meeting.starts_at, ends_at=meeting.ends_at,
        summary=summary, location=meeting.location, description=description, url=url,
        attendee_email=inv.email, attendee_name=name, partstat=PARTSTAT.get(inv.response, "NEEDS-ACTION"),
        method=method, last_modified=meeting.updated_at,
    )


def _date(meeting):
    return formats.date_format(meeting.local_start, "j F Y")


# --- to professionals: no child data ----------------------------------------------------------------


def _professional(row, inv, *, subject, intro, method="REQUEST", attach=True):
    """An e-mail to a team member: the fixed summary, time, place, the answer links and a link to
    the meeting's page behind login. Nothing from the plan."""
    meeting = inv.meeting
    url = meeting_page_url(meeting)
    name = inv.team_member.user.display_name
    context = {
        "greeting": _("Hej %(name)s!") % {"name": name},
        "paragraphs": [intro],
        "heading": professional_summary(),
        "facts": _facts(meeting),
        "cancelled": method == "CANCEL",
        **_links(row, inv),
        "link": url,
        "link_text": _("Mötet i portalen (logga in med tvåstegsverifiering; bara teamet kan öppna det)"),
        "notes": [_("Av sekretesskäl står inga uppgifter om barnet i det här meddelandet.")]
        + ([_("Kalenderfilen (mote.ics) lägger in mötet i din kalender.")] if attach and method != "CANCEL" else [])
        + ([_("Kalenderfilen (mote.ics) tar bort mötet ur din kalender.")] if method == "CANCEL" else []),
    }
    ics = None
    if attach:
        ics = _ics(meeting, inv, summary=professional_summary(), method=method, url=url, name=name,
                   description=_("Mötet i portalen (kräver inloggning): %(url)s") % {"url": url})
    msg = _message(row, subject=subject, context=context, ics=ics, method=method)
    msg.portal_link = url  # what a digest links to (portal/digests.py), never an answer link
    return msg


# --- to guardians: plain Swedish, the child's first name only ---------------------------------------------


def _child_part_text(meeting, first):
    return {
        ChildPart.IN_ROOM: _("%(name)s är med hela mötet."),
        ChildPart.PART_TIME: _("%(name)s är med en del av mötet."),
        ChildPart.LETTER: _("%(name)s är inte med i rummet men får skriva ett brev eller rita något som vi läser."),
        ChildPart.SPOKESPERSON: _("%(name)s är inte med i rummet. %(person)s berättar vad %(name)s vill säga."),
        ChildPart.NOT_THIS_TIME: _("%(name)s är inte med den här gången."),
    }[meeting.child_part] % {"name": first, "person": meeting.child_spokesperson}


def who_is_invited(meeting):
    """The invited people, as the guardians' e-mail and answer page list them: the team members
    (name, organisation) whose invitation still works, then the guardians."""
    rows = []
    for inv in meeting.everyone:
        if not inv.valid:
            continue
        if inv.guardian_id:
            rows.append({"name": inv.guardian.name, "what": inv.guardian.get_relation_display().lower(),
                         "response": inv.get_response_display()})
        else:
            rows.append({"name": inv.team_member.user.display_name, "what": str(inv.team_member.organisation),
                         "response": inv.get_response_display()})
    return rows


def _contact_line(plan):
    contact = plan.contact_person
    reach = ", ".join(x for x in (contact.email, contact.phone) if x)
    return _("Har du frågor? Hör av dig till kontaktpersonen %(name)s: %(reach)s.") % {
        "name": contact.display_name, "reach": reach,
    }


def _guardian(row, inv, *, subject, paragraphs, method="REQUEST", attach=True, people=True):
    meeting = inv.meeting
    plan = meeting.plan
    first = plan.child.given_name
    context = {
        "greeting": _("Hej %(name)s!") % {"name": inv.guardian.name},
        "paragraphs": paragraphs,
        "heading": _("Möte om %(name)s plan") % {"name": genitive(first)},
        "facts": _facts(meeting),
        "cancelled": method == "CANCEL",
        "people_heading": _("Inbjudna") if people and method != "CANCEL" else "",
        "people": who_is_invited(meeting) if people and method != "CANCEL" else [],
        "child_part": _child_part_text(meeting, first) if method != "CANCEL" else "",
        **_links(row, inv),
        "answer_help": _("Länken öppnar en sida där du trycker på en knapp för att svara."),
        "notes": [_contact_line(plan)]
        + ([_("Kalenderfilen (mote.ics) lägger in mötet i din kalender.")] if attach and method != "CANCEL" else []),
    }
    ics = None
    if attach:
        ics = _ics(meeting, inv, summary=_("Möte om %(name)s plan") % {"name": genitive(first)}, method=method,
                   name=inv.guardian.name, description=_contact_line(plan))
    return _message(row, subject=subject, context=context, ics=ics, method=method)


# --- the kinds ---------------------------------------------------------------------------------------


@register(s.KIND_INVITATION, preload=load)
def render_invitation(row):
    inv = _invitee(row)
    if inv is None or not inv.meeting.is_open_for_answers:
        return None
    m = inv.meeting
    if inv.guardian_id:
        g = genitive(m.plan.child.given_name)
        return _swedish(lambda: _guardian(
            row, inv, subject=_("Välkommen till ett möte om %(name)s plan") % {"name": g},
            paragraphs=[_("Vi som arbetar med %(first)s vill träffa er för att prata om hur det går och vad som "
                          "ska hända framåt. Ni är varmt välkomna.") % {"first": m.plan.child.given_name},
                        _("Svara gärna om du kan komma.")],
        ))
    return _swedish(lambda: _professional(
        row, inv, subject=_("Kallelse: möte om en plan i Barnstödsportalen, %(date)s") % {"date": _date(m)},
        intro=_("Du är med i teamet kring ett barn och kallas till barnteamets möte. Svara om du kommer."),
    ))


@register(s.KIND_CHANGED, preload=load, notice=Category.MEETINGS, urgent=s.change_is_urgent)
def render_changed(row):
    inv = _invitee(row)
    if inv is None or inv.response == Invitee.Response.NO or not inv.meeting.is_open_for_answers:
        return None
    m = inv.meeting
    if inv.guardian_id:
        g = genitive(m.plan.child.given_name)
        return _swedish(lambda: _guardian(
            row, inv, subject=_("Ny tid eller plats för mötet om %(name)s plan") % {"name": g},
            paragraphs=[_("Tiden eller platsen för mötet har ändrats. Här är det som gäller nu.")],
        ))
    return _swedish(lambda: _professional(
        row, inv, subject=_("Ändrat: möte om en plan i Barnstödsportalen, %(date)s") % {"date": _date(m)},
        intro=_("Tid eller plats för mötet har ändrats. Här är de nya uppgifterna; kalenderfilen uppdaterar din "
                "kalender."),
    ))


def _cancelled_invitee(row):
    """The invitee of a cancellation: as ``_invitee``, but a meeting cancelled because its plan
    closed (``services.cancel_for_closed_plan``, issue 19) still reaches the guardians and the
    members on the team when it closed — a closed plan gives them no access any more, yet
    their calendars must lose the meeting. The e-mail to a professional holds no child data."""
    if not hasattr(row, "invitee"):
        load([row])
    inv = row.invitee
    if inv is not None and inv.meeting.plan.status == ChildPlan.Status.CLOSED:
        on_team = inv.team_member_id is not None and inv.team_member.removed_at is None
        return inv if inv.guardian_id is not None or on_team else None
    return _invitee(row)


@register(s.KIND_CANCELLED, preload=load, notice=Category.MEETINGS, urgent=s.change_is_urgent)
def render_cancelled(row):
    inv = _cancelled_invitee(row)
    if inv is None or inv.meeting.status != TeamMeeting.Status.CANCELLED:
        return None
    m = inv.meeting
    if inv.guardian_id:
        g = genitive(m.plan.child.given_name)
        return _swedish(lambda: _guardian(
            row, inv, subject=_("Mötet om %(name)s plan är inställt") % {"name": g},
            paragraphs=[_("Mötet blir inte av. Kontaktpersonen hör av sig om en ny tid.")], method="CANCEL",
        ))
    return _swedish(lambda: _professional(
        row, inv, subject=_("Inställt: möte om en plan i Barnstödsportalen, %(date)s") % {"date": _date(m)},
        intro=_("Mötet är inställt."), method="CANCEL",
    ))


@register(s.KIND_REMIND_UNANSWERED, preload=load)
def render_reminder_unanswered(row):
    inv = _invitee(row)
    if inv is None or inv.response != Invitee.Response.PENDING or not inv.meeting.is_open_for_answers:
        return None
    m = inv.meeting
    if inv.guardian_id:
        g = genitive(m.plan.child.given_name)
        return _swedish(lambda: _guardian(
            row, inv, subject=_("Kan du komma på mötet om %(name)s plan?") % {"name": g},
            paragraphs=[_("Vi har inte fått något svar från dig än. Svara gärna med ett klick.")], attach=False,
        ))
    return _swedish(lambda: _professional(
        row, inv, subject=_("Påminnelse: svara om du kommer till mötet om en plan, %(date)s") % {"date": _date(m)},
        intro=_("Vi har inte fått ditt svar än."), attach=False,
    ))


@register(s.KIND_REMIND_DAY_BEFORE, preload=load)
def render_reminder_day_before(row):
    inv = _invitee(row)
    if inv is None or inv.response == Invitee.Response.NO or not inv.meeting.is_open_for_answers:
        return None
    m = inv.meeting
    if inv.guardian_id:
        g = genitive(m.plan.child.given_name)
        return _swedish(lambda: _guardian(
            row, inv, subject=_("Påminnelse: mötet om %(name)s plan %(date)s") % {"name": g, "date": _date(m)},
            paragraphs=[_("Välkommen till mötet!")], attach=False,
        ))
    return _swedish(lambda: _professional(
        row, inv, subject=_("Påminnelse: möte om en plan i Barnstödsportalen, %(date)s") % {"date": _date(m)},
        intro=_("Välkommen till barnteamets möte."), attach=False,
    ))
