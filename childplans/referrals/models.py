"""Hänvisning from a plan (issue 13): the plan's team refers the child or family to an activity
or a member organisation; the organisation's receivers (*mottagare*, networks.ReferralReceiver)
answer.

A referral is child data, but it holds only what it shares: a copy, made when it was sent, of
the child's first name and age (each only if the referrer chose to share it), the words written
for the receiver about what the family wants help with, and how the receiver should make
contact. Nothing else about the child or the plan is reachable from it: the receiver's pages
read these columns and never the plan (docs/security.md, promise 14).

Every referral is reached through ``Referral.objects.visible_to(user)``: its receivers (the
current mottagare of the receiving organisation) and the plan's team (``ChildPlan.objects
.visible_to``); everyone else gets 404."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childplans.models import Action, ChildPlan, Goal
from networks.models import Activity, Organisation, ReferralReceiver
from portal import bounds


def _may_see_any(user):
    return user is not None and user.is_authenticated and user.is_active and bool(user.pk)


def _receives(user):
    """For a referral query: whether ``user`` is a current receiver of its organisation."""
    return Exists(
        ReferralReceiver.objects.current().filter(user_id=user.pk, organisation_id=OuterRef("organisation_id"))
    )


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The referrals ``user`` may see now, each annotated with ``viewer_receives`` (a current
        receiver of the receiving organisation: still a member of it, account active) and
        ``viewer_on_team`` (the plan is visible to them: ``ChildPlan.objects.visible_to``).
        Built by the ORM on every request: removing a receiver, withdrawing consent or leaving
        the team takes effect on the next one."""
        if not _may_see_any(user):
            return self.none()
        on_team = Q(plan_id__in=ChildPlan.objects.visible_to(user).values("pk"))
        return self.annotate(viewer_receives=_receives(user), viewer_on_team=on_team).filter(
            Q(viewer_receives=True) | Q(viewer_on_team=True)
        )

    def received_by(self, user):
        """The referrals ``user`` receives (the inbox, Min översikt): the receivers' half of
        ``visible_to`` alone, without the team's (a list of many rows need not ask, for each, whether
        the receiver is also on the plan's team: a receiver's pages show the same either way)."""
        if not _may_see_any(user):
            return self.none()
        return self.filter(_receives(user))

    def open(self):
        return self.filter(status__in=Referral.OPEN_STATUSES)


NOTE_MAX = 500  # a short message between the receiver and the team (ReferralEvent.note)


