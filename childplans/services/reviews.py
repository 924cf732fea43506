"""Reviews, the chronology and closing a plan (``childplans.services``)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.kept import forget

from ..changes import (
    history_add,
    history_diff,
    require_may_change,
    snapshot,
)
from ..hooks import plan_closed_hooks
from ..indicators import INDICATORS_TABLE
from ..models import (
    ChildPlan,
    ChronologyEntry,
    ContactHandover,
    Review,
)

# --- reviews, chronology, closing --------------------------------------------------------------


@transaction.atomic
def review_plan(*, plan, by, date):
    require_may_change(plan)
    if date < timezone.localdate():
        raise ValidationError({"date": _("En planerad uppföljning kan inte ligga i det förflutna.")})
    review = Review(plan=plan, date=date)
    review.full_clean()
    review.save()
    history_add(plan=plan, by=by, what=_("Uppföljning planerad"), field=_("datum"), new=str(date))
    return review


REVIEW_FIELDS = ["date", "participants", "decisions", "next_review_on", "child_took_part", "guardians_know_plan"]


@transaction.atomic
def review_record(
    *, plan, review, by, participants, decisions, child_took_part, guardians_know_plan, next_review_on=None
):
    """Record a held review; the plan gets a new version and the next review is planned."""
    require_may_change(plan)
    if review.plan_id != plan.pk:
        raise ValidationError(_("Uppföljningen hör inte till planen."))
    if review.status == Review.Status.HELD:
        raise ValidationError(_("Uppföljningen är redan genomförd."))
    if review.date > timezone.localdate():
        raise ValidationError(_("Uppföljningen kan antecknas först när den har hållits."))
    if next_review_on is not None and (next_review_on <= review.date or next_review_on < timezone.localdate()):
        raise ValidationError(
            {"next_review_on": _("Nästa uppföljning måste ligga efter den här och inte i det förflutna.")}
        )
    if child_took_part not in Review.ChildTookPart.values:
        raise ValidationError({"child_took_part": _("Ange om barnet var delaktigt.")})
    if guardians_know_plan is None:
        raise ValidationError({"guardians_know_plan": _("Ange om vårdnadshavarna känner till planen.")})
    before = snapshot(review, REVIEW_FIELDS)
    review.status = Review.Status.HELD
    review.participants = participants.strip()
    review.decisions = decisions.strip()
    review.child_took_part = child_took_part
    review.guardians_know_plan = guardians_know_plan
    review.next_review_on = next_review_on
    review.recorded_by = by
    review.full_clean()
    review.save()
    history_diff(plan=plan, by=by, what=_("Uppföljning genomförd"), obj=review, before=before, fields=REVIEW_FIELDS)
    plan.version += 1
    plan.save(update_fields=["version", "updated_at"])
    history_add(plan=plan, by=by, what=_("Ny version av planen"), field=_("version"),
                old=str(plan.version - 1), new=str(plan.version))
    if next_review_on is not None:
        Review.objects.create(plan=plan, date=next_review_on)
    forget(INDICATORS_TABLE)
    return review


@transaction.atomic
def chronology_add(*, plan, by, occurred_on, event, source, impact, action_taken=""):
    require_may_change(plan)
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("Datumet kan inte ligga i framtiden.")})
    entry = ChronologyEntry(
        plan=plan, occurred_on=occurred_on, event=event.strip(), source=source.strip(), impact=impact,
        action_taken=action_taken.strip(), recorded_by=by,
    )
    entry.full_clean()
    entry.save()
    history_add(plan=plan, by=by, what=_("Kronologi"), new=str(occurred_on))
    return entry


@transaction.atomic
def plan_close(*, plan, by, reason):
    """Close the plan: its last change. What hangs on it is closed first, by the apps on the
    plan through their own services (``plan_closed_hooks``: the referrals close the open ones,
    the team meetings cancel the coming ones) while the plan may still change; then the plan is
    marked closed and may change no more: only its contact person reaches it, to read
    (``TeamMember.objects.giving_access``), and ``closed_on`` is the day the retention clock
    counts from (issue 19)."""
    require_may_change(plan)
    if by.pk != plan.contact_person_id:
        raise ValidationError(_("Bara kontaktpersonen kan avsluta planen."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Skriv varför planen avslutas.")})
    try:  # the model field's own rules (its length); the rest of the plan is not re-checked here
        ChildPlan._meta.get_field("close_reason").clean(reason, plan)
    except ValidationError as exc:
        raise ValidationError({"reason": exc.messages}) from None
    for hook in plan_closed_hooks:
        hook(plan=plan, by=by)
    plan.status = ChildPlan.Status.CLOSED
    plan.closed_on = timezone.localdate()
    plan.close_reason = reason
    plan.save(update_fields=["status", "closed_on", "close_reason", "updated_at"])
    ContactHandover.objects.filter(plan=plan, accepted_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=timezone.now()
    )
    history_add(plan=plan, by=by, what=_("Planen avslutades"), field=_("anledning till avslut"), new=reason)
    forget(INDICATORS_TABLE)
    return plan
