"""A meeting series (issue 21, ``meetings.models``)."""

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from networks.models import Network
from portal import bounds
from portal.models import TimeStampedModel

from .meeting import Meeting, Topic


class MeetingSeries(TimeStampedModel):
    """A network's meetings planned at once (issue 21): a rule ("the second Tuesday of
    September, November, February and April") or dates picked per term, each occurrence a normal
    ``Meeting`` (``Meeting.series``). Calendars see one event: UID ``series-<id>@…`` with RRULE or
    RDATE, EXDATE for a cancelled occurrence, RECURRENCE-ID for a moved one (meetings/ics.py,
    ``series_ics``)."""

    network = models.ForeignKey(
        Network, verbose_name=_("nätverk"), on_delete=models.CASCADE, related_name="meeting_series"
    )
    title = models.CharField(_("rubrik"), max_length=200)
    kind = models.CharField(_("sort"), max_length=20, choices=Meeting.Kind.choices, default=Meeting.Kind.NETWORK)
    topics = models.ManyToManyField(Topic, verbose_name=_("ämnen"), blank=True, related_name="series")
    place = models.CharField(_("plats (adress)"), max_length=300, blank=True)
    video_url = models.URLField(_("videolänk"), blank=True)
    description = models.TextField(
        _("beskrivning"), blank=True, max_length=bounds.TEXT, validators=[MaxLengthValidator(bounds.TEXT)],
    )
    agenda = models.TextField(
        _("dagordning (en punkt per rad)"), blank=True, max_length=bounds.TEXT,
        validators=[MaxLengthValidator(bounds.TEXT)],
    )
    length_minutes = models.PositiveSmallIntegerField(
        _("längd (minuter)"),
        validators=[MinValueValidator(15, _("Ett möte är minst 15 minuter.")),
                    MaxValueValidator(720, _("Ett möte i en serie är högst 12 timmar."))],
    )
    rrule = models.CharField(
        _("upprepningsregel (iCalendar RRULE)"), max_length=300, blank=True,
        help_text=_("Tom när datumen är valda ett och ett."),
    )
    sequence = models.PositiveIntegerField(
        _("version (kalender)"), default=0, help_text=_("Ökar när serien ändras (iCalendar SEQUENCE).")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("skapad av"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    invitations_sent_at = models.DateTimeField(_("inbjudningar skickade"), null=True, blank=True)
    ended_at = models.DateTimeField(_("avslutad"), null=True, blank=True)

    class Meta:
        verbose_name = _("mötesserie")
        verbose_name_plural = _("mötesserier")
        ordering = ["network", "title"]

    def __str__(self):
        return self.title

    @property
    def uid(self):
        """Stable iCalendar UID of the whole series."""
        return f"series-{self.pk}@barnstodsportalen.se"

    @property
    def is_ended(self):
        return self.ended_at is not None
