"""Writes to plans. Keyword-only arguments and the acting user (``by``); ``full_clean``;
``transaction.atomic``; ``ValidationError`` with a Swedish message, and then nothing is
changed. Every change is a change to a plan (``childplans/changes.py``): it is refused on a plan
that may no longer change, and written to the plan's history (``PlanChange``: who, what, old and
new value). The request's audit row is written by the page's base view around the view, in the
same transaction. E-mails go through the outbox and carry only a link (docs/security.md 7)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from networks.models import OrganisationMembership
from portal.kept import forget
from portal.outbox import outbox_add
from portal.validators import add_months

from .changes import (
    history_add,
    history_created,
    history_diff,
    require_may_change,
    saved_values,
    snapshot,
)
from .hooks import consent_withdrawn_hooks, plan_closed_hooks
from .models import (
    NEED_RANK,
    Action,
    Area,
    Assessment,
    Child,
    ChildPlan,
    ChronologyEntry,
    Consent,
    ConsentOrganisation,
    ConsentPurpose,
    ContactHandover,
    Goal,
    Guardian,
    Need,
    PlanKeepingKind,
    PlanVoice,
    Review,
    TeamMember,
)
from .personnummer import birth_date_of, validate_personnummer

# The indicators page's kept table (portal/kept.py) counts active plans and held reviews: the
# services that change either forget it.
INDICATORS_TABLE = "childplans.indicators"

# --- who may keep plans, consent coverage ----------------------------------------------------


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


def consent_covers(plan, organisation_id):
    """The owning organisation needs no consent; every other one needs a consent in force."""
    if organisation_id == plan.owner_organisation_id:
        return True
    return ConsentOrganisation.objects.in_force().filter(consent__plan=plan, organisation_id=organisation_id).exists()


PURPOSE_REFUSED = {
    ConsentPurpose.REFERRAL: gettext_lazy(
        "Inget samtycke som gäller nu omfattar hänvisning. Registrera eller förnya samtycket först."
    ),
    ConsentPurpose.FAMILY: gettext_lazy(
        "Inget samtycke som gäller nu omfattar att bjuda in familjen till teamets möten. "
        "Registrera eller förnya samtycket först."
    ),
    ConsentPurpose.STATISTICS: gettext_lazy("Inget samtycke som gäller nu omfattar användning i statistik."),
}


def purpose_covered(plan, purpose):
    """Whether a consent in force on ``plan`` covers ``purpose`` (``ConsentPurpose``): the one
    question a function bound to a purpose asks (issue 19)."""
    return Consent.objects.for_purpose(purpose).filter(plan_id=plan.pk).exists()


def require_purpose(plan, purpose, field=None):
    """Refuse (a ValidationError with a Swedish message, on ``field`` if given) when no consent
    in force on ``plan`` covers ``purpose``."""
    if not purpose_covered(plan, purpose):
        message = PURPOSE_REFUSED[ConsentPurpose(purpose)]
        raise ValidationError({field: message} if field else message)


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


# --- consent and team -------------------------------------------------------------------------


# The purposes a consent recorded the old way (free text, ``purposes="…"``) covers: what such a
# consent meant before purposes were chosen from a list (migration 0007 carries stored ones the same way).
LEGACY_PURPOSES = (ConsentPurpose.COORDINATION, ConsentPurpose.SHARING, ConsentPurpose.FAMILY)


def consent_default_until(given_on):
    """The valid-until date the form proposes: ``CONSENT_DEFAULT_MONTHS`` after ``given_on``."""
    return add_months(given_on, settings.CONSENT_DEFAULT_MONTHS)


def consent_latest_until(given_on):
    """The latest valid-until date a consent given on ``given_on`` may have (``CONSENT_MAX_MONTHS``)."""
    return add_months(given_on, settings.CONSENT_MAX_MONTHS)


def consent_check_until(given_on, valid_until):
    """The rule on a consent's end, the one function the form and the service ask: not before it
    was given, not already passed, at most ``CONSENT_MAX_MONTHS`` after it was given. Raises a
    ValidationError on ``valid_until``."""
    if valid_until < given_on:
        raise ValidationError({"valid_until": _("Samtycket kan inte gälla till ett datum före den dag det lämnades.")})
    if valid_until < timezone.localdate():
        raise ValidationError({"valid_until": _("Slutdatumet har redan passerat. Ett samtycke som har upphört registreras inte.")})
    latest = consent_latest_until(given_on)
    if valid_until > latest:
        raise ValidationError({"valid_until": _(
            "Ett samtycke kan gälla högst %(months)s månader, till och med %(latest)s. Förnya det därefter."
        ) % {"months": settings.CONSENT_MAX_MONTHS, "latest": latest.isoformat()}})


@transaction.atomic
def consent_record(
    *, plan, by, guardian, given_on, method, organisations, purposes=(), valid_until=None, note="",
    allows_referral=False, supersedes=None,
):
    """Record a guardian's consent for ``organisations``, for ``purposes`` (``ConsentPurpose``
    codes), from ``given_on`` to ``valid_until`` (default ``consent_default_until``).
    ``allows_referral=True`` adds the referral purpose. ``supersedes``: the consent this one
    renews (``consent_renew``): from now on only the new one is in force.

    Callers written before purposes were a list may still pass ``purposes`` as free text: it is
    kept as the ``note`` and the consent covers ``LEGACY_PURPOSES`` (what such a consent meant)."""
    require_may_change(plan)
    if isinstance(purposes, str):
        note = note or purposes
        purposes = LEGACY_PURPOSES
    codes = {ConsentPurpose(p).value for p in purposes}
    if allows_referral:
        codes.add(ConsentPurpose.REFERRAL.value)
    if guardian.child_id != plan.child_id:
        raise ValidationError({"guardian": _("Välj en av barnets vårdnadshavare.")})
    if not guardian.has_custody:
        raise ValidationError({"guardian": _("Samtycket måste lämnas av en vårdnadshavare med vårdnad.")})
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("Datumet kan inte ligga i framtiden.")})
    organisations = list(organisations)
    if not organisations:
        raise ValidationError({"organisations": _("Välj minst en organisation som samtycket gäller.")})
    if not codes:
        raise ValidationError({"purposes": _("Välj minst ett ändamål som samtycket gäller.")})
    if valid_until is None:
        valid_until = consent_default_until(given_on)
    consent_check_until(given_on, valid_until)
    if supersedes is not None:
        supersedes = Consent.objects.select_for_update().filter(pk=supersedes.pk, plan_id=plan.pk).first()
        if supersedes is None:
            raise ValidationError(_("Samtycket hör inte till planen."))
        if supersedes.is_withdrawn:
            raise ValidationError(_("Ett återkallat samtycke kan inte förnyas. Registrera ett nytt samtycke."))
        if Consent.objects.filter(supersedes_id=supersedes.pk).exists():
            raise ValidationError(_("Samtycket är redan förnyat."))
    consent = Consent(
        plan=plan, guardian=guardian, given_on=given_on, valid_until=valid_until, method=method,
        note=(note or "").strip(), recorded_by=by, supersedes=supersedes,
        **{ConsentPurpose.field(code): code in codes for code in ConsentPurpose.values},
    )
    consent.full_clean()
    consent.save()
    ConsentOrganisation.objects.bulk_create(
        [ConsentOrganisation(consent=consent, organisation=o) for o in organisations]
    )
    forget(INDICATORS_TABLE)  # which plans count depends on consents (childplans.selectors.indicators)
    what = _("Samtycke förnyat") if supersedes is not None else _("Samtycke registrerat")
    history_add(plan=plan, by=by, what=what, field=_("organisationer"), new=", ".join(str(o) for o in organisations))
    history_add(plan=plan, by=by, what=what, field=_("ändamål"), new=", ".join(str(p) for p in consent.purpose_labels))
    history_add(
        plan=plan, by=by, what=what, field=_("gäller till och med"),
        old=supersedes.valid_until.isoformat() if supersedes is not None else "", new=valid_until.isoformat(),
    )
    return consent


@transaction.atomic
def consent_renew(*, plan, by, consent, given_on, method, valid_until=None, purposes=None, organisations=None,
                  guardian=None, note=None):
    """Renew ``consent``: a new consent (by default the same guardian, organisations, purposes and
    note) that supersedes it. The old one stays, readable in the plan's history, no longer in force."""
    if consent.plan_id != plan.pk:
        raise ValidationError(_("Samtycket hör inte till planen."))
    return consent_record(
        plan=plan, by=by, guardian=guardian if guardian is not None else consent.guardian, given_on=given_on,
        method=method, valid_until=valid_until,
        purposes=[p.value for p in consent.purposes] if purposes is None else purposes,
        organisations=list(consent.organisations.all()) if organisations is None else organisations,
        note=consent.note if note is None else note, supersedes=consent,
    )


