from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ändrad"), auto_now=True)

    class Meta:
        abstract = True


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who logs in with their e-mail address."""

    username = None
    email = models.EmailField(_("e-postadress"), unique=True)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    # Staff with protected identity (skyddad identitet): a registerutdrag names them by
    # organisation and role only, never by name (issue 19, docs/security.md promise 23).
    protected_identity = models.BooleanField(
        _("skyddad identitet"), default=False,
        help_text=_("Namnet visas aldrig i registerutdrag, bara organisation och roll."),
    )

    # When my digests go out (portal/notices.py); empty: the settings' NOTICE_DIGEST_HOUR and
    # NOTICE_DIGEST_WEEKDAY.
    digest_hour = models.PositiveSmallIntegerField(
        _("klockslag för sammandrag"), null=True, blank=True, validators=[MaxValueValidator(23)]
    )
    digest_weekday = models.PositiveSmallIntegerField(
        _("veckodag för veckosammandrag"), null=True, blank=True, validators=[MaxValueValidator(6)]
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("användare")
        verbose_name_plural = _("användare")
        ordering = ["first_name", "last_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    @property
    def display_name(self):
        return self.get_full_name() or self.email

    @property
    def phone_uri(self):
        """The phone number as a ``tel:`` link (RFC 3966: no spaces), Swedish numbers with the
        country code: "070-123 45 67" -> "tel:+46701234567". Empty without a number."""
        return tel_uri(self.phone)


def tel_uri(phone):
    """``phone`` as a ``tel:`` URI: digits only, "00" or a leading "0" (a Swedish number)
    written as "+" and "+46"; empty when there are no digits."""
    digits = "".join(c for c in phone or "" if c.isdigit())
    if not digits:
        return ""
    if (phone or "").lstrip().startswith("+"):
        return f"tel:+{digits}"
    if digits.startswith("00"):
        return f"tel:+{digits[2:]}"
    if digits.startswith("0"):
        return f"tel:+46{digits[1:]}"
    return f"tel:{digits}"


class AuditEvent(models.Model):
    """Append-only log of who did what, when and from where (docs/security.md 5-6).

    Rows are only ever inserted (``audit_record``); a database trigger (``portal.auditguard``)
    rejects every UPDATE and every DELETE of a row younger than the log's retention
    (``AUDIT_RETENTION_YEARS``, at least five years): ``audit_prune`` is the one deleter. On
    PostgreSQL the table is partitioned by month (``portal.partitions``); its primary key there is
    ``(id, at)``, ``id`` alone here. ``user`` has no database constraint so that the log outlives accounts."""

    class Action(models.TextChoices):
        LOGIN = "login", _("inloggning")
        LOGIN_FAILED = "login_failed", _("misslyckad inloggning")
        LOGOUT = "logout", _("utloggning")
        PASSWORD_CHANGED = "password_changed", _("lösenord ändrat")
        PASSWORD_RESET = "password_reset", _("lösenord återställt")
        PASSWORD_SET = "password_set", _("lösenord valt via inbjudan")
        MFA_ADDED = "mfa_added", _("tvåstegsverifiering tillagd")
        MFA_REMOVED = "mfa_removed", _("tvåstegsverifiering borttagen")
        MFA_FAILED = "mfa_failed", _("misslyckad tvåstegsverifiering")
        SESSION_ENDED = "session_ended", _("session avslutad")
        VIEW = "view", _("läsning")
        CREATE = "create", _("skapande")
        UPDATE = "update", _("ändring")
        DELETE = "delete", _("borttagning")
        PRINT = "print", _("utskrift")
        EXPORT = "export", _("export")
        DENIED = "denied", _("nekad åtkomst")

    at = models.DateTimeField(_("tidpunkt"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("användare"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    user_label = models.CharField(_("användare (text)"), max_length=254, blank=True)
    organisation_label = models.CharField(_("organisation"), max_length=300, blank=True)
    action = models.CharField(_("händelse"), max_length=32, choices=Action.choices)
    # What changed, for changes to shared data made by a service ("membership.role_changed").
    event = models.CharField(_("ändring"), max_length=64, blank=True, default="")
    object_type = models.CharField(_("objekttyp"), max_length=100, blank=True)
    object_id = models.CharField(_("objekt-id"), max_length=64, blank=True)
    request_id = models.CharField(_("anrops-id"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("IP-adress"), null=True, blank=True)
    detail = models.JSONField(_("detaljer"), default=dict, blank=True)
    # Child data (childplans): plain ids, no foreign keys, so the log outlives the plan and
    # never cascades; a plan's access log for the guardians reads by plan_id.
    plan_id = models.BigIntegerField(_("plan-id"), null=True, blank=True)
    child_id = models.BigIntegerField(_("barn-id"), null=True, blank=True, db_index=True)
    # How the acting session logged in (portal.assurance: password, federated, federated_strong).
    assurance_level = models.CharField(_("tillitsnivå"), max_length=20, blank=True, default="")

    class Meta:
        verbose_name = _("granskningshändelse")
        verbose_name_plural = _("granskningslogg")
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["user", "-at"], name="audit_user_at"),
            # The plan's access log (plan) and the registerutdrag (plans and child), newest first.
            models.Index(fields=["plan_id", "-at"], name="audit_plan_at"),
            models.Index(fields=["child_id", "-at"], name="audit_child_at"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_label} {self.get_action_display()}"


class OutboundEmail(models.Model):
    """Transactional outbox: an e-mail to send, written in the same transaction as the
    business change. ``portal.tasks.outbox_send`` sends it once; ``outbox_sweep``
    re-enqueues what is still pending, so a broker outage delays mail, never loses it.

    A sender claims rows (``sending``, with a ``claim`` token and a lease until
    ``claimed_until``) and records ``handed_over_at`` just before the SMTP end-of-data dot.
    A lease that ran out without a hand-over goes back to ``pending`` (the server discarded
    the unfinished message); one with a hand-over counts as sent, never resent
    (portal/outbox.py)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("väntar")
        SENDING = "sending", _("skickas")
        SENT = "sent", _("skickat")
        FAILED = "failed", _("misslyckades")
        # A notice kept for the recipient's digest (portal/notices.py), then the digest it went in.
        HELD = "held", _("väntar på sammandrag")
        DIGESTED = "digested", _("i ett sammandrag")

    kind = models.CharField(_("sort"), max_length=50)
    recipient = models.EmailField(_("mottagare"))
    object_key = models.CharField(_("gäller"), max_length=100)
    period = models.CharField(_("period"), max_length=50, blank=True, default="")
    subject = models.CharField(_("ämne (förrenderat)"), max_length=300, blank=True)
    body_text = models.TextField(_("text (förrenderad)"), blank=True)
    body_html = models.TextField(_("HTML (förrenderad)"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("försök"), default=0)
    last_error = models.CharField(_("senaste fel"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("skapad"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("nästa försök"), default=timezone.now)
    sent_at = models.DateTimeField(_("skickat"), null=True, blank=True)
    claim = models.CharField(_("reservation"), max_length=32, blank=True, default="")
    claimed_until = models.DateTimeField(_("reserverad till"), null=True, blank=True)
    handed_over_at = models.DateTimeField(_("lämnat till e-postservern"), null=True, blank=True)
    digest = models.ForeignKey(
        "self", verbose_name=_("sammandrag"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="items",
    )

    class Meta:
        verbose_name = _("utgående e-post")
        verbose_name_plural = _("utgående e-post")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "recipient", "object_key", "period"],
                name="outbox_once_per_recipient_kind_object_period",
            ),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | ~Q(status="sent"),
                name="outbox_sent_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | (Q(claimed_until__isnull=False) & ~Q(claim="")),
                name="outbox_sending_is_claimed",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_pending_due",
                condition=Q(status="pending"),
            ),
            models.Index(  # the sweeper's expired leases
                fields=["claimed_until"],
                name="outbox_sending_lease",
                condition=Q(status="sending"),
            ),
            models.Index(  # the digest run: who has notices waiting, since when
                fields=["recipient", "created_at"],
                name="outbox_held",
                condition=Q(status="held"),
            ),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient} ({self.get_status_display()})"


class NoticePreference(models.Model):
    """How a person wants one kind of notice: in the daily or the weekly digest, or at once
    (portal/notices.py). No row: ``settings.NOTICE_DEFAULT_FREQUENCY``."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Dagligt sammandrag")
        WEEKLY = "weekly", _("Veckosammandrag")
        AT_ONCE = "at_once", _("Direkt")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("användare"), on_delete=models.CASCADE,
        related_name="notice_preferences",
    )
    category = models.CharField(_("slags händelse"), max_length=20)
    frequency = models.CharField(_("hur ofta"), max_length=10, choices=Frequency.choices)

    class Meta:
        verbose_name = _("val för aviseringar")
        verbose_name_plural = _("val för aviseringar")
        constraints = [models.UniqueConstraint(fields=["user", "category"], name="notice_pref_once")]

    def __str__(self):
        return f"{self.user_id}: {self.category} {self.frequency}"
