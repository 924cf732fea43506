"""Writes to referrals. Keyword-only arguments and the acting user (``by``); ``full_clean``;
``transaction.atomic``; a ``ValidationError`` with Swedish messages keyed by field, and then
nothing is changed. The request's audit row is written by the page's access mixin
(``ReferralAccessMixin`` or the plan's ``PlanAccessMixin``) in the same transaction, as for
every read and change of child data.

The rules (docs/security.md, promise 14):

- A referral is sent only while a consent on the plan is in force that covers the receiving
  organisation *and* referral (``Consent.for_referral``: the purpose a referral needs); only
  by a current member of the plan's team; only to an organisation with a current receiver.
- It is answered exactly once per step: the row is locked (``select_for_update``) and the new
  status must be one ``Referral.TRANSITIONS`` allows from the status found under the lock, so
  two answers racing end in one state and the second is refused.
- When the consent that covered the receiving organisation is withdrawn, the open referral is
  closed in the same transaction (``close_for_withdrawn_consent``, a hook of
  ``childplans.services.consent_withdraw``); when the plan is closed, so are its open referrals.
- Every change adds a chronology entry and a history row to the plan, and, when the referrer
  asked to follow the referral, an action for them (the previous follow-up action is done) — each
  through the plan's own services (``chronology_add``, ``action_add``, ``action_complete``), so a
  referral changes the plan by the plan's rules (``childplans/changes.py``).
- E-mails go through the outbox, carry only a link and are rendered at send time
  (``emails.py``); nothing in them names the child, the family or the plan."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from childplans import services as plan_services
from childplans.changes import history_add, may_change, require_may_change
from childplans.models import ChronologyEntry, ConsentOrganisation, TeamMember
from networks.models import ReferralReceiver
from networks.terms import current_term
from portal.outbox import outbox_add, outbox_add_many

from .models import NOTE_MAX, Referral, ReferralEvent

Status = Referral.Status


# --- the rules -----------------------------------------------------------------------------------


def referral_consents(plan):
    """The consents on ``plan`` in force that cover referral: a queryset of ConsentOrganisation
    rows (organisation ids)."""
    return ConsentOrganisation.objects.for_referral().filter(consent__plan_id=plan.pk)


def referral_consent_covers(plan, organisation_id):
    """Whether a consent in force on ``plan`` covers referring to ``organisation_id``. The
    plan's own organisation is no exception: a referral shares the child's data with its
    receivers, whoever they are."""
    return referral_consents(plan).filter(organisation_id=organisation_id).exists()


def receiver_emails(organisation_id):
    return list(
        ReferralReceiver.objects.current().filter(organisation_id=organisation_id).values_list("user__email", flat=True)
    )


def age_on(birth_date, today):
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def target_label(referral):
    """"Organisation (activity)": where the family is referred."""
    if referral.activity_id and referral.activity is not None:
        return f"{referral.organisation} ({referral.activity.title})"
    return str(referral.organisation)


def _current_member(plan, user):
    return TeamMember.objects.current().filter(plan=plan, user=user).select_related("organisation").first()


# --- what every change leaves on the plan ---------------------------------------------------------

CHRONOLOGY = {
    Status.SENT: (gettext_noop("Hänvisad till %(target)s."), ChronologyEntry.Impact.POSITIVE),
    Status.ACCEPTED: (gettext_noop("Hänvisningen till %(target)s accepterades."), ChronologyEntry.Impact.POSITIVE),
    Status.DECLINED: (gettext_noop("Hänvisningen till %(target)s avböjdes."), ChronologyEntry.Impact.NEGATIVE),
    Status.STARTED: (gettext_noop("Stödet hos %(target)s har börjat."), ChronologyEntry.Impact.POSITIVE),
    Status.ENDED: (gettext_noop("Stödet hos %(target)s är avslutat."), ChronologyEntry.Impact.POSITIVE),
    Status.WITHDRAWN: (gettext_noop("Hänvisningen till %(target)s stängdes när samtycket återkallades."),
                       ChronologyEntry.Impact.NEGATIVE),
    Status.CANCELLED: (gettext_noop("Hänvisningen till %(target)s togs tillbaka."), ChronologyEntry.Impact.NEGATIVE),
}

# (what the referrer's follow-up action says, days until it is due); none after CANCELLED.
FOLLOW_UP = {
    Status.SENT: (gettext_noop("Följ upp hänvisningen till %(target)s: har mottagaren svarat?"), 14),
    Status.ACCEPTED: (gettext_noop("Hänvisningen till %(target)s är accepterad: hör med familjen att kontakten blev av."), 14),
    Status.DECLINED: (gettext_noop("Hänvisningen till %(target)s avböjdes: ta ställning till nästa steg med familjen."), 7),
    Status.STARTED: (gettext_noop("Stödet hos %(target)s har börjat: följ upp med familjen hur det går."), 30),
    Status.ENDED: (gettext_noop("Stödet hos %(target)s är avslutat: följ upp med familjen."), 14),
    Status.WITHDRAWN: (gettext_noop("Samtycket till hänvisningen till %(target)s återkallades: ta ställning till nästa steg."), 7),
}


def _record(referral, *, status, by, previous="", note="", today=None, follow=True):
    """The event, the plan's chronology entry and history row, and (``follow``) the follow-up
    action."""
    today = today or timezone.localdate()
    plan = referral.plan
    target = target_label(referral)
    ReferralEvent.objects.create(referral=referral, status=status, note=note, by=by)
    text, impact = CHRONOLOGY[status]
    event = _(text) % {"target": target}
    if status == Status.DECLINED:
        event += " " + _("Skäl: %(reason)s") % {"reason": referral.decline_reason}
    if note:
        event += " " + _("Meddelande: %(note)s") % {"note": note}
    plan_services.chronology_add(
        plan=plan, by=by, occurred_on=today, event=event, source=str(referral.organisation)[:200], impact=impact,
    )
    history_add(
        plan=plan, by=by, what=_("Hänvisning till %(target)s") % {"target": target}, field=_("status"),
        old=str(Status(previous).label) if previous else "", new=str(Status(status).label),
    )
    if follow:
        _follow_up(referral, status=status, by=by, today=today)


def _follow_up(referral, *, status, by, today):
    """When the referrer asked to follow the referral: the previous follow-up action is done and
    a new one, for the referrer, says what to do now."""
    plan = referral.plan
    if not referral.follow or referral.follow_goal_id is None:
        return
    if referral.follow_action_id:
        plan_services.action_complete(
            plan=plan, action=referral.follow_action, by=by,
            follow_up=_("Nytt besked: %(status)s.") % {"status": Status(status).label},
        )
    if status not in FOLLOW_UP:
        return
    text, days = FOLLOW_UP[status]
    member = _current_member(plan, referral.referred_by)
    action = plan_services.action_add(
        plan=plan, by=by, goal_id=referral.follow_goal_id, what=_(text) % {"target": target_label(referral)},
        responsible_organisation=member.organisation if member else plan.owner_organisation,
        responsible_person=referral.referred_by if member else None,
        starts_on=today, due_on=today + timedelta(days=days),
    )
    referral.follow_action = action
    referral.save(update_fields=["follow_action"])


# --- sending -----------------------------------------------------------------------------------------


@transaction.atomic
def referral_send(
    *, plan, by, organisation, help_wanted, contact_by, activity=None, share_first_name=True, share_age=True,
    contact_details="", follow=False, follow_goal=None,
):
    """Refer the plan's child or family to ``organisation`` (and ``activity`` of it). Shares only
    the first name and the age (each if chosen), ``help_wanted`` and how the receiver should
    make contact; every current receiver of the organisation gets a notice with a link."""
    require_may_change(plan)
    member = _current_member(plan, by)
    if member is None:
        raise ValidationError(_("Bara barnets team kan hänvisa."))
    errors = {}
    help_wanted = (help_wanted or "").strip()
    contact_details = (contact_details or "").strip()
    if not help_wanted:
        errors["help_wanted"] = _("Skriv vad familjen vill ha hjälp med, med ord som mottagaren får läsa.")
    if activity is not None and activity.organisation_id != organisation.pk:
        errors["activity"] = _("Verksamheten hör inte till den valda organisationen.")
    if contact_by not in Referral.ContactBy.values:
        errors["contact_by"] = _("Välj hur mottagaren ska ta kontakt.")
    elif contact_by == Referral.ContactBy.RECEIVER and not contact_details:
        errors["contact_details"] = _("Skriv hur mottagaren når familjen, eller låt familjen höra av sig själv.")
    if follow and follow_goal is None:
        errors["follow_goal"] = _("Välj vilket mål uppföljningen hör till.")
    elif follow and follow_goal.plan_id != plan.pk:
        errors["follow_goal"] = _("Välj ett av planens mål.")
    if not referral_consent_covers(plan, organisation.pk):
        errors["organisation"] = ValidationError(
            _("Inget samtycke till hänvisning omfattar %(organisation)s. Registrera vårdnadshavarnas samtycke "
              "först, eller ge familjen en lapp om verksamheten i stället.") % {"organisation": organisation},
            code="no_consent",
        )
    elif not receiver_emails(organisation.pk):
        errors["organisation"] = ValidationError(
            _("%(organisation)s har ingen mottagare av hänvisningar än. Nätverkets samordnare får en påminnelse "
              "om att utse en. Ge familjen en lapp om verksamheten så länge.") % {"organisation": organisation},
            code="no_receiver",
        )
    elif Referral.objects.open().filter(plan=plan, organisation=organisation, activity=activity).exists():
        errors["organisation"] = _("Det finns redan en öppen hänvisning dit från den här planen.")
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    term, year = current_term(today)
    child = plan.child
    referral = Referral(
        plan=plan, organisation=organisation, activity=activity, referred_by=by,
        referrer_organisation=member.organisation,
        first_name=child.given_name if share_first_name else "",
        age=age_on(child.birth_date, today) if share_age else None,
        help_wanted=help_wanted, contact_by=contact_by, contact_details=contact_details,
        follow=bool(follow), follow_goal=follow_goal if follow else None, term=term, term_year=year,
    )
    referral.full_clean()
    referral.save()
    _record(referral, status=Status.SENT, by=by, today=today)
    outbox_add_many(kind="referral_received", recipients=receiver_emails(organisation.pk),
                    object_key=f"referral:{referral.pk}")
    return referral


# --- answering and closing ----------------------------------------------------------------------------


def _locked(referral):
    """The referral's row, locked until the transaction ends: a second answer waits here and then
    sees the first one's status."""
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("plan", "organisation", "activity", "referred_by")
        .get(pk=referral.pk)
    )


