"""An organisation's identity provider and the identifiers recorded for its staff (issue 20;
docs/federation.md, docs/security.md 24).

allauth's ``openid_connect`` provider reads its configuration from a ``SocialApp``; the
portal's adapter builds one per active ``IdentityProvider`` row (``social_app``), so an
administrator adds a provider in the admin without touching the settings."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.bounds import NOTE

# Claim names an administrator may choose as the identifier (OIDC claim names are short
# ASCII identifiers; "urn:..."-style names of HSA attributes included).
CLAIM_NAME = RegexValidator(r"^[A-Za-z0-9_.:\-]{1,100}$", _("Ange namnet på ett anspråk, t.ex. email, sub eller hsa_id."))
CONTEXT_MAX_LENGTH = 200
CONTEXTS_MAX = 20


def parse_contexts(text):
    """The strong contexts, one per line, blanks dropped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class IdentityProvider(models.Model):
    """One OpenID Connect provider (Entra ID, Keycloak, Inera's IdP...) for one or more member
    organisations."""

    name = models.CharField(
        _("namn"), max_length=100,
        help_text=_("Visas på inloggningssidan: ”Logga in med <namn>”."),
    )
    slug = models.SlugField(
        _("kortnamn"), max_length=40, unique=True,
        help_text=_("Ingår i adresserna, t.ex. /konto/oidc/<kortnamn>/login/callback/. Ändras inte efter att leverantören har kopplats."),
    )
    organisations = models.ManyToManyField(
        "networks.Organisation", verbose_name=_("organisationer"), related_name="identity_providers",
    )
    issuer = models.URLField(
        _("utfärdare (issuer)"), max_length=300,
        help_text=_("Leverantörens adress; portalen hämtar /.well-known/openid-configuration därifrån."),
    )
    client_id = models.CharField(_("klient-id"), max_length=200)
    client_secret = models.CharField(_("klienthemlighet"), max_length=500, blank=True)
    scopes = models.CharField(
        _("scopes"), max_length=300, default="openid email profile",
        validators=[RegexValidator(r"^[A-Za-z0-9_.:/\- ]+$", _("Ange scopes åtskilda med mellanslag."))],
    )
    identifier_claim = models.CharField(
        _("identifierande anspråk"), max_length=100, default="email", validators=[CLAIM_NAME],
        help_text=_(
            "email: en verifierad e-postadress som matchar kontot hos någon av organisationerna. "
            "Annat (sub, hsa_id …): värdet som registrerats för personen under Federerade identifierare."
        ),
    )
    strong_contexts = models.TextField(
        _("starka autentiseringskontexter"), max_length=NOTE, blank=True, validators=[MaxLengthValidator(NOTE)],
        help_text=_(
            "En per rad, t.ex. http://id.elegnamnden.se/loa/1.0/loa3. En inloggning med någon av "
            "dem räknas som tvåstegsverifierad; annars krävs portalens egen."
        ),
    )
    request_contexts = models.BooleanField(
        _("begär kontexterna"), default=True,
        help_text=_("Skicka dem som acr_values i begäran."),
    )
    password_login_allowed = models.BooleanField(
        _("lösenordsinloggning tillåten"), default=True,
        help_text=_("Av: personal i organisationerna kan bara logga in via leverantören."),
    )
    is_active = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("identitetsleverantör")
        verbose_name_plural = _("identitetsleverantörer")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def contexts(self):
        return parse_contexts(self.strong_contexts)

    def clean(self):
        # The ID token comes from the token endpoint unsigned-checked (OpenID Connect Core
        # 3.1.3.7: TLS stands in for the signature): https, but for a provider on this machine
        # (the demo's, the tests').
        parts = urlsplit(self.issuer or "")
        if parts.scheme != "https" and parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValidationError({"issuer": _("Ange en https-adress.")})
        contexts = self.contexts
        if len(contexts) > CONTEXTS_MAX:
            raise ValidationError({"strong_contexts": _("Högst %(n)s kontexter.") % {"n": CONTEXTS_MAX}})
        for context in contexts:
            if len(context) > CONTEXT_MAX_LENGTH or any(c.isspace() for c in context):
                raise ValidationError(
                    {"strong_contexts": _("En kontext per rad, utan mellanslag, högst %(n)s tecken.") % {"n": CONTEXT_MAX_LENGTH}}
                )

    def auth_params(self):
        return {"acr_values": " ".join(self.contexts)} if self.request_contexts and self.contexts else {}

    def social_app(self):
        """The (unsaved) allauth ``SocialApp`` of this provider."""
        from allauth.socialaccount.models import SocialApp

        return SocialApp(
            provider="openid_connect",
            provider_id=self.slug,
            name=self.name,
            client_id=self.client_id,
            secret=self.client_secret,
            settings={
                "server_url": self.issuer,
                "scope": self.scopes.split(),
                "auth_params": self.auth_params(),
                "oauth_pkce_enabled": True,
            },
        )


class FederatedIdentifier(models.Model):
    """The identifier a provider asserts for a person (HSA-id, subject), recorded by an
    administrator: the only way such a login reaches an account."""

    provider = models.ForeignKey(
        IdentityProvider, verbose_name=_("identitetsleverantör"), on_delete=models.CASCADE, related_name="identifiers",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="federated_identifiers",
    )
    value = models.CharField(_("identifierare"), max_length=254)

    class Meta:
        verbose_name = _("federerad identifierare")
        verbose_name_plural = _("federerade identifierare")
        constraints = [
            models.UniqueConstraint(fields=["provider", "value"], name="fedid_unique_provider_value"),
            models.UniqueConstraint(fields=["provider", "user"], name="fedid_unique_provider_user"),
        ]

    def __str__(self):
        return f"{self.provider}: {self.value}"
