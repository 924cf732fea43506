"""Notices and digests (issue 21): how a person wants to hear of things that happened.

A notice is an outbox row of a kind registered with a *category* (``portal.outbox.register(kind,
notice=Category.X)``). Whether it goes at once or waits for the recipient's digest is decided in
one place, ``frequencies``, when the row is written: a person with an account chooses per
category, in "Mina aviseringar", the daily digest (the default, ``NOTICE_DEFAULT_FREQUENCY``), the
weekly digest or at once. What needs an answer by a date (a handover, a referral, a meeting whose
answers are still open or that is near) goes at once whatever the choice: the kind says so with
``urgent``. An address without an active account (a guardian) always gets it at once.

A held notice waits in the outbox (``held``); the digest run (``portal.digests``) puts the held
notices of one person and period into one digest e-mail, exactly once (the outbox's unique key:
kind, recipient, period) — nothing is sent twice and nothing is lost, whatever stops when, because
the digest row and the notices' "in this digest" are written in one transaction."""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import audit_record
from .models import AuditEvent, NoticePreference, User

Frequency = NoticePreference.Frequency


class Category(models.TextChoices):
    """The kinds of event a person chooses how to hear of (the list in issue 21)."""

    ACTIONS = "actions", _("Åtgärder som jag ansvarar för: nya, ändrade och som snart ska vara klara")
    REVIEWS = "reviews", _("Uppföljningar av planer som snart ska göras")
    CONSENTS = "consents", _("Samtycken som snart löper ut")
    HANDOVERS = "handovers", _("Överlämningar av planer")
    REFERRALS = "referrals", _("Hänvisningar att besvara och svar på mina hänvisningar")
    MEETINGS = "meetings", _("Ändrade och inställda möten")


def frequencies(recipients, category):
    """How each address wants a notice of ``category``: ``{address: Frequency}``, one query.
    Addresses without an active account are not in the answer (they get it at once)."""
    chosen = NoticePreference.objects.filter(user=OuterRef("pk"), category=category).values("frequency")[:1]
    rows = (
        User.objects.filter(email__in=[r.lower() for r in recipients], is_active=True)
        .annotate(chosen=Subquery(chosen))
        .values_list("email", "chosen")
    )
    return {email.lower(): chosen or settings.NOTICE_DEFAULT_FREQUENCY for email, chosen in rows}


def preferences(user):
    """``{category: frequency}`` for every category, the default where the person chose none."""
    chosen = dict(NoticePreference.objects.filter(user=user).values_list("category", "frequency"))
    return {c: chosen.get(c, settings.NOTICE_DEFAULT_FREQUENCY) for c in Category.values}


def digest_hour(user):
    return settings.NOTICE_DIGEST_HOUR if user.digest_hour is None else user.digest_hour


def digest_weekday(user):
    return settings.NOTICE_DIGEST_WEEKDAY if user.digest_weekday is None else user.digest_weekday


def meeting_change_is_urgent(starts_at, rsvp_deadline=None, now=None):
    """A change to a meeting goes out at once, whatever the person chose, when its answers are
    still open (an answer is due by a date) or it is closer than ``NOTICE_MEETING_AT_ONCE_DAYS``
    (a digest could come after it). The one rule for network and team meetings alike."""
    now = now or timezone.now()
    if rsvp_deadline is not None and rsvp_deadline >= timezone.localdate(now):
        return True
    return starts_at < now + timedelta(days=settings.NOTICE_MEETING_AT_ONCE_DAYS)


def last_sending(frequency, now, hour, weekday):
    """The latest moment at or before ``now`` at which a digest of ``frequency`` goes out for a
    person who chose ``hour`` (and ``weekday``, Monday 0, for the weekly one), in local time;
    the digest holds what was noticed before it. Its period is named by its local date."""
    local = timezone.localtime(now)
    day = local.date()
    at = timezone.make_aware(datetime.combine(day, time(hour)))
    if at > local:
        day -= timedelta(days=1)
    if frequency == Frequency.WEEKLY:
        day -= timedelta(days=(day.weekday() - weekday) % 7)
    return timezone.make_aware(datetime.combine(day, time(hour))), day


@transaction.atomic
def preferences_set(*, user, by, choices, hour, weekday):
    """A person's choices: ``choices`` {category: frequency} for every category, the digest hour
    (0–23) and the weekly digest's weekday (0–6). Notices already held follow the new choice at
    the next digest run (one chosen "at once" is sent then)."""
    unknown = set(choices) - set(Category.values)
    if unknown or set(choices.values()) - set(Frequency.values):
        raise ValueError("unknown category or frequency")
    for category, frequency in choices.items():
        NoticePreference.objects.update_or_create(user=user, category=category, defaults={"frequency": frequency})
    user.digest_hour, user.digest_weekday = hour, weekday
    user.full_clean(exclude=["password"])
    user.save(update_fields=["digest_hour", "digest_weekday"])
    audit_record(action=AuditEvent.Action.UPDATE, event="notices.preferences_set", user=by, obj=user,
                 detail={"choices": dict(sorted(choices.items())), "hour": hour, "weekday": weekday})
