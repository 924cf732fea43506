"""Gallring's own rows (docs/lifecycle.md): which organisations keep the research sample, the
legal holds that stop gallring of a plan, and the receipts a run leaves (no personal data)."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childplans.models import ChildPlan
from networks.models import Organisation
from portal import bounds


class OrganisationRetention(models.Model):
    """An organisation's choices within the law: whether it keeps the research sample by day
    of birth (SoF 2001:937 7 kap. 2 §). No row: it does not. No child data."""

    organisation = models.OneToOneField(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    research_sample = models.BooleanField(
        _("bevarar forskningsurval"), default=False,
        help_text=_("Handlingar om barn födda vissa dagar i månaden bevaras för forskning (SoF 7 kap. 2 §)."),
    )

    class Meta:
        verbose_name = _("organisationens gallringsval")
        verbose_name_plural = _("organisationernas gallringsval")

    def __str__(self):
        return str(self.organisation_id)


class LegalHold(models.Model):
    """A legal hold (rättslig spärr) on a plan: while in force (not lifted) the plan is not
    removed, whatever its date. At most one in force per plan (a constraint)."""

    class Reason(models.TextChoices):
        DOCUMENT_REQUEST = "begaran", _("Begäran om allmän handling")
        INQUIRY = "utredning", _("Pågående utredning")
        APPEAL = "overklagande", _("Överklagande eller tvist")
        OTHER = "annat", _("Annat")

    plan = models.ForeignKey(ChildPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="+")
    reason_category = models.CharField(_("skäl"), max_length=20, choices=Reason.choices)
    reason = models.TextField(
        _("motivering"), max_length=bounds.NOTE, validators=[MaxLengthValidator(bounds.NOTE)]
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("satt av"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(_("satt"), default=timezone.now)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("hävd av"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    lifted_at = models.DateTimeField(_("hävd"), null=True, blank=True)
    lift_reason = models.TextField(
        _("skäl att häva"), blank=True, max_length=bounds.NOTE, validators=[MaxLengthValidator(bounds.NOTE)]
    )

    class Meta:
        verbose_name = _("rättslig spärr")
        verbose_name_plural = _("rättsliga spärrar")
        ordering = ["-set_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan"], condition=Q(lifted_at__isnull=True), name="legalhold_one_in_force"),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True) | ~Q(lift_reason=""), name="legalhold_lifted_has_reason"
            ),
        ]

    def __str__(self):
        return self.get_reason_category_display()

    @property
    def in_force(self):
        return self.lifted_at is None


class GallringReceipt(models.Model):
    """What a gallring run removed for one plan: the rule, the plan's number (never the child),
    when, and how many rows of each model. No personal data; kept after the plan is gone."""

    rule = models.CharField(_("regel"), max_length=100)
    plan_number = models.BigIntegerField(_("plannummer"), unique=True)
    removed_at = models.DateTimeField(_("gallrad"), default=timezone.now)
    counts = models.JSONField(_("antal rader"), default=dict)

    class Meta:
        verbose_name = _("gallringskvitto")
        verbose_name_plural = _("gallringskvitton")
        ordering = ["-removed_at", "-pk"]

    def __str__(self):
        return f"{self.plan_number} {self.removed_at:%Y-%m-%d}"
