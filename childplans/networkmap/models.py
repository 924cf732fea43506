"""Nätverkskarta (issue 5): the adults around a child, drawn as an eco-map, kept over time as
dated versions, network meetings and familjeråd, and costly actions that need the network
explored first. Part of barnets plan: every row hangs off a ``ChildPlan`` and is reached only
through the plan (``childplans.access.get_plan_for_user_or_404``). Nothing here is in the admin;
contact details (``phone``, ``contact``) never leave the plan's pages."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childplans.models import Action, ChildPlan
from portal import bounds
from portal.models import TimeStampedModel, tel_uri
from portal.validators import DateWithin


class Sector(models.TextChoices):
    """One sector of the map per kind of relation (in drawing order, clockwise from the top)."""

    FAMILY = "familj", _("Familj")
    RELATIVES = "slakt", _("Släkt")
    FRIENDS = "vanner", _("Vänner")
    SCHOOL = "skola", _("Skola/förskola")
    LEISURE = "fritid", _("Fritid")
    PROFESSIONALS = "professionella", _("Professionella")
    OTHER_ADULTS = "andra", _("Andra vuxna")


class Closeness(models.IntegerChoices):
    """The three circles, counted from the child outwards."""

    CLOSEST = 1, _("Närmast")
    CLOSE = 2, _("Nära")
    FURTHER = 3, _("Längre ifrån")


class Quality(models.TextChoices):
    """How the child sees the relation."""

    POSITIVE = "positive", _("Positiv")
    MIXED = "mixed", _("Blandad")
    STRAINED = "strained", _("Ansträngd")


class MapPerson(TimeStampedModel):
    """A person on the child's network map. ``left_on`` set: no longer in the child's life
    (kept, with its history, but not drawn)."""

    plan = models.ForeignKey(
        ChildPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="map_people"
    )
    name = models.CharField(_("namn"), max_length=120)
    relation = models.CharField(
        _("relation"), max_length=80, help_text=_("Till exempel mamma, mormor, granne, tränare, lärare.")
    )
    sector = models.CharField(_("sektor"), max_length=20, choices=Sector.choices)
    closeness = models.PositiveSmallIntegerField(_("hur nära"), choices=Closeness.choices)
    quality = models.CharField(_("hur barnet ser relationen"), max_length=10, choices=Quality.choices)
    support_practical = models.BooleanField(_("praktiskt stöd"), default=False)
    support_emotional = models.BooleanField(_("känslomässigt stöd"), default=False)
    can_step_in = models.BooleanField(_("kan träda in vid akut behov"), default=False)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    contact = models.CharField(_("andra kontaktuppgifter"), max_length=300, blank=True)
    named_by_child = models.BooleanField(_("barnet nämnde personen själv"), default=False)
    left_on = models.DateField(
        _("inte längre i barnets liv sedan"), null=True, blank=True, validators=[DateWithin("given")],
    )
    left_note = models.CharField(_("anteckning"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("person på nätverkskartan")
        verbose_name_plural = _("personer på nätverkskartan")
        ordering = ["closeness", "sector", "name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(closeness__in=[1, 2, 3]), name="mapperson_closeness_three_circles"),
            models.CheckConstraint(condition=~Q(name=""), name="mapperson_has_name"),
            models.CheckConstraint(
                condition=Q(sector__in=[c for c, _label in Sector.choices]), name="mapperson_sector_known"
            ),
        ]
        indexes = [models.Index(fields=["plan", "left_on"], name="mapperson_plan_left")]

    def __str__(self):
        return f"{self.name} ({self.relation})"

    @property
    def phone_uri(self):
        return tel_uri(self.phone)

    @property
    def is_current(self):
        return self.left_on is None


class MapVersion(models.Model):
    """The map saved as a dated version at a phase. ``people`` is a snapshot (no contact
    details): ``[{"id", "name", "relation", "sector", "closeness", "quality", "can_step_in",
    "support_practical", "support_emotional", "named_by_child"}]`` of the current people."""

    class Phase(models.TextChoices):
        FIRST_CONTACT = "forsta_kontakt", _("Första kontakt")
        INVESTIGATION = "utredning", _("Utredning")
        MEASURES = "insatser", _("Insatser")
        REVIEW = "uppfoljning", _("Uppföljning")

    class ChildTookPart(models.TextChoices):
        YES = "ja", _("Ja")
        PARTLY = "delvis", _("Delvis")
        NO = "nej", _("Nej")

    plan = models.ForeignKey(
        ChildPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="map_versions"
    )
    phase = models.CharField(_("fas"), max_length=20, choices=Phase.choices)
    saved_on = models.DateField(_("datum"), default=timezone.localdate, validators=[DateWithin("given")])
    child_took_part = models.CharField(_("barnet var med och gjorde kartan"), max_length=10,
                                       choices=ChildTookPart.choices)
    child_part_how = models.TextField(
        _("hur barnet var med"), blank=True, help_text=_("Till exempel: ritade själv, berättade, ville inte."),
        max_length=bounds.NOTE, validators=[MaxLengthValidator(bounds.NOTE)],
    )
    people = models.JSONField(_("personer"), default=list)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sparad av"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)

    class Meta:
        verbose_name = _("version av nätverkskartan")
        verbose_name_plural = _("versioner av nätverkskartan")
        ordering = ["-saved_on", "-pk"]
        indexes = [models.Index(fields=["plan", "-saved_on", "-id"], name="mapversion_plan_saved")]

    def __str__(self):
        return f"{self.get_phase_display()} {self.saved_on}"


class NetworkMeeting(models.Model):
    """A network meeting or a familjeråd (family group conference) about the child."""

    class Kind(models.TextChoices):
        NETWORK_MEETING = "natverksmote", _("Nätverksmöte")
        FAMILY_COUNCIL = "familjerad", _("Familjeråd")

    plan = models.ForeignKey(
        ChildPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="network_meetings"
    )
    held_on = models.DateField(_("datum"), validators=[DateWithin("given")])
    kind = models.CharField(_("slag"), max_length=20, choices=Kind.choices)
    participants = models.ManyToManyField(
        MapPerson, verbose_name=_("deltagare från kartan"), related_name="meetings", blank=True
    )
    other_participants = models.TextField(
        _("andra deltagare"), blank=True, help_text=_("Till exempel professionella i teamet."),
        max_length=bounds.NOTE, validators=[MaxLengthValidator(bounds.NOTE)],
    )
    agreements = models.TextField(
        _("vad man kom överens om"), blank=True, max_length=bounds.TEXT,
        validators=[MaxLengthValidator(bounds.TEXT)],
    )
    actions = models.ManyToManyField(
        Action, verbose_name=_("insatser som följer"), related_name="network_meetings", blank=True
    )
    # --- familjeråd ------------------------------------------------------------------------
    coordinator_name = models.CharField(_("neutral samordnare"), max_length=120, blank=True)
    guardians_consent = models.BooleanField(_("vårdnadshavarna har samtyckt"), default=False)
    child_consent = models.BooleanField(_("barnet har samtyckt (från 15 år)"), default=False)
    questions = models.TextField(
        _("frågor till familjen"), blank=True, help_text=_("3–5 frågor som familjen ska besvara, en per rad."),
        max_length=bounds.NOTE, validators=[MaxLengthValidator(bounds.NOTE)],
    )
    invitees_chosen_by_child = models.ManyToManyField(
        MapPerson, verbose_name=_("inbjudna som barnet valde"), related_name="+", blank=True
    )
    support_person = models.ForeignKey(
        MapPerson, verbose_name=_("stödperson för barnet"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    information_part = models.TextField(
        _("informationsdelen"), blank=True, max_length=bounds.NOTE, validators=[MaxLengthValidator(bounds.NOTE)],
    )
    family_own_time = models.BooleanField(_("familjen hade egen tid"), default=False)
    family_plan = models.TextField(
        _("familjens plan"), blank=True, max_length=bounds.TEXT, validators=[MaxLengthValidator(bounds.TEXT)],
    )
    family_plan_approved = models.BooleanField(_("familjens plan presenterades och godkändes"), default=False)
    follow_up_on = models.DateField(
        _("uppföljande familjeråd"), null=True, blank=True, validators=[DateWithin("plan")],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("antecknat av"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)

    class Meta:
        verbose_name = _("nätverksmöte")
        verbose_name_plural = _("nätverksmöten")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(follow_up_on__isnull=True) | Q(follow_up_on__gt=F("held_on")),
                name="networkmeeting_follow_up_after",
            ),
        ]
        indexes = [models.Index(fields=["plan", "-held_on"], name="networkmeeting_plan_held")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.held_on}"

    @property
    def question_list(self):
        return [q.strip() for q in self.questions.splitlines() if q.strip()]


class CostlyAction(models.Model):
    """An action marked as costly (e.g. placement outside the home). When it was marked the
    portal checked whether the network had been explored; if not, a reason is required."""

    action = models.OneToOneField(
        Action, verbose_name=_("insats"), on_delete=models.CASCADE, related_name="costly"
    )
    plan = models.ForeignKey(ChildPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="+")
    network_explored = models.BooleanField(_("nätverket var utforskat"))
    reason = models.TextField(
        _("skäl till att nätverket inte utforskades"), blank=True, max_length=bounds.NOTE,
        validators=[MaxLengthValidator(bounds.NOTE)],
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("markerad av"), on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(_("markerad"), default=timezone.now)

    class Meta:
        verbose_name = _("kostsam insats")
        verbose_name_plural = _("kostsamma insatser")
        constraints = [
            models.CheckConstraint(
                condition=Q(network_explored=True) | ~Q(reason=""), name="costlyaction_reason_if_not_explored"
            ),
        ]

    def __str__(self):
        return str(self.action)
