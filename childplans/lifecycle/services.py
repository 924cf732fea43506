"""Legal holds (rättslig spärr): set and lift, each with a reason. The page that calls them
(``views.LegalHoldView``: the contact person, re-authenticated) writes the request's audit row
in the same transaction (``childplans.access.ChildDataMixin``). Neither writes the plan's
history: a hold is no entry in the child's record and must not move its gallring date."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from childplans.models import ChildPlan

from .models import LegalHold


@transaction.atomic
def hold_set(*, plan, by, reason_category, reason):
    """Put a legal hold on ``plan``; refused if one is already in force or without a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Skriv varför planen spärras.")})
    # The plan's lock: the gallring run takes it too, so a run either sees the hold or is done.
    ChildPlan.objects.select_for_update().filter(pk=plan.pk).first()
    if LegalHold.objects.filter(plan=plan, lifted_at__isnull=True).exists():
        raise ValidationError(_("Planen har redan en rättslig spärr."))
    hold = LegalHold(plan=plan, reason_category=reason_category, reason=reason, set_by=by)
    hold.full_clean()
    try:
        with transaction.atomic():
            hold.save()
    except IntegrityError:
        raise ValidationError(_("Planen har redan en rättslig spärr.")) from None
    return hold


@transaction.atomic
def hold_lift(*, plan, by, reason):
    """Lift the hold in force on ``plan``; refused without a reason or when none is in force."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Skriv varför spärren hävs.")})
    hold = LegalHold.objects.select_for_update().filter(plan=plan, lifted_at__isnull=True).first()
    if hold is None:
        raise ValidationError(_("Planen har ingen rättslig spärr."))
    hold.lifted_at = timezone.now()
    hold.lifted_by = by
    hold.lift_reason = reason
    hold.full_clean()
    hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    return hold