@transaction.atomic
def consent_withdraw(*, plan, consent, by, withdrawn_on, note=""):
    """Record a withdrawal. Members of organisations no longer covered by any consent in force
    leave the team at once (they get 404 from the next request), and the apps on the plan react
    in the same transaction (``consent_withdrawn_hooks``: the referrals close the open referrals
    no consent covers any more). Returns the members who left the team."""
    require_may_change(plan)
    if consent.plan_id != plan.pk:
        raise ValidationError(_("Samtycket hör inte till planen."))
    if consent.is_withdrawn:
        raise ValidationError(_("Samtycket är redan återkallat."))
    if Consent.objects.filter(supersedes_id=consent.pk).exists():
        raise ValidationError(_("Samtycket har ersatts av ett förnyat samtycke. Återkalla det nya."))
    if withdrawn_on > timezone.localdate():
        raise ValidationError({"withdrawn_on": _("Datumet kan inte ligga i framtiden.")})
    if withdrawn_on < consent.given_on:
        raise ValidationError({"withdrawn_on": _("Återkallelsen kan inte ligga före samtycket.")})
    consent.withdrawn_on = withdrawn_on
    consent.withdrawn_note = note.strip()
    consent.withdrawn_by = by
    consent.full_clean()
    consent.save(update_fields=["withdrawn_on", "withdrawn_note", "withdrawn_by"])
    still_covered = set(
        ConsentOrganisation.objects.in_force().filter(consent__plan=plan).values_list("organisation_id", flat=True)
    )
    lost = (
        set(consent.organisations.values_list("pk", flat=True)) - still_covered - {plan.owner_organisation_id}
    )
    removed = list(
        TeamMember.objects.current().filter(plan=plan, organisation_id__in=lost).select_related("user", "organisation")
    )
    if removed:
        TeamMember.objects.filter(pk__in=[m.pk for m in removed]).update(
            removed_at=timezone.now(), removed_because=TeamMember.RemovedBecause.CONSENT_WITHDRAWN
        )
        Action.objects.filter(
            plan=plan, responsible_person_id__in=[m.user_id for m in removed], status__in=Action.OPEN_STATUSES
        ).exclude(
            responsible_person_id__in=TeamMember.objects.current().filter(plan=plan).values("user_id")
        ).update(responsible_person=None)
    history_add(
        plan=plan, by=by, what=_("Samtycke återkallat"), field=_("borttagna ur teamet"),
        old=", ".join(str(m) for m in removed),
    )
    for hook in consent_withdrawn_hooks:
        hook(plan=plan, consent=consent, by=by)
    forget(INDICATORS_TABLE)
    return removed


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


