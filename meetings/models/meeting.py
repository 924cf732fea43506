"""A meeting, its topics, the network's defaults and the agenda; the one-click tokens' helpers (``meetings.models``)."""

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from networks.models import Network
from networks.terms import term_for, term_label
from portal import bounds
from portal.models import TimeStampedModel
from portal.validators import DateWithin

DEFAULT_COST_NOTE = "Kostnadsfritt. Deltagarna står själva för sina resekostnader."
DEFAULT_REMIND_UNANSWERED_DAYS = 3
DEFAULT_REMIND_ATTENDING_DAYS = 1


def new_token():
    """A fresh unguessable token (256 bits) and its hash (what the database keeps)."""
    raw = secrets.token_urlsafe(32)
    return raw, hash_token(raw)


def hash_token(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


class Topic(models.Model):
    """A subject a meeting can be about; administrators extend the list in the admin."""

    name = models.CharField(_("namn"), max_length=100, unique=True)
    description = models.CharField(_("beskrivning"), max_length=300, blank=True)
    is_active = models.BooleanField(_("kan väljas"), default=True)

    class Meta:
        verbose_name = _("ämne")
        verbose_name_plural = _("ämnen")
        ordering = ["name"]

    def __str__(self):
        return self.name


class NetworkMeetingDefaults(models.Model):
    """Per network: when reminders go out and the default cost note for new meetings."""

    network = models.OneToOneField(
        Network, verbose_name=_("nätverk"), on_delete=models.CASCADE, related_name="meeting_defaults"
    )
    remind_unanswered_days = models.PositiveSmallIntegerField(
        _("påminn den som inte svarat, dagar före sista svarsdag"), default=DEFAULT_REMIND_UNANSWERED_DAYS
    )
    remind_attending_days = models.PositiveSmallIntegerField(
        _("påminn den som kommer, dagar före mötet"), default=DEFAULT_REMIND_ATTENDING_DAYS
    )
    cost_note = models.TextField(
        _("kostnad"), default=DEFAULT_COST_NOTE, max_length=bounds.NOTE,
        validators=[MaxLengthValidator(bounds.NOTE)],
    )

    class Meta:
        verbose_name = _("standardinställningar för möten")
        verbose_name_plural = _("standardinställningar för möten")

    def __str__(self):
        return str(self.network)


class MeetingQuerySet(models.QuerySet):
    def upcoming(self):
        return self.filter(ends_at__gte=timezone.now()).exclude(status=Meeting.Status.CANCELLED)


class Meeting(TimeStampedModel):
    class Kind(models.TextChoices):
        NETWORK = "natverkstraff", _("Nätverksträff")
        TRAINING = "fortbildning", _("Fortbildning")
        REFERENCE = "referensgrupp", _("Referensgrupp")
        STEERING = "styrgrupp", _("Styrgrupp")
        OTHER = "annat", _("Annat")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planerat")
        CANCELLED = "cancelled", _("Inställt")
        CLOSED = "closed", _("Avslutat")

    class Term(models.TextChoices):
        VT = "VT", _("VT (vårtermin)")
        HT = "HT", _("HT (hösttermin)")

    network = models.ForeignKey(
        Network, verbose_name=_("nätverk"), on_delete=models.CASCADE, related_name="meetings"
    )
    title = models.CharField(_("rubrik"), max_length=200)
    kind = models.CharField(_("sort"), max_length=20, choices=Kind.choices, default=Kind.NETWORK)
    topics = models.ManyToManyField(Topic, verbose_name=_("ämnen"), blank=True, related_name="meetings")
    starts_at = models.DateTimeField(_("börjar"), validators=[DateWithin("meeting")])
    ends_at = models.DateTimeField(_("slutar"), validators=[DateWithin("meeting")])
    place = models.CharField(_("plats (adress)"), max_length=300, blank=True)
    video_url = models.URLField(_("videolänk"), blank=True)
    description = models.TextField(
        _("beskrivning"), blank=True, max_length=bounds.TEXT, validators=[MaxLengthValidator(bounds.TEXT)],
    )
    rsvp_deadline = models.DateField(_("sista svarsdag"), null=True, blank=True, validators=[DateWithin("meeting")])
    capacity = models.PositiveIntegerField(
        _("antal platser"), null=True, blank=True, help_text=_("Lämna tomt om antalet inte är begränsat."),
        validators=[MinValueValidator(1, _("Minst en plats, eller lämna tomt om antalet inte är begränsat."))],
    )
    cost_note = models.TextField(
        _("kostnad"), default=DEFAULT_COST_NOTE, max_length=bounds.NOTE,
        validators=[MaxLengthValidator(bounds.NOTE)],
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    sequence = models.PositiveIntegerField(
        _("version (kalender)"), default=0, help_text=_("Ökar när tid eller plats ändras (iCalendar SEQUENCE).")
    )
    remind_unanswered_days = models.PositiveSmallIntegerField(
        _("påminn den som inte svarat, dagar före sista svarsdag"), default=DEFAULT_REMIND_UNANSWERED_DAYS
    )
    remind_attending_days = models.PositiveSmallIntegerField(
        _("påminn den som kommer, dagar före mötet"), default=DEFAULT_REMIND_ATTENDING_DAYS
    )
    term = models.CharField(_("termin"), max_length=2, choices=Term.choices, editable=False)
    term_year = models.PositiveSmallIntegerField(_("år"), editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("skapat av"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    invitations_sent_at = models.DateTimeField(_("inbjudningar skickade"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("inställt"), null=True, blank=True)
    closed_at = models.DateTimeField(_("avslutat"), null=True, blank=True)
    # A meeting series' occurrence (issue 21): the series and the occurrence's original start
    # (iCalendar RECURRENCE-ID), which stays when the occurrence is moved.
    series = models.ForeignKey(
        "MeetingSeries", verbose_name=_("serie"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="meetings",
    )
    recurrence_id = models.DateTimeField(
        _("ursprunglig start (i serien)"), null=True, blank=True, editable=False,
        help_text=_("Förekomstens ursprungliga start: iCalendar RECURRENCE-ID."),
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("möte")
        verbose_name_plural = _("möten")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gt=0), name="meeting_capacity_positive"
            ),
            models.CheckConstraint(condition=Q(term__in=["VT", "HT"]), name="meeting_term_valid"),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False) | ~Q(status="cancelled"),
                name="meeting_cancelled_has_time",
            ),
            models.UniqueConstraint(
                fields=["series", "recurrence_id"], condition=Q(series__isnull=False),
                name="meeting_one_per_series_recurrence",
            ),
            models.CheckConstraint(
                condition=Q(series__isnull=True) | Q(recurrence_id__isnull=False),
                name="meeting_series_has_recurrence_id",
            ),
        ]
        indexes = [
            models.Index(fields=["network", "starts_at"], name="meeting_network_starts"),
            models.Index(fields=["network", "term_year", "term"], name="meeting_network_term"),
            models.Index(fields=["status", "starts_at"], name="meeting_status_starts"),
        ]

    def __str__(self):
        return f"{self.title} ({timezone.localtime(self.starts_at):%Y-%m-%d})" if self.starts_at else self.title

    def save(self, *args, **kwargs):
        self.set_term()
        super().save(*args, **kwargs)

    def set_term(self):
        if self.starts_at:
            self.term, self.term_year = term_for(timezone.localtime(self.starts_at).date())

    @property
    def term_label(self):
        return term_label(self.term, self.term_year)

    @property
    def local_start(self):
        return timezone.localtime(self.starts_at)

    @property
    def local_end(self):
        return timezone.localtime(self.ends_at)

    @property
    def is_over(self):
        return self.ends_at < timezone.now()

    @property
    def is_open_for_answers(self):
        return self.status == self.Status.PLANNED and not self.is_over

    @property
    def uid(self):
        """Stable iCalendar UID: the same for every version of the meeting."""
        return f"meeting-{self.pk}@barnstodsportalen.se"

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("Mötet måste sluta efter att det börjar.")
        if self.rsvp_deadline and self.starts_at and self.rsvp_deadline > timezone.localtime(self.starts_at).date():
            errors["rsvp_deadline"] = _("Sista svarsdag kan inte vara efter mötesdagen.")
        if not self.place and not self.video_url:
            errors["place"] = _("Ange en plats, en videolänk eller båda.")
        if errors:
            raise ValidationError(errors)
        self.set_term()


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name=_("möte"), on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveSmallIntegerField(_("ordning"))
    title = models.CharField(_("punkt"), max_length=200)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ansvarig"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    responsible_name = models.CharField(
        _("ansvarig (om inte medlem)"), max_length=200, blank=True
    )
    duration_minutes = models.PositiveSmallIntegerField(_("minuter"), null=True, blank=True)

    class Meta:
        verbose_name = _("dagordningspunkt")
        verbose_name_plural = _("dagordning")
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="agendaitem_unique_position"),
        ]

    def __str__(self):
        return self.title

    @property
    def responsible_label(self):
        return self.responsible.display_name if self.responsible_id else self.responsible_name
