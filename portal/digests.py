"""The digest run (issue 21, portal/notices.py): the held notices of each person go out in one
e-mail per period — daily or weekly, at the hour the person chose — exactly once.

``digest_run`` is safe to run at any time, twice at once, or killed halfway: per person one
transaction writes the digest row (unique per kind, recipient and period in the outbox) and
marks the notices it holds; a notice is either still held or in exactly one digest. A notice
that arrives after its period's digest went out waits for the next one. An empty digest is never
written, and one whose notices have all lapsed (the action was done, the meeting is gone) is
not sent (its renderer returns None)."""

import re
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.db.models import Case, Min, Q, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from . import notices
from .models import NoticePreference, OutboundEmail, User
from .outbox import build_message, enqueue_batches, notice_category, preload_rows, register

Status = OutboundEmail.Status
Frequency = notices.Frequency
KIND_DIGEST = "notice_digest"
LINK = re.compile(r"https?://\S+")


CHUNK = 500  # people per transaction: a constant number of queries each, whatever their notices


def digest_run(now=None):
    """Write the digests that are due at ``now``; returns how many were written."""
    now = now or timezone.now()
    waiting = dict(
        OutboundEmail.objects.filter(status=Status.HELD, created_at__lt=now)
        .values("recipient")
        .annotate(first=Min("created_at"))
        .values_list("recipient", "first")
    )
    if not waiting:
        return 0
    people = User.objects.filter(email__in=list(waiting), is_active=True).values_list(
        "email", "digest_hour", "digest_weekday"
    )
    due, moments = {}, {}
    for email, hour, weekday in people:
        hour = settings.NOTICE_DIGEST_HOUR if hour is None else hour
        weekday = settings.NOTICE_DIGEST_WEEKDAY if weekday is None else weekday
        if (hour, weekday) not in moments:  # at most 24 × 7 different ones, whatever the number of people
            moments[hour, weekday] = {
                f: notices.last_sending(f, now, hour, weekday) for f in (Frequency.DAILY, Frequency.WEEKLY)
            }
        if waiting[email] < moments[hour, weekday][Frequency.DAILY][0]:  # waiting from before the last one
            due[email] = (moments[hour, weekday], {})
    if not due:
        return 0
    for email, category, frequency in NoticePreference.objects.filter(
        user__email__in=list(due), user__is_active=True
    ).values_list("user__email", "category", "frequency"):
        due[email][1][category] = frequency
    emails = sorted(due)
    return sum(_digests_for({e: due[e] for e in emails[i : i + CHUNK]}, now) for i in range(0, len(emails), CHUNK))


def _digests_for(due, now):
    """One transaction for these people: their due notices into their digests (new or still
    unsent), the ones they now want at once back to pending."""
    with transaction.atomic():
        rows = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(status=Status.HELD, recipient__in=list(due), created_at__lt=now)
            .values_list("pk", "recipient", "kind", "created_at")
        )
        at_once, into = [], defaultdict(list)  # into: (recipient, key, period) -> notice pks
        for pk, recipient, kind, created_at in rows:
            sendings, chosen = due[recipient]
            frequency = chosen.get(notice_category(kind), settings.NOTICE_DEFAULT_FREQUENCY)
            if frequency == Frequency.AT_ONCE:  # the person changed their mind: send it now
                at_once.append(pk)
            elif created_at < sendings[frequency][0]:
                into[(recipient, f"digest:{frequency}", sendings[frequency][1].isoformat())].append(pk)
        if at_once:
            OutboundEmail.objects.filter(pk__in=at_once).update(status=Status.PENDING, next_attempt_at=now)
        if not into:
            transaction.on_commit(lambda: enqueue_batches(at_once))
            return 0
        wanted = Q()
        for recipient, key, period in into:
            wanted |= Q(recipient=recipient, object_key=key, period=period)
        before = {
            (d.recipient, d.object_key, d.period): d
            for d in OutboundEmail.objects.select_for_update().filter(wanted, kind=KIND_DIGEST)
        }
        retry = now + timedelta(seconds=settings.OUTBOX_RESEND_AFTER_SECONDS)
        OutboundEmail.objects.bulk_create(
            [
                OutboundEmail(kind=KIND_DIGEST, recipient=r, object_key=k, period=p, next_attempt_at=retry)
                for (r, k, p) in into
                if (r, k, p) not in before
            ],
            ignore_conflicts=True,  # a run beside us wrote it first: then it is in ``after``
        )
        after = {
            (d.recipient, d.object_key, d.period): d
            for d in OutboundEmail.objects.select_for_update().filter(wanted, kind=KIND_DIGEST)
        }
        joins, joined = [], []
        for ident, pks in into.items():
            digest = after.get(ident)
            if digest is not None and digest.status == Status.PENDING:  # unsent: these go in it
                joins.append(When(pk__in=pks, then=Value(digest.pk)))
                joined += pks
            # gone out already: these wait for the next period
        if joined:
            OutboundEmail.objects.filter(pk__in=joined).update(
                status=Status.DIGESTED, digest_id=Case(*joins, output_field=models.BigIntegerField())
            )
        made = [d.pk for ident, d in after.items() if ident not in before]
        transaction.on_commit(lambda: enqueue_batches(at_once + made))
    return len(made)


def _item(row):
    """(subject, link) of one notice as its own renderer would send it, or None if it lapsed."""
    msg = build_message(row)
    if msg is None:
        return None
    link = LINK.search(msg.body)
    return msg.subject, link.group(0) if link else ""


@register(KIND_DIGEST)
def render_digest(row):
    items = list(OutboundEmail.objects.filter(digest=row).order_by("created_at", "pk"))
    preload_rows(items)
    lines = [line for line in map(_item, items) if line is not None]
    if not lines:
        return None
    weekly = row.object_key == f"digest:{Frequency.WEEKLY}"
    base = settings.PORTAL_BASE_URL.rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        if weekly:
            subject = ngettext(
                "Veckosammandrag från Barnstödsportalen: %(n)d händelse",
                "Veckosammandrag från Barnstödsportalen: %(n)d händelser", len(lines),
            ) % {"n": len(lines)}
        else:
            subject = ngettext(
                "Dagens sammandrag från Barnstödsportalen: %(n)d händelse",
                "Dagens sammandrag från Barnstödsportalen: %(n)d händelser", len(lines),
            ) % {"n": len(lines)}
        ctx = {
            "subject": subject, "items": lines, "weekly": weekly,
            "settings_url": base + reverse("notice_settings"), "portal_url": base + "/",
        }
        body = render_to_string("emails/digest.txt", ctx)
        html = render_to_string("emails/digest.html", ctx)
    msg = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [row.recipient])
    msg.attach_alternative(html, "text/html")
    return msg