class Referral(models.Model):
    class Status(models.TextChoices):
        SENT = "sent", _("Väntar på svar")
        ACCEPTED = "accepted", _("Accepterad")
        DECLINED = "declined", _("Avböjd")
        STARTED = "started", _("Påbörjad")
        ENDED = "ended", _("Avslutad")
        WITHDRAWN = "withdrawn", _("Samtycket återkallat")
        CANCELLED = "cancelled", _("Återtagen")

    class ContactBy(models.TextChoices):
        FAMILY = "family", _("Familjen hör av sig själv")
        RECEIVER = "receiver", _("Mottagaren kontaktar familjen")
        REFERRER = "referrer", _("Mottagaren kontaktar mig först")

    OPEN_STATUSES = (Status.SENT, Status.ACCEPTED, Status.STARTED)
    # The state machine: from each open status, where a referral may go. Every other status is
    # final. The receivers answer (accept, decline, started, ended); a withdrawn consent
    # (WITHDRAWN) and the team or a closed plan (CANCELLED) close it.
    TRANSITIONS = {
        Status.SENT: {Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN, Status.CANCELLED},
        Status.ACCEPTED: {Status.STARTED, Status.ENDED, Status.WITHDRAWN, Status.CANCELLED},
        Status.STARTED: {Status.ENDED, Status.WITHDRAWN, Status.CANCELLED},
    }
    RECEIVER_ANSWERS = (Status.ACCEPTED, Status.DECLINED, Status.STARTED, Status.ENDED)

    plan = models.ForeignKey(ChildPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="referrals")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("mottagande organisation"), on_delete=models.PROTECT, related_name="+"
    )
    activity = models.ForeignKey(
        Activity, verbose_name=_("verksamhet"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("hänvisad av"), on_delete=models.PROTECT, related_name="+"
    )
    referrer_organisation = models.ForeignKey(
        Organisation, verbose_name=_("hänvisad från"), on_delete=models.PROTECT, related_name="+"
    )
    # What the referral shares, copied when it was sent (the receiver never reads the plan).
    first_name = models.CharField(_("förnamn"), max_length=100, blank=True)
    age = models.PositiveSmallIntegerField(_("ålder"), null=True, blank=True)
    help_wanted = models.TextField(
        _("vad familjen vill ha hjälp med"), max_length=bounds.TEXT, validators=[MaxLengthValidator(bounds.TEXT)],
    )
    contact_by = models.CharField(_("så tar mottagaren kontakt"), max_length=10, choices=ContactBy.choices)
    contact_details = models.TextField(
        _("så når mottagaren familjen"), blank=True, max_length=bounds.NOTE,
        validators=[MaxLengthValidator(bounds.NOTE)],
    )
    # For the team only.
    follow = models.BooleanField(_("följ hänvisningen"), default=False)
    follow_goal = models.ForeignKey(
        Goal, verbose_name=_("mål"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    follow_action = models.ForeignKey(
        Action, verbose_name=_("senaste uppföljningsinsats"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    decline_reason = models.TextField(
        _("skäl att avböja"), blank=True, max_length=bounds.NOTE, validators=[MaxLengthValidator(bounds.NOTE)],
    )

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SENT)
    term = models.CharField(_("termin"), max_length=2)
    term_year = models.PositiveSmallIntegerField(_("år"))
    created_at = models.DateTimeField(_("skickad"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepterad"), null=True, blank=True)
    declined_at = models.DateTimeField(_("avböjd"), null=True, blank=True)
    started_at = models.DateTimeField(_("påbörjad"), null=True, blank=True)
    ended_at = models.DateTimeField(_("avslutad"), null=True, blank=True)
    closed_at = models.DateTimeField(_("stängd"), null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("hänvisning")
        verbose_name_plural = _("hänvisningar")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["sent", "accepted", "declined", "started", "ended", "withdrawn", "cancelled"]),
                name="referral_status_known",
            ),
            models.CheckConstraint(condition=~Q(help_wanted=""), name="referral_says_what_help"),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="referral_declined_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(contact_by="receiver") | ~Q(contact_details=""), name="referral_receiver_can_reach"
            ),
            models.CheckConstraint(condition=Q(term__in=["VT", "HT"]), name="referral_term_valid"),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "-created_at"], name="referral_org_status"),
            models.Index(fields=["plan", "-created_at"], name="referral_plan_created"),
            models.Index(fields=["term_year", "term"], name="referral_term"),
        ]

    def __str__(self):
        return _("Hänvisning %(pk)s") % {"pk": self.pk}

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES

    def may_become(self, status):
        return status in self.TRANSITIONS.get(self.status, ())


class ReferralEvent(models.Model):
    """A change of a referral's status, with the short note back (seen by the receivers and the
    team). A decline's reason is kept on the referral, for the team only."""

    referral = models.ForeignKey(Referral, verbose_name=_("hänvisning"), on_delete=models.CASCADE,
                                 related_name="events")
    status = models.CharField(_("status"), max_length=10, choices=Referral.Status.choices)
    note = models.TextField(
        _("meddelande"), blank=True, max_length=NOTE_MAX, validators=[MaxLengthValidator(NOTE_MAX)],
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("av"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("tidpunkt"), default=timezone.now)

    class Meta:
        verbose_name = _("händelse i en hänvisning")
        verbose_name_plural = _("händelser i hänvisningar")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["referral", "at"], name="referralevent_referral_at")]

    def __str__(self):
        return f"{self.referral_id} {self.status}"