def _refused(referral, status):
    if not referral.is_open:
        return ValidationError(
            _("Hänvisningen är redan stängd (%(status)s) och kan inte besvaras.") % {"status": referral.get_status_display()}
        )
    return ValidationError(
        _("Hänvisningen har redan fått ett svar (%(status)s). Ladda om sidan.") % {"status": referral.get_status_display()},
        code="already_answered",
    )


@transaction.atomic
def referral_answer(*, referral, by, status, note="", reason=""):
    """A receiver's answer: accept, decline with a reason (seen by the team only), or later mark
    the support started or ended, with a short note back."""
    locked = _locked(referral)
    if not ReferralReceiver.objects.current().filter(organisation_id=locked.organisation_id, user=by).exists():
        raise ValidationError(_("Bara organisationens mottagare kan svara på hänvisningen."))
    if status not in Referral.RECEIVER_ANSWERS:
        raise ValidationError({"status": _("Välj ett svar.")})
    if not locked.may_become(status):
        raise _refused(locked, status)
    if not may_change(locked.plan) or not referral_consent_covers(locked.plan, locked.organisation_id):
        raise ValidationError(_("Samtycket gäller inte längre, så hänvisningen kan inte besvaras."))
    note, reason = (note or "").strip(), (reason or "").strip()
    errors = {}
    if len(note) > NOTE_MAX:
        errors["note"] = _("Skriv högst %(max)s tecken.") % {"max": NOTE_MAX}
    if status == Status.DECLINED and not reason:
        errors["reason"] = _("Skriv varför ni avböjer. Skälet visas bara för barnets team.")
    if errors:
        raise ValidationError(errors)
    previous = locked.status
    now = timezone.now()
    locked.status = status
    stamp = {Status.ACCEPTED: "accepted_at", Status.DECLINED: "declined_at", Status.STARTED: "started_at",
             Status.ENDED: "ended_at"}[status]
    setattr(locked, stamp, now)
    fields = ["status", stamp]
    if status == Status.STARTED and locked.accepted_at is None:  # never happens: STARTED follows ACCEPTED
        locked.accepted_at = now
        fields.append("accepted_at")
    if status == Status.DECLINED:
        locked.decline_reason = reason
        fields.append("decline_reason")
    if status in (Status.DECLINED, Status.ENDED):
        locked.closed_at = now
        fields.append("closed_at")
    locked.full_clean()
    locked.save(update_fields=fields)
    _record(locked, status=status, by=by, previous=previous, note=note)
    outbox_add(kind="referral_answered", recipient=locked.referred_by.email, object_key=f"referral:{locked.pk}",
               period=status)
    return locked