# --- assessment, voice, goals, actions ---------------------------------------------------------


@transaction.atomic
def assessment_record(*, plan, by, assessed_on, areas):
    """``areas``: {area: {"need": Need, "seen": text, "seen_by": text}} for all eight areas."""
    require_may_change(plan)
    if assessed_on > timezone.localdate():
        raise ValidationError({"assessed_on": _("Bedömningsdatumet kan inte ligga i framtiden.")})
    clean = {}
    for area in Area.values:
        entry = areas.get(area) or {}
        need = entry.get("need")
        if need not in Need.values:
            raise ValidationError(_("Ange behovet för alla åtta områden."))
        clean[area] = {
            "need": need,
            "seen": (entry.get("seen") or "").strip(),
            "seen_by": (entry.get("seen_by") or "").strip(),
        }
    assessment = Assessment.objects.create(plan=plan, assessed_on=assessed_on, assessed_by=by, areas=clean)
    history_add(
        plan=plan, by=by, what=_("Ny bedömning"), field=_("bedömningsdatum"), new=str(assessed_on)
    )
    return assessment


def movement(latest, previous):
    """Per area: "better", "worse", "same" or "" (no previous assessment), by need level."""
    result = {}
    for area in Area.values:
        now = (latest or {}).get(area, {}).get("need")
        before = (previous or {}).get(area, {}).get("need")
        if now is None or before is None:
            result[area] = ""
        elif NEED_RANK[now] < NEED_RANK[before]:
            result[area] = "better"
        elif NEED_RANK[now] > NEED_RANK[before]:
            result[area] = "worse"
        else:
            result[area] = "same"
    return result


