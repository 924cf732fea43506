"""An organisation's identity provider and the identifiers recorded for its staff (issue 20;
docs/federation.md, docs/security.md 24).

allauth's ``openid_connect`` provider reads its configuration from a ``SocialApp``; the
portal's adapter builds one per active ``IdentityProvider`` row (``social_app``), so an
administrator adds a provider in the admin without touching the settings. A SAML 2.0 provider
(Inera's IdP, Sambi, Skolfederation, Sweden Connect) is a row too: its ``social_app`` is one of
allauth's ``saml`` provider, used through ``networks.federation.saml``."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.bounds import LONG_TEXT, NOTE

# Claim names an administrator may choose as the identifier (OIDC claim names are short
# ASCII identifiers; "urn:..."-style names of HSA attributes included).
CLAIM_NAME = RegexValidator(r"^[A-Za-z0-9_.:\-]{1,100}$", _("Ange namnet på ett anspråk, t.ex. email, sub eller hsa_id."))
CONTEXT_MAX_LENGTH = 200
CONTEXTS_MAX = 20


def parse_contexts(text):
    """The strong contexts, one per line, blanks dropped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# Certificates are PEM blocks (or bare base64) one after another; a provider signs with one
# or two (during a key rollover).
CERTIFICATES_MAX = 4
PEM_BLOCK = "-----BEGIN CERTIFICATE-----"
PEM_END = "-----END CERTIFICATE-----"


def parse_certificates(text):
    """The certificates in ``text``: base64 bodies, without PEM armour or whitespace."""
    text = (text or "").strip()
    if not text:
        return []
    if PEM_BLOCK not in text:
        return ["".join(text.split())]
    bodies = []
    for block in text.split(PEM_BLOCK)[1:]:
        body = block.split(PEM_END)[0]
        bodies.append("".join(body.split()))
    return bodies


def certificate_problem(body):
    """None when ``body`` (base64 DER) is an X.509 certificate, else the reason."""
    import base64
    import binascii

    from cryptography import x509

    try:
        x509.load_der_x509_certificate(base64.b64decode(body, validate=True))
    except (ValueError, binascii.Error):
        return _("Certifikatet kan inte läsas. Klistra in det i PEM-format (-----BEGIN CERTIFICATE----- …).")
    return None


