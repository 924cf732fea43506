"""The guardians' consent (issue 19): limited in time and purpose, the organisations it covers."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from networks.models import Organisation
from portal import bounds
from portal.validators import DateWithin

from ..managers import (
    ConsentManager,
    ConsentOrganisationManager,
)
from .plan import ChildPlan, Guardian


class ConsentPurpose(models.TextChoices):
    """What a consent allows the child's data to be used for (issue 19): a fixed list, one
    boolean ``for_<code>`` on ``Consent`` each. A function bound to a purpose asks
    ``Consent.objects.in_force().for_purpose(code)`` (childplans/managers.py)."""

    COORDINATION = "coordination", _("Samordning i barnets team")
    SHARING = "sharing", _("Dela namngivna uppgifter med de valda organisationerna")
    REFERRAL = "referral", _("Hänvisning till nätverkets aktiviteter")
    FAMILY = "family", _("Bjuda in familjen till teamets möten")
    STATISTICS = "statistics", _("Användning i räknad statistik")

    @classmethod
    def field(cls, code):
        """The ``Consent`` field of purpose ``code`` (``for_coordination`` …)."""
        return f"for_{cls(code).value}"


class Consent(models.Model):
    """A guardian's consent: for the listed organisations, for the chosen purposes, from
    ``given_on`` to ``valid_until`` (both included). In force while not withdrawn, not superseded
    by a renewal and today within those dates (``managers.consent_in_force``, the one rule).
    ``needs_confirmation``: carried forward by migration 0007 with a shortened end — the contact
    person should confirm it with the guardian (renew it)."""

    class Method(models.TextChoices):
        WRITTEN = "written", _("Skriftligt")
        VERBAL = "verbal", _("Muntligt")

    plan = models.ForeignKey(ChildPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="consents")
    guardian = models.ForeignKey(
        Guardian, verbose_name=_("vårdnadshavare"), on_delete=models.PROTECT, related_name="consents"
    )
    given_on = models.DateField(_("datum"), validators=[DateWithin("given")])
    valid_until = models.DateField(_("gäller till och med"), validators=[DateWithin("plan")])
    method = models.CharField(_("hur"), max_length=10, choices=Method.choices)
    for_coordination = models.BooleanField(ConsentPurpose.COORDINATION.label, default=False)
    for_sharing = models.BooleanField(ConsentPurpose.SHARING.label, default=False)
    for_referral = models.BooleanField(
        ConsentPurpose.REFERRAL.label, default=False,
        help_text=_(
            "Vårdnadshavarna samtycker också till att barnet eller familjen hänvisas till "
            "organisationerna, med det som hänvisningen delar."
        ),
    )
    for_family = models.BooleanField(ConsentPurpose.FAMILY.label, default=False)
    for_statistics = models.BooleanField(ConsentPurpose.STATISTICS.label, default=False)
    note = models.TextField(
        _("anteckning om ändamålen"), blank=True, max_length=bounds.NOTE,
        validators=[MaxLengthValidator(bounds.NOTE)],
    )
    organisations = models.ManyToManyField(
        Organisation, verbose_name=_("organisationer"), through="ConsentOrganisation", related_name="+"
    )
    needs_confirmation = models.BooleanField(_("behöver bekräftas"), default=False)
    supersedes = models.OneToOneField(
        "self", verbose_name=_("ersätter"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="superseded_by",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registrerat av"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("registrerat"), default=timezone.now)
    withdrawn_on = models.DateField(_("återkallat"), null=True, blank=True, validators=[DateWithin("given")])
    withdrawn_note = models.CharField(_("anteckning om återkallelsen"), max_length=300, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("återkallelse registrerad av"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    objects = ConsentManager()

    PURPOSE_FIELDS = tuple(ConsentPurpose.field(code) for code in ConsentPurpose.values)

    class Meta:
        verbose_name = _("samtycke")
        verbose_name_plural = _("samtycken")
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("given_on")),
                name="consent_withdrawn_after_given",
            ),
            models.CheckConstraint(condition=Q(valid_until__gte=F("given_on")), name="consent_valid_after_given"),
        ]
        indexes = [models.Index(fields=["plan", "valid_until"], name="consent_plan_valid_until")]

    def __str__(self):
        return _("Samtycke %(date)s") % {"date": self.given_on}

    @property
    def is_withdrawn(self):
        return self.withdrawn_on is not None

    @property
    def purposes(self):
        """The purposes this consent covers: ``ConsentPurpose`` members, in the list's order."""
        return [p for p in ConsentPurpose if getattr(self, ConsentPurpose.field(p))]

    @property
    def purpose_labels(self):
        return [p.label for p in self.purposes]



class ConsentOrganisation(models.Model):
    consent = models.ForeignKey(Consent, verbose_name=_("samtycke"), on_delete=models.CASCADE)
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT)

    objects = ConsentOrganisationManager()

    class Meta:
        verbose_name = _("organisation i samtycke")
        verbose_name_plural = _("organisationer i samtycken")
        constraints = [
            models.UniqueConstraint(fields=["consent", "organisation"], name="consentorg_unique"),
        ]
        indexes = [models.Index(fields=["organisation", "consent"], name="consentorg_org_consent")]

    def __str__(self):
        return str(self.organisation)