def _close(referral, *, status, by, note="", follow=True):
    """WITHDRAWN or CANCELLED: closed at once; the receivers are told it is closed (a link)."""
    previous = referral.status
    referral.status = status
    referral.closed_at = timezone.now()
    referral.save(update_fields=["status", "closed_at"])
    _record(referral, status=status, by=by, previous=previous, note=note, follow=follow)
    outbox_add_many(kind="referral_closed", recipients=receiver_emails(referral.organisation_id),
                    object_key=f"referral:{referral.pk}", period=status)


@transaction.atomic
def referral_cancel(*, referral, by, note=""):
    """The referrer or the plan's contact person takes an open referral back."""
    locked = _locked(referral)
    plan = locked.plan
    if by.pk not in (locked.referred_by_id, plan.contact_person_id) or _current_member(plan, by) is None:
        raise ValidationError(_("Bara den som hänvisade och planens kontaktperson kan ta tillbaka hänvisningen."))
    if not locked.may_become(Status.CANCELLED):
        raise _refused(locked, Status.CANCELLED)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("Skriv högst %(max)s tecken.") % {"max": NOTE_MAX}})
    _close(locked, status=Status.CANCELLED, by=by, note=note)
    return locked


def _open_for_update(plan):
    return list(
        Referral.objects.select_for_update(of=("self",))
        .select_related("plan", "organisation", "activity", "referred_by")
        .filter(plan_id=plan.pk, status__in=Referral.OPEN_STATUSES)
        .order_by("pk")
    )


def close_for_withdrawn_consent(*, plan, consent, by):
    """``consent_withdrawn_hooks`` (childplans/hooks.py): in ``consent_withdraw``'s transaction,
    every open referral of the plan to an organisation that no consent in force covers for
    referral any more is closed at once; its receivers see only that it was withdrawn."""
    covered = set(referral_consents(plan).values_list("organisation_id", flat=True))
    closed = [r for r in _open_for_update(plan) if r.organisation_id not in covered]
    for referral in closed:
        _close(referral, status=Status.WITHDRAWN, by=by)
    return closed


def close_for_closed_plan(*, plan, by):
    """``plan_closed_hooks``: the plan closes, so do its open referrals (no follow-up action: the
    plan's work ends)."""
    closed = _open_for_update(plan)
    for referral in closed:
        referral.plan = plan
        _close(referral, status=Status.CANCELLED, by=by, note=_("Planen avslutades."), follow=False)
    return closed
