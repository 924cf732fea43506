"""Who is invited, answers, comes, and reads: invitations, answer tokens, attendance, minutes and
calendar feeds (``meetings.models``)."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from networks.models import Organisation
from portal import bounds

from .meeting import Meeting


class Invitation(models.Model):
    class Response(models.TextChoices):
        PENDING = "pending", _("Inte svarat")
        YES = "yes", _("Kommer")
        NO = "no", _("Kommer inte")
        WAITLIST = "waitlist", _("På väntelistan")

    class Source(models.TextChoices):
        MEMBER = "member", _("Medlem i nätverket")
        REGIONAL = "regional", _("Medlem i det regionala nätverket")
        LOCAL = "local", _("Medlem i ett lokalt nätverk")
        GUEST = "guest", _("Gäst")

    meeting = models.ForeignKey(Meeting, verbose_name=_("möte"), on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="meeting_invitations",
    )
    email = models.EmailField(_("e-postadress"))
    name = models.CharField(_("namn"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation_name = models.CharField(_("organisation (gäst)"), max_length=200, blank=True)
    source = models.CharField(_("inbjuden som"), max_length=10, choices=Source.choices, default=Source.MEMBER)
    response = models.CharField(_("svar"), max_length=10, choices=Response.choices, default=Response.PENDING)
    comment = models.CharField(
        _("behov (t.ex. kost, tillgänglighet)"), max_length=500, blank=True
    )
    decline_reason = models.CharField(_("anledning"), max_length=500, blank=True)
    responded_at = models.DateTimeField(_("svarade"), null=True, blank=True)
    waitlist_position = models.PositiveIntegerField(_("plats i kön"), null=True, blank=True)
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)
    sent_at = models.DateTimeField(_("inbjudan skickad"), null=True, blank=True)

    class Meta:
        verbose_name = _("inbjudan till möte")
        verbose_name_plural = _("inbjudningar till möten")
        ordering = ["meeting", "name", "email"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "email"], name="invitation_one_per_meeting_email"),
            models.UniqueConstraint(
                fields=["meeting", "user"], condition=Q(user__isnull=False), name="invitation_one_per_meeting_user"
            ),
            models.CheckConstraint(
                condition=Q(response="waitlist", waitlist_position__isnull=False)
                | (~Q(response="waitlist") & Q(waitlist_position__isnull=True)),
                name="invitation_waitlist_has_position",
            ),
            models.UniqueConstraint(
                fields=["meeting", "waitlist_position"],
                condition=Q(waitlist_position__isnull=False),
                name="invitation_unique_waitlist_position",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "meeting"], name="invitation_user_meeting"),
            models.Index(fields=["meeting", "response"], name="invitation_meeting_response"),
        ]

    def __str__(self):
        return f"{self.display_name} → {self.meeting}"

    @property
    def display_name(self):
        return self.name or self.email

    @property
    def organisation_label(self):
        return str(self.organisation) if self.organisation_id else self.organisation_name


class RsvpToken(models.Model):
    """One answer link: each e-mail carries its own, made when it is sent; only the hash is kept."""

    invitation = models.ForeignKey(
        Invitation, verbose_name=_("inbjudan"), on_delete=models.CASCADE, related_name="tokens"
    )
    token_hash = models.CharField(_("kontrollsumma"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)

    class Meta:
        verbose_name = _("svarslänk")
        verbose_name_plural = _("svarslänkar")

    def __str__(self):
        return f"{self.invitation_id}:{self.token_hash[:8]}"


class Attendance(models.Model):
    """A row of the meeting's register (issue 21). A row is what was recorded; an invitee with
    no row has the status ``meetings.register.entry_status`` derives from their answer."""

    class Source(models.TextChoices):
        COORDINATOR = "coordinator", _("Markerad av samordnare")
        CHECKIN = "checkin", _("Incheckad med QR-kod")

    class Status(models.TextChoices):
        PRESENT = "present", _("Närvarande")
        EXCUSED = "excused", _("Frånvarande med förhinder (anmält)")
        ABSENT = "absent", _("Frånvarande")

    meeting = models.ForeignKey(Meeting, verbose_name=_("möte"), on_delete=models.CASCADE, related_name="attendances")
    invitation = models.OneToOneField(
        Invitation, verbose_name=_("inbjudan"), null=True, blank=True, on_delete=models.SET_NULL, related_name="attendance"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="meeting_attendances",
    )
    name = models.CharField(_("namn"), max_length=200)
    email = models.EmailField(_("e-postadress"), blank=True)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation_name = models.CharField(_("organisation (annan)"), max_length=200, blank=True)
    source = models.CharField(_("registrerad"), max_length=12, choices=Source.choices, default=Source.COORDINATOR)
    status = models.CharField(_("närvaro"), max_length=10, choices=Status.choices, default=Status.PRESENT)
    recorded_at = models.DateTimeField(_("registrerad"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registrerad av"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("närvaro")
        verbose_name_plural = _("närvaro")
        ordering = ["meeting", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"], condition=Q(user__isnull=False), name="attendance_one_per_meeting_user"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["present", "excused", "absent"]), name="attendance_status_valid"
            ),
            # Someone who came without an invitation can only be present.
            models.CheckConstraint(
                condition=Q(status="present") | Q(invitation__isnull=False), name="attendance_walk_in_present"
            ),
        ]

    def __str__(self):
        return f"{self.name} @ {self.meeting_id}"

    @property
    def organisation_label(self):
        return str(self.organisation) if self.organisation_id else self.organisation_name


class MinutesRevision(models.Model):
    """Minnesanteckningar: every save is a new revision; the latest one is shown."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("möte"), on_delete=models.CASCADE, related_name="minutes_revisions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(
        _("minnesanteckningar"), max_length=bounds.LONG_TEXT, validators=[MaxLengthValidator(bounds.LONG_TEXT)],
    )
    follow_ups = models.TextField(
        _("att göra till nästa gång"), blank=True, max_length=bounds.TEXT,
        validators=[MaxLengthValidator(bounds.TEXT)],
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("skrivet av"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("sparat"), default=timezone.now)
    # Publishing (issue 21) sends this revision to the participants; a published revision is
    # never changed: editing it afterwards saves a new revision, published as a correction.
    published_at = models.DateTimeField(_("publicerad"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("publicerad av"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("minnesanteckningar (version)")
        verbose_name_plural = _("minnesanteckningar (versioner)")
        ordering = ["meeting", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="minutes_unique_revision_number"),
        ]

    def __str__(self):
        return f"{self.meeting} v{self.number}"


class CalendarFeed(models.Model):
    """A user's private calendar feed; the URL's secret is shown once, and revoking deletes it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(_("kontrollsumma"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)
    last_used_at = models.DateTimeField(_("senast hämtad"), null=True, blank=True)

    class Meta:
        verbose_name = _("kalenderprenumeration")
        verbose_name_plural = _("kalenderprenumerationer")

    def __str__(self):
        return str(self.user)