@transaction.atomic
def voice_save(*, plan, by, child_voice, guardians_views):
    require_may_change(plan)
    voice = PlanVoice.objects.filter(plan=plan, version=plan.version).first()
    if voice is None:
        voice = PlanVoice(plan=plan, version=plan.version, recorded_by=by)
        before = {"child_voice": "", "guardians_views": ""}
    else:
        before = snapshot(voice, ["child_voice", "guardians_views"])
    voice.child_voice = child_voice.strip()
    voice.guardians_views = guardians_views.strip()
    voice.recorded_by = by
    voice.updated_at = timezone.now()
    voice.full_clean()
    voice.save()
    history_diff(
        plan=plan, by=by, what=_("Barnets röst och vårdnadshavarnas synpunkter, version %(n)s") % {"n": plan.version},
        obj=voice, before=before, fields=["child_voice", "guardians_views"],
    )
    return voice


GOAL_FIELDS = ["area", "description"]
ACTION_FIELDS = ["goal", "what", "responsible_organisation", "responsible_person", "starts_on", "due_on",
                 "status", "follow_up"]


@transaction.atomic
def goal_add(*, plan, by, area, description):
    require_may_change(plan)
    goal = Goal(plan=plan, area=area, description=description.strip())
    goal.full_clean()
    goal.save()
    history_created(plan=plan, by=by, what=_("Nytt mål"), obj=goal, fields=GOAL_FIELDS)
    return goal


def _check_action(plan, action):
    errors = {}
    if action.goal_id and action.goal.plan_id != plan.pk:
        errors["goal"] = _("Välj ett av planens mål.")
    if action.starts_on and action.due_on and action.due_on < action.starts_on:
        errors["due_on"] = _("Slutdatumet kan inte ligga före startdatumet.")
    if action.responsible_person_id and not TeamMember.objects.current().filter(
        plan=plan, user_id=action.responsible_person_id
    ).exists():
        errors["responsible_person"] = _("Den ansvariga personen måste vara med i teamet.")
    if action.responsible_organisation_id and not consent_covers(plan, action.responsible_organisation_id):
        errors["responsible_organisation"] = _("Inget samtycke omfattar den organisationen.")
    if errors:
        raise ValidationError(errors)


def _notify_responsible(action, by):
    """Tell the person responsible for an action that it is new or changed, unless they made the
    change themselves: a notice (actions), so in their digest or at once as they chose."""
    if action.responsible_person_id and action.responsible_person_id != by.pk and action.is_open:
        outbox_add(kind="plan_action_assigned", recipient=action.responsible_person.email,
                   object_key=f"action:{action.pk}", period=timezone.now().isoformat())


@transaction.atomic
def action_add(*, plan, by, **fields):
    require_may_change(plan)
    action = Action(plan=plan, **fields)
    _check_action(plan, action)
    action.full_clean()
    action.save()
    history_created(plan=plan, by=by, what=_("Ny insats"), obj=action, fields=ACTION_FIELDS)
    _notify_responsible(action, by)
    return action


@transaction.atomic
def action_update(*, plan, action, by, **fields):
    require_may_change(plan)
    if action.plan_id != plan.pk:
        raise ValidationError(_("Insatsen hör inte till planen."))
    before = saved_values(action, ACTION_FIELDS)  # the page's ModelForm wrote the new ones on it
    for name, value in fields.items():
        setattr(action, name, value)
    _check_action(plan, action)
    action.full_clean()
    action.save()
    if history_diff(plan=plan, by=by, what=_("Insats"), obj=action, before=before, fields=ACTION_FIELDS):
        _notify_responsible(action, by)
    return action


@transaction.atomic
def action_complete(*, plan, action, by, follow_up=""):
    """Mark an open action done, with a follow-up note (a referral's follow-up action when the
    referral moves on). Only the status and the note change, so it is allowed whoever is
    responsible now; an action already done or cancelled is left as it is (returns None)."""
    require_may_change(plan)
    if action.plan_id != plan.pk:
        raise ValidationError(_("Insatsen hör inte till planen."))
    action = Action.objects.select_for_update().filter(pk=action.pk, status__in=Action.OPEN_STATUSES).first()
    if action is None:
        return None
    before = snapshot(action, ACTION_FIELDS)
    action.status = Action.Status.DONE
    action.follow_up = (follow_up or "").strip()
    action.full_clean(exclude=[f.name for f in Action._meta.fields if f.name not in ("status", "follow_up")])
    action.save(update_fields=["status", "follow_up"])
    history_diff(plan=plan, by=by, what=_("Insats"), obj=action, before=before, fields=ACTION_FIELDS)
    return action


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
