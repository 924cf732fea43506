"""The plan's team and the handover of the contact person's role (``childplans.services``)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from networks.models import OrganisationMembership
from portal.outbox import outbox_add

from ..changes import (
    history_add,
    require_may_change,
)
from ..models import (
    Action,
    ContactHandover,
    TeamMember,
)
from .consent import consent_covers

# --- the team -------------------------------------------------------------------------


@transaction.atomic
def team_add(*, plan, by, user, organisation, part="", is_supporter=False):
    require_may_change(plan)
    if not OrganisationMembership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError({"user": _("Personen hör inte till den valda organisationen.")})
    if not consent_covers(plan, organisation.pk):
        raise ValidationError(
            {"organisation": _("Inget samtycke omfattar %(organisation)s. Registrera samtycke först.")
             % {"organisation": organisation}}
        )
    if TeamMember.objects.current().filter(plan=plan, user=user).exists():
        raise ValidationError({"user": _("Personen är redan med i teamet.")})
    member = TeamMember(plan=plan, user=user, organisation=organisation, part=part.strip(),
                        is_supporter=is_supporter, added_by=by)
    member.full_clean(validate_constraints=False)
    member.save()
    history_add(plan=plan, by=by, what=_("Teammedlem tillagd"), new=str(member))
    return member


@transaction.atomic
def team_remove(*, plan, member, by):
    require_may_change(plan)
    if member.plan_id != plan.pk or not member.is_current:
        raise ValidationError(_("Personen är inte med i teamet."))
    if member.user_id == plan.contact_person_id:
        raise ValidationError(_("Kontaktpersonen kan inte tas bort. Lämna över rollen först."))
    member.removed_at = timezone.now()
    member.removed_because = TeamMember.RemovedBecause.REMOVED
    member.save(update_fields=["removed_at", "removed_because"])
    Action.objects.filter(
        plan=plan, responsible_person_id=member.user_id, status__in=Action.OPEN_STATUSES
    ).update(responsible_person=None)
    history_add(plan=plan, by=by, what=_("Teammedlem borttagen"), old=str(member))
    return member


@transaction.atomic
def handover_request(*, plan, by, to_user):
    """The contact person asks a team member from the owning organisation to take over."""
    require_may_change(plan)
    if by.pk != plan.contact_person_id:
        raise ValidationError(_("Bara kontaktpersonen kan lämna över rollen."))
    if to_user.pk == plan.contact_person_id:
        raise ValidationError({"to_user": _("Personen är redan kontaktperson.")})
    if not TeamMember.objects.current().filter(
        plan=plan, user=to_user, organisation_id=plan.owner_organisation_id
    ).exists():
        raise ValidationError(
            {"to_user": _("Kontaktpersonen måste vara med i teamet för planens ansvariga organisation.")}
        )
    if ContactHandover.objects.filter(plan=plan, accepted_at__isnull=True, cancelled_at__isnull=True).exists():
        raise ValidationError(_("En överlämning väntar redan på svar."))
    handover = ContactHandover.objects.create(plan=plan, from_user=by, to_user=to_user)
    history_add(plan=plan, by=by, what=_("Överlämning av kontaktpersonsrollen begärd"), new=str(to_user))
    outbox_add(kind="plan_handover_requested", recipient=to_user.email, object_key=f"handover:{handover.pk}")
    return handover


@transaction.atomic
def handover_accept(*, plan, by):
    require_may_change(plan)
    handover = (
        ContactHandover.objects.select_for_update()
        .filter(plan=plan, accepted_at__isnull=True, cancelled_at__isnull=True)
        .select_related("from_user", "to_user")
        .first()
    )
    if handover is None or handover.to_user_id != by.pk:
        raise ValidationError(_("Det finns ingen överlämning till dig att acceptera."))
    if not TeamMember.objects.current().filter(plan=plan, user=by, organisation_id=plan.owner_organisation_id).exists():
        raise ValidationError(_("Du är inte längre med i teamet för planens ansvariga organisation."))
    handover.accepted_at = timezone.now()
    handover.save(update_fields=["accepted_at"])
    old = plan.contact_person
    plan.contact_person = by
    plan.save(update_fields=["contact_person", "updated_at"])
    history_add(plan=plan, by=by, what=_("Ny kontaktperson"), field=_("kontaktperson"), old=str(old), new=str(by))
    for user in (handover.from_user, handover.to_user):
        outbox_add(kind="plan_handover_accepted", recipient=user.email, object_key=f"handover:{handover.pk}")
    return handover


@transaction.atomic
def handover_cancel(*, plan, by):
    handover = ContactHandover.objects.filter(plan=plan, accepted_at__isnull=True, cancelled_at__isnull=True).first()
    if handover is None or by.pk not in (handover.from_user_id, handover.to_user_id):
        raise ValidationError(_("Det finns ingen överlämning att återkalla."))
    handover.cancelled_at = timezone.now()
    handover.save(update_fields=["cancelled_at"])
    history_add(plan=plan, by=by, what=_("Överlämning av kontaktpersonsrollen återkallad"))
    return handover
