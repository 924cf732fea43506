"""The guardians' consent (issue 19): recorded for organisations and purposes from a fixed list,
limited in time, renewed by a consent that supersedes it, withdrawn; and the questions every
path asks of it — does a consent in force cover this organisation (``consent_covers``), this
purpose (``purpose_covered``, ``require_purpose``). Writes follow the package's
rules: keyword-only, ``by``, one transaction, a change to the plan in its history."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.kept import forget
from portal.validators import add_months

from ..changes import (
    history_add,
    require_may_change,
)
from ..hooks import consent_withdrawn_hooks
from ..indicators import INDICATORS_TABLE
from ..models import (
    Action,
    Consent,
    ConsentOrganisation,
    ConsentPurpose,
    TeamMember,
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