class IdentityProvider(models.Model):
    """One identity provider (Entra ID, Keycloak, Inera's IdP...) for one or more member
    organisations, over OpenID Connect or SAML 2.0."""

    class Protocol(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect")
        SAML = "saml", _("SAML 2.0")

    class Comparison(models.TextChoices):
        EXACT = "exact", _("exakt (exact)")
        MINIMUM = "minimum", _("minst (minimum)")

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
    protocol = models.CharField(_("protokoll"), max_length=4, choices=Protocol.choices, default=Protocol.OIDC)
    issuer = models.URLField(
        _("utfärdare (issuer)"), max_length=300, blank=True,
        help_text=_("OpenID Connect: leverantörens adress; portalen hämtar /.well-known/openid-configuration därifrån."),
    )
    client_id = models.CharField(_("klient-id"), max_length=200, blank=True)
    client_secret = models.CharField(_("klienthemlighet"), max_length=500, blank=True)
    scopes = models.CharField(
        _("scopes"), max_length=300, default="openid email profile",
        validators=[RegexValidator(r"^[A-Za-z0-9_.:/\- ]+$", _("Ange scopes åtskilda med mellanslag."))],
    )
    # SAML 2.0: the IdP's entity id, single sign-on address and signing certificates, filled
    # in by hand or from its metadata (pasted, uploaded or fetched in the admin).
    saml_entity_id = models.CharField(
        _("SAML: IdP:ns entity id"), max_length=300, blank=True,
        validators=[RegexValidator(r"^\S+$", _("Ange ett entity id utan mellanslag."))],
    )
    saml_sso_url = models.URLField(
        _("SAML: adress för inloggning (SingleSignOnService, HTTP-Redirect)"), max_length=300, blank=True,
    )
    saml_certificates = models.TextField(
        _("SAML: IdP:ns signeringscertifikat"), max_length=LONG_TEXT, blank=True, validators=[MaxLengthValidator(LONG_TEXT)],
        help_text=_("Ett eller flera certifikat i PEM-format; svar måste vara signerade med något av dem."),
    )
    saml_metadata_url = models.URLField(
        _("SAML: metadataadress"), max_length=300, blank=True,
        help_text=_("Där IdP:ns metadata finns; åtgärden ”Hämta metadata” fyller i fälten ovan därifrån."),
    )
    saml_context_comparison = models.CharField(
        _("SAML: jämförelse av begärd kontext"), max_length=7, choices=Comparison.choices, default=Comparison.EXACT,
        help_text=_("Hur IdP:n ska jämföra med de begärda kontexterna (RequestedAuthnContext Comparison)."),
    )
    identifier_claim = models.CharField(
        _("identifierande anspråk"), max_length=100, default="email", validators=[CLAIM_NAME],
        help_text=_(
            "email: en verifierad e-postadress som matchar kontot hos någon av organisationerna. "
            "Annat (sub, hsa_id …; för SAML attributets namn, t.ex. urn:oid:1.2.752.29.6.2.1 eller "
            "eduPersonPrincipalName): värdet som registrerats för personen under Federerade identifierare."
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
        help_text=_("Skicka dem i begäran (OpenID Connect: acr_values; SAML: RequestedAuthnContext)."),
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

    @property
    def is_saml(self):
        return self.protocol == self.Protocol.SAML

    @property
    def certificates(self):
        return parse_certificates(self.saml_certificates)

    @property
    def login_origin_url(self):
        """The address the browser is sent to when a login starts."""
        return self.saml_sso_url if self.is_saml else self.issuer

    def clean(self):
        if self.is_saml:
            self._clean_saml()
        else:
            self._clean_oidc()
        self._clean_contexts()

    def _clean_oidc(self):
        # The ID token comes from the token endpoint unsigned-checked (OpenID Connect Core
        # 3.1.3.7: TLS stands in for the signature): https, but for a provider on this machine
        # (the demo's, the tests').
        errors = {}
        if not _https_or_local(self.issuer):
            errors["issuer"] = _("Ange en https-adress.")
        if not self.client_id:
            errors["client_id"] = _("Ange klient-id.")
        if errors:
            raise ValidationError(errors)

    def _clean_saml(self):
        # The assertion is signed (checked against these certificates); the browser carries
        # it, so the address where it starts is https but for one on this machine.
        errors = {}
        if not self.saml_entity_id:
            errors["saml_entity_id"] = _("Ange IdP:ns entity id (eller hämta dess metadata).")
        if not _https_or_local(self.saml_sso_url):
            errors["saml_sso_url"] = _("Ange en https-adress.")
        certificates = self.certificates
        if not certificates:
            errors["saml_certificates"] = _("Ange IdP:ns signeringscertifikat.")
        elif len(certificates) > CERTIFICATES_MAX:
            errors["saml_certificates"] = _("Högst %(n)s certifikat.") % {"n": CERTIFICATES_MAX}
        else:
            problems = [p for p in map(certificate_problem, certificates) if p]
            if problems:
                errors["saml_certificates"] = problems[0]
        if self.saml_metadata_url and not _https_or_local(self.saml_metadata_url):
            errors["saml_metadata_url"] = _("Ange en https-adress.")
        if errors:
            raise ValidationError(errors)

    def _clean_contexts(self):
        contexts = self.contexts
        if len(contexts) > CONTEXTS_MAX:
            raise ValidationError({"strong_contexts": _("Högst %(n)s kontexter.") % {"n": CONTEXTS_MAX}})
        for context in contexts:
            if len(context) > CONTEXT_MAX_LENGTH or any(c.isspace() for c in context):
                raise ValidationError(
                    {"strong_contexts": _("En kontext per rad, utan mellanslag, högst %(n)s tecken.") % {"n": CONTEXT_MAX_LENGTH}}
                )

    def apply_metadata(self, metadata):
        """Fill the SAML fields from the IdP's metadata (python3-saml's parser's dict)."""
        idp = metadata.get("idp") or {}
        self.saml_entity_id = idp.get("entityId", "")
        self.saml_sso_url = (idp.get("singleSignOnService") or {}).get("url", "")
        certificates = list((idp.get("x509certMulti") or {}).get("signing") or [])
        if not certificates and idp.get("x509cert"):
            certificates = [idp["x509cert"]]
        self.saml_certificates = "\n".join(
            f"{PEM_BLOCK}\n{''.join(c.split())}\n{PEM_END}" for c in certificates
        )

    def auth_params(self):
        return {"acr_values": " ".join(self.contexts)} if self.request_contexts and self.contexts else {}

    def social_app(self):
        """The (unsaved) allauth ``SocialApp`` of this provider."""
        from allauth.socialaccount.models import SocialApp

        if self.is_saml:
            from .saml import app_settings

            return SocialApp(provider="saml", provider_id=self.slug, name=self.name, client_id=self.slug,
                             settings=app_settings(self))
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


def _https_or_local(url):
    parts = urlsplit(url or "")
    return bool(parts.netloc) and (parts.scheme == "https" or parts.hostname in ("127.0.0.1", "localhost", "::1"))


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
