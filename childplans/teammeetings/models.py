"""Barnteamets möte (issue 12): the child's team meets — called by the contact person, with
invitations to the team and the family (calendar files, one-click answers), the family's and the
child's preparation, an agenda drawn from the plan, and minutes that become the plan's review.

Part of barnets plan: every row hangs off a ``ChildPlan`` and is reached only through the plan
(``childplans.access.get_plan_for_user_or_404``), except an answer link, whose token is the key
(only its SHA-256 hash is stored, as for network meetings: ``meetings.models.new_token``).
Nothing here is in the admin."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childplans.models import Action, ChildPlan, Goal, Guardian, Review, TeamMember
from networks.models import Organisation
from portal import bounds
from portal.models import TimeStampedModel
from portal.validators import DateWithin


class ChildPart(models.TextChoices):
    """How the child takes part in the meeting (Swedish SIP practice)."""

    IN_ROOM = "i_rummet", _("I rummet hela mötet")
    PART_TIME = "en_del", _("I rummet en del av tiden")
    LETTER = "brev", _("Genom ett brev eller en teckning")
    SPOKESPERSON = "genom_person", _("Genom en namngiven person som talar för barnet")
    NOT_THIS_TIME = "inte", _("Inte den här gången")


IN_THE_ROOM = (ChildPart.IN_ROOM, ChildPart.PART_TIME)


class TeamMeeting(TimeStampedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planerat")
        CANCELLED = "cancelled", _("Inställt")
        CLOSED = "closed", _("Protokollet är stängt")

    plan = models.ForeignKey(
        ChildPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="team_meetings"
    )
    starts_at = models.DateTimeField(_("börjar"), validators=[DateWithin("meeting")])
    ends_at = models.DateTimeField(_("slutar"), validators=[DateWithin("meeting")])
    place = models.CharField(_("plats"), max_length=300, blank=True)
    video_url = models.URLField(_("videolänk"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    sequence = models.PositiveIntegerField(
        _("version (kalender)"), default=0, help_text=_("Ökar när tid eller plats ändras (iCalendar SEQUENCE).")
    )
    child_part = models.CharField(_("hur barnet deltar"), max_length=20, choices=ChildPart.choices)
    child_spokesperson = models.CharField(
        _("person som talar för barnet"), max_length=200, blank=True
    )
    guardians_by_email = models.BooleanField(_("vårdnadshavarna bjuds in med e-post"), default=False)
    # --- before the meeting, on the family's and the child's behalf ---------------------------
    family_topics = models.TextField(
        _("vad vårdnadshavarna och barnet vill prata om"), blank=True, max_length=bounds.TEXT,
        validators=[MaxLengthValidator(bounds.TEXT)],
    )
    not_before_child = models.TextField(
        _("vad som inte ska tas upp när barnet är med"), blank=True, max_length=bounds.TEXT,
        validators=[MaxLengthValidator(bounds.TEXT)],
    )
    child_words = models.TextField(
        _("barnets brev eller egna ord"), blank=True, max_length=bounds.LONG_TEXT,
        validators=[MaxLengthValidator(bounds.LONG_TEXT)],
    )
    # --- the minutes -----------------------------------------------------------------------------
    child_came = models.BooleanField(_("barnet var med"), default=False)
    other_participants = models.TextField(
        _("andra som var med"), blank=True, max_length=bounds.NOTE, validators=[MaxLengthValidator(bounds.NOTE)],
    )
    decisions = models.TextField(
        _("vad som beslutades"), blank=True, max_length=bounds.LONG_TEXT,
        validators=[MaxLengthValidator(bounds.LONG_TEXT)],
    )
    notes = models.TextField(
        _("anteckningar"), blank=True, max_length=bounds.LONG_TEXT,
        validators=[MaxLengthValidator(bounds.LONG_TEXT)],
    )
    next_meeting_on = models.DateField(_("nästa möte"), null=True, blank=True, validators=[DateWithin("plan")])
    child_took_part = models.CharField(
        _("barnet var delaktigt i planen"), max_length=10, choices=Review.ChildTookPart.choices, blank=True
    )
    guardians_know_plan = models.BooleanField(_("vårdnadshavarna känner till planen"), null=True, blank=True)
    send_summary = models.BooleanField(_("skicka en sammanfattning till vårdnadshavarna"), default=False)
    guardian_summary = models.TextField(
        _("sammanfattning för vårdnadshavarna"), blank=True, max_length=bounds.TEXT,
        validators=[MaxLengthValidator(bounds.TEXT)],
    )
    # --- who and when ------------------------------------------------------------------------------
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("kallat av"), on_delete=models.PROTECT, related_name="+"
    )
    invitations_sent_at = models.DateTimeField(_("kallelser skickade"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("inställt"), null=True, blank=True)
    closed_at = models.DateTimeField(_("protokollet stängt"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("protokollet stängt av"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    review = models.OneToOneField(
        Review, verbose_name=_("uppföljning"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="team_meeting",
    )

    class Meta:
        verbose_name = _("barnteamets möte")
        verbose_name_plural = _("barnteamets möten")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="teammeeting_ends_after_start"),
            models.CheckConstraint(condition=~Q(place="") | ~Q(video_url=""), name="teammeeting_has_place"),
            models.CheckConstraint(
                condition=~Q(child_part="genom_person") | ~Q(child_spokesperson=""),
                name="teammeeting_spokesperson_named",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="teammeeting_cancelled_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed")
                | (Q(closed_at__isnull=False) & ~Q(decisions="") & ~Q(child_took_part="")
                   & Q(guardians_know_plan__isnull=False)),
                name="teammeeting_closed_has_minutes",
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "-starts_at"], name="teammeeting_plan_starts"),
            models.Index(fields=["status", "starts_at"], name="teammeeting_status_starts"),
        ]

    def __str__(self):
        return _("Barnteamets möte %(date)s") % {"date": f"{self.local_start:%Y-%m-%d}"} if self.starts_at else ""

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
    def has_started(self):
        return self.starts_at <= timezone.now()

    @property
    def is_open_for_answers(self):
        return self.status == self.Status.PLANNED and not self.is_over

    @property
    def is_planned(self):
        return self.status == self.Status.PLANNED

    @property
    def child_in_room(self):
        return self.child_part in IN_THE_ROOM

    @property
    def uid(self):
        """Stable iCalendar UID of its own (not a network meeting's): the same for every version."""
        return f"teammeeting-{self.pk}@barnstodsportalen.se"

    @property
    def location(self):
        return ", ".join(x for x in (self.place, self.video_url) if x)

    def clean(self):
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("Mötet måste sluta efter att det börjar.")
        if not self.place and not self.video_url:
            errors["place"] = _("Ange en plats, en videolänk eller båda.")
        if self.child_part == ChildPart.SPOKESPERSON and not self.child_spokesperson.strip():
            errors["child_spokesperson"] = _("Skriv vem som talar för barnet.")
        if errors:
            raise ValidationError(errors)


class Invitee(models.Model):
    """Someone called to the meeting: a team member (``team_member``) or a guardian
    (``guardian``). ``email`` is where the invitation went (empty for a guardian told another
    way). A member's invitation stops working when they no longer give access to the plan
    (removed, consent withdrawn, left the organisation): no answer, no reminder."""

    class Response(models.TextChoices):
        PENDING = "pending", _("Inte svarat")
        YES = "yes", _("Kommer")
        NO = "no", _("Kommer inte")

    meeting = models.ForeignKey(TeamMeeting, verbose_name=_("möte"), on_delete=models.CASCADE,
                                related_name="invitees")
    team_member = models.ForeignKey(
        TeamMember, verbose_name=_("teammedlem"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    guardian = models.ForeignKey(
        Guardian, verbose_name=_("vårdnadshavare"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    email = models.EmailField(_("e-postadress"), blank=True)
    response = models.CharField(_("svar"), max_length=10, choices=Response.choices, default=Response.PENDING)
    responded_at = models.DateTimeField(_("svarade"), null=True, blank=True)
    attended = models.BooleanField(_("var med"), default=False)
    sent_at = models.DateTimeField(_("kallelse skickad"), null=True, blank=True)

    class Meta:
        verbose_name = _("kallad till barnteamets möte")
        verbose_name_plural = _("kallade till barnteamets möten")
        constraints = [
            models.CheckConstraint(
                condition=Q(team_member__isnull=False, guardian__isnull=True)
                | Q(team_member__isnull=True, guardian__isnull=False),
                name="invitee_member_or_guardian",
            ),
            models.UniqueConstraint(
                fields=["meeting", "team_member"], condition=Q(team_member__isnull=False),
                name="invitee_one_per_member",
            ),
            models.UniqueConstraint(
                fields=["meeting", "guardian"], condition=Q(guardian__isnull=False), name="invitee_one_per_guardian"
            ),
            models.UniqueConstraint(
                fields=["meeting", "email"], condition=~Q(email=""), name="invitee_one_per_address"
            ),
        ]
        indexes = [models.Index(fields=["meeting", "response"], name="invitee_meeting_response")]

    def __str__(self):
        return f"{self.pk} @ {self.meeting_id}"

    @property
    def is_guardian(self):
        return self.guardian_id is not None


class AnswerToken(models.Model):
    """One answer link: each e-mail carries its own, made when it is sent; only the hash is kept."""

    invitee = models.ForeignKey(Invitee, verbose_name=_("kallad"), on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(_("kontrollsumma"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)

    class Meta:
        verbose_name = _("svarslänk")
        verbose_name_plural = _("svarslänkar")

    def __str__(self):
        return f"{self.invitee_id}:{self.token_hash[:8]}"


class AgendaPoint(models.Model):
    """A point of the agenda: drawn from the plan when the meeting is called, or added by the
    contact person. ``notes``: what was said about it at the meeting."""

    class Source(models.TextChoices):
        FAMILY = "familj", _("Familjens frågor")
        NEED = "behov", _("Stort behov")
        OVERDUE = "forsenad", _("Försenad insats")
        OPEN_ACTION = "insats", _("Pågående insats")
        GOAL = "mal", _("Mål att följa upp")
        CAN_STEP_IN = "trada_in", _("Vem kan träda in")
        ADDED = "tillagd", _("Tillagd")

    meeting = models.ForeignKey(TeamMeeting, verbose_name=_("möte"), on_delete=models.CASCADE,
                                related_name="agenda")
    position = models.PositiveSmallIntegerField(_("ordning"))
    title = models.CharField(_("punkt"), max_length=300)
    source = models.CharField(_("källa"), max_length=10, choices=Source.choices, default=Source.ADDED)
    notes = models.TextField(
        _("anteckningar"), blank=True, max_length=bounds.TEXT, validators=[MaxLengthValidator(bounds.TEXT)],
    )

    class Meta:
        verbose_name = _("punkt på dagordningen")
        verbose_name_plural = _("dagordning")
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="agendapoint_unique_position"),
        ]

    def __str__(self):
        return self.title


class MinutesAction(models.Model):
    """A new or changed action in the minutes; made real in the plan when the minutes are closed
    (``childplans.services.action_add`` / ``action_update``, so "Mina insatser" shows it).
    ``action``: the plan's action to change, or — once closed — the new action it became."""

    meeting = models.ForeignKey(TeamMeeting, verbose_name=_("möte"), on_delete=models.CASCADE,
                                related_name="minutes_actions")
    is_new = models.BooleanField(_("ny insats"), default=True)
    action = models.ForeignKey(
        Action, verbose_name=_("insats"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    goal = models.ForeignKey(Goal, verbose_name=_("mål"), on_delete=models.PROTECT, related_name="+")
    what = models.TextField(_("vad"), max_length=bounds.NOTE, validators=[MaxLengthValidator(bounds.NOTE)])
    responsible_organisation = models.ForeignKey(
        Organisation, verbose_name=_("ansvarig organisation"), on_delete=models.PROTECT, related_name="+"
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("ansvarig person"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    due_on = models.DateField(_("klart senast"), validators=[DateWithin("plan")])
    status = models.CharField(_("status"), max_length=10, choices=Action.Status.choices,
                              default=Action.Status.PLANNED)
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)

    class Meta:
        verbose_name = _("insats i protokollet")
        verbose_name_plural = _("insatser i protokollet")
        ordering = ["meeting", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(is_new=True) | Q(action__isnull=False),
                                   name="minutesaction_change_names_action"),
        ]

    def __str__(self):
        return self.what[:60]
