"""Where and who: the län and kommuner (reference data, networks/geography.py), the
organisations and the people who belong to them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.models import TimeStampedModel


class Lan(models.Model):
    code = models.CharField(_("länskod"), max_length=2, unique=True)
    name = models.CharField(_("namn"), max_length=100)

    class Meta:
        verbose_name = _("län")
        verbose_name_plural = _("län")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Kommun(models.Model):
    code = models.CharField(_("kommunkod"), max_length=4, unique=True)
    name = models.CharField(_("namn"), max_length=100)
    lan = models.ForeignKey(Lan, verbose_name=_("län"), on_delete=models.PROTECT, related_name="kommuner")

    class Meta:
        verbose_name = _("kommun")
        verbose_name_plural = _("kommuner")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Organisation(TimeStampedModel):
    class Kind(models.TextChoices):
        KOMMUN = "kommun", _("Kommun")
        REGION = "region", _("Region (hälso- och sjukvård)")
        POLIS = "polis", _("Polis")
        SKOLA = "skola", _("Skola/förskola")
        KYRKA = "kyrka", _("Kyrka/församling")
        IDEELL = "ideell", _("Ideell organisation")
        ANNAN = "annan", _("Annan")

    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("sort"), max_length=10, choices=Kind.choices)
    unit = models.CharField(
        _("förvaltning/enhet"),
        max_length=200,
        blank=True,
        help_text=_("T.ex. socialtjänst eller familjecentral."),
    )
    kommun = models.ForeignKey(
        Kommun, verbose_name=_("kommun"), null=True, blank=True, on_delete=models.PROTECT, related_name="organisations"
    )
    lan = models.ForeignKey(
        Lan,
        verbose_name=_("län"),
        on_delete=models.PROTECT,
        related_name="organisations",
        help_text=_("Sätts från kommunen när en kommun är vald."),
    )
    website = models.URLField(_("webbplats"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="OrganisationMembership", related_name="organisations", blank=True
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")
        ordering = ["name", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["name", "unit", "lan"], name="organisation_unique_name_unit_lan"),
        ]
        indexes = [models.Index(fields=["lan", "kind"], name="organisation_lan_kind")]

    def __str__(self):
        return f"{self.name}, {self.unit}" if self.unit else self.name

    def clean(self):
        if self.kommun_id:
            self.lan_id = self.kommun.lan_id


class OrganisationMembership(models.Model):
    """A person's place in an organisation, with their title there."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE)
    organisation = models.ForeignKey(Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE)
    title = models.CharField(_("titel"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("anställning/uppdrag")
        verbose_name_plural = _("anställningar/uppdrag")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="orgmembership_unique_user_org"),
        ]

    def __str__(self):
        return f"{self.user} – {self.organisation}"
