"""Opening a plan, the child and the guardians; which organisations may keep plans (``childplans.services``)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from networks.models import OrganisationMembership
from portal.kept import forget

from ..changes import (
    history_add,
    history_created,
    history_diff,
    require_may_change,
    saved_values,
    snapshot,
)
from ..indicators import INDICATORS_TABLE
from ..models import (
    Child,
    ChildPlan,
    ChronologyEntry,
    Guardian,
    PlanKeepingKind,
    TeamMember,
)
from ..personnummer import birth_date_of, validate_personnummer
from .team import handover_request, team_add

# --- who may keep plans ----------------------------------------------------


def organisation_may_keep_plans(organisation):
    return PlanKeepingKind.objects.filter(kind=organisation.kind).exists()


def plan_keeping_organisations(user):
    """The user's organisations that may open plans."""
    return (
        OrganisationMembership.objects.filter(
            user=user, organisation__kind__in=PlanKeepingKind.objects.values("kind")
        )
        .select_related("organisation")
        .order_by("organisation__name")
    )


# --- opening, the child and the guardians -----------------------------------------------------

CHILD_FIELDS = ["given_name", "family_name", "birth_date", "personnummer"]
GUARDIAN_FIELDS = ["name", "relation", "has_custody", "contact", "email"]


def _clean_personnummer(personnummer, birth_date):
    if not personnummer:
        return ""
    normalized = validate_personnummer(personnummer)
    if birth_date and birth_date_of(normalized) != birth_date:
        raise ValidationError(
            {"personnummer": _("Personnumret stämmer inte med födelsedatumet.")}
        )
    return normalized


@transaction.atomic
def plan_open(
    *, by, organisation, given_name, family_name, birth_date, reason, personnummer="", categories=(),
    part="", contact_person=None,
):
    """Open a plan: register (or find, by personnummer) the child, put the opener on the team
    for ``organisation`` and make them the contact person. If the opener names a colleague
    from the same organisation as ``contact_person``, the colleague joins the team and is
    asked to take the role over (it takes effect when they accept, like any handover)."""
    if contact_person is not None and contact_person.pk != by.pk and not OrganisationMembership.objects.filter(
        user=contact_person, organisation=organisation, user__is_active=True
    ).exists():
        raise ValidationError({"contact_person": _("Kontaktpersonen måste höra till samma organisation.")})
    if not OrganisationMembership.objects.filter(user=by, organisation=organisation).exists():
        raise ValidationError({"organisation": _("Du företräder inte den organisationen.")})
    if not organisation_may_keep_plans(organisation):
        raise ValidationError(
            {"organisation": _("Organisationer av den sorten får inte föra barnets plan.")}
        )
    if birth_date and birth_date > timezone.localdate():
        raise ValidationError({"birth_date": _("Födelsedatumet kan inte ligga i framtiden.")})
    try:
        normalized = _clean_personnummer(personnummer, birth_date)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise ValidationError({"personnummer": exc.messages}) from None
    child = Child.objects.filter(personnummer=normalized).first() if normalized else None
    if child is None:
        child = Child(
            given_name=given_name.strip(), family_name=family_name.strip(), birth_date=birth_date,
            personnummer=normalized,
        )
        child.full_clean()
        try:
            with transaction.atomic():
                child.save()
        except IntegrityError:  # the same personnummer registered at the same moment
            # (the database's message would name the personnummer: never let it reach a log)
            raise ValidationError(_duplicate_plan_message()) from None
    elif ChildPlan.objects.filter(child=child, status=ChildPlan.Status.ACTIVE).exists():
        raise ValidationError(_duplicate_plan_message())
    plan = ChildPlan(
        child=child, owner_organisation=organisation, contact_person=by, opened_by=by, reason=reason.strip()
    )
    plan.full_clean(exclude=["child"], validate_constraints=False)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:  # the database's one-active-plan rule, under a race
        raise ValidationError(_duplicate_plan_message()) from None
    if categories:
        plan.reason_categories.set(categories)
    TeamMember.objects.create(plan=plan, user=by, organisation=organisation, part=part, added_by=by)
    history_add(plan=plan, by=by, what=_("Planen öppnades"))
    if contact_person is not None and contact_person.pk != by.pk:
        team_add(plan=plan, by=by, user=contact_person, organisation=organisation, part=_("Kontaktperson"))
        handover_request(plan=plan, by=by, to_user=contact_person)
    ChronologyEntry.objects.create(
        plan=plan, occurred_on=plan.opened_on, event=_("Barnets plan öppnades."),
        source=str(organisation)[:200], impact=ChronologyEntry.Impact.POSITIVE, recorded_by=by,
    )
    forget(INDICATORS_TABLE)
    return plan


def _duplicate_plan_message():
    return _(
        "Barnet har redan en aktiv plan. Ett barn har bara en plan: be barnets kontaktperson "
        "att lägga till dig i teamet."
    )


@transaction.atomic
def child_update(*, plan, by, **fields):
    require_may_change(plan)
    child = plan.child
    before = snapshot(child, CHILD_FIELDS)
    for name, value in fields.items():
        setattr(child, name, value)
    if child.birth_date and child.birth_date > timezone.localdate():
        raise ValidationError({"birth_date": _("Födelsedatumet kan inte ligga i framtiden.")})
    try:
        child.personnummer = _clean_personnummer(child.personnummer, child.birth_date)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise ValidationError({"personnummer": exc.messages}) from None
    child.full_clean()
    child.save()
    history_diff(plan=plan, by=by, what=_("Barnet"), obj=child, before=before, fields=CHILD_FIELDS)
    return child


@transaction.atomic
def guardian_add(*, plan, by, **fields):
    require_may_change(plan)
    guardian = Guardian(child=plan.child, **fields)
    guardian.full_clean()
    guardian.save()
    history_created(plan=plan, by=by, what=_("Vårdnadshavare tillagd"), obj=guardian, fields=GUARDIAN_FIELDS)
    return guardian


@transaction.atomic
def guardian_update(*, plan, guardian, by, **fields):
    require_may_change(plan)
    before = saved_values(guardian, GUARDIAN_FIELDS)  # the page's ModelForm wrote the new ones on it
    for name, value in fields.items():
        setattr(guardian, name, value)
    guardian.full_clean()
    guardian.save()
    history_diff(plan=plan, by=by, what=_("Vårdnadshavare"), obj=guardian, before=before, fields=GUARDIAN_FIELDS)
    return guardian
