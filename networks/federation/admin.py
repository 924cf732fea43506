from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from portal.admin import AdminInputMixin, AuditedAdmin
from portal.audit import audit_record
from portal.forms import ModelForm as PortalModelForm
from portal.models import AuditEvent

from .models import FederatedIdentifier, IdentityProvider

METADATA_MAX_BYTES = 1_000_000


def parse_metadata(xml):
    """python3-saml's reading of an IdP's metadata (its first IdP with an HTTP-Redirect
    single sign-on service), or a Swedish ValidationError."""
    from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

    try:
        data = OneLogin_Saml2_IdPMetadataParser.parse(xml)
    except Exception as e:  # noqa: BLE001 (lxml, python3-saml: any unreadable document)
        raise forms.ValidationError(_("Metadata kan inte läsas: %(error)s") % {"error": str(e)[:200]}) from e
    if not (data.get("idp") or {}).get("entityId"):
        raise forms.ValidationError(_("Metadata beskriver ingen IdP med inloggning via HTTP-Redirect."))
    return data


def fetch_metadata(url):
    import requests

    response = requests.get(url, timeout=settings.SOCIALACCOUNT_REQUESTS_TIMEOUT, stream=True)
    response.raise_for_status()
    content = response.raw.read(METADATA_MAX_BYTES + 1, decode_content=True)
    if len(content) > METADATA_MAX_BYTES:
        raise forms.ValidationError(_("Metadata är större än 1 MB."))
    return content


class IdentityProviderForm(PortalModelForm):
    saml_metadata_xml = forms.CharField(
        label=_("SAML: klistra in IdP:ns metadata"), required=False, max_length=METADATA_MAX_BYTES,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Fyller i entity id, inloggningsadress och certifikat."),
    )
    saml_metadata_file = forms.FileField(
        label=_("SAML: eller ladda upp metadatafilen"), required=False,
    )

    class Meta(PortalModelForm.Meta):
        model = IdentityProvider
        fields = "__all__"

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("saml_metadata_file")
        xml = cleaned.get("saml_metadata_xml") or ""
        if upload is not None:
            if upload.size > METADATA_MAX_BYTES:
                self.add_error("saml_metadata_file", _("Metadata är större än 1 MB."))
                return cleaned
            xml = upload.read()
        if xml:
            try:
                data = parse_metadata(xml)
            except forms.ValidationError as e:
                self.add_error("saml_metadata_file" if upload is not None else "saml_metadata_xml", e)
                return cleaned
            self.instance.apply_metadata(data)
            for name in ("saml_entity_id", "saml_sso_url", "saml_certificates"):
                cleaned[name] = getattr(self.instance, name)
        return cleaned

    def _post_clean(self):
        metadata_given = bool(self.cleaned_data.get("saml_metadata_xml") or self.cleaned_data.get("saml_metadata_file"))
        super()._post_clean()
        if metadata_given and not self.errors:
            for name in ("saml_entity_id", "saml_sso_url", "saml_certificates"):
                if name not in self.changed_data:
                    self.changed_data.append(name)


@admin.register(IdentityProvider)
class IdentityProviderAdmin(AuditedAdmin):
    form = IdentityProviderForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "slug", "protocol", "identifier_claim", "password_login_allowed", "is_active"]
    list_filter = ["protocol"]
    filter_horizontal = ["organisations"]
    search_fields = ["name", "slug"]
    actions = ["fetch_saml_metadata"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "organisations", "protocol", "identifier_claim", "strong_contexts",
                           "request_contexts", "password_login_allowed", "is_active"]}),
        (_("OpenID Connect"), {"fields": ["issuer", "client_id", "client_secret", "scopes"]}),
        (_("SAML 2.0"), {"fields": ["saml_metadata_url", "saml_metadata_xml", "saml_metadata_file", "saml_entity_id",
                                    "saml_sso_url", "saml_certificates", "saml_context_comparison"]}),
    ]

    @admin.action(description=_("Hämta SAML-metadata från metadataadressen"))
    def fetch_saml_metadata(self, request, queryset):
        """Each ticked SAML provider's metadata fetched from its address: the fields filled in,
        checked as the form checks them, saved with its audit row; a failure named per provider."""
        import requests
        from django.core.exceptions import ValidationError

        for provider in queryset.filter(protocol=IdentityProvider.Protocol.SAML).exclude(saml_metadata_url=""):
            try:
                data = parse_metadata(fetch_metadata(provider.saml_metadata_url))
                provider.apply_metadata(data)
                provider.full_clean()
            except (requests.RequestException, forms.ValidationError, ValidationError) as e:
                message = "; ".join(e.messages) if hasattr(e, "messages") else str(e)[:200]
                self.message_user(
                    request, _("%(name)s: metadata kunde inte hämtas: %(error)s") % {"name": provider.name, "error": message},
                    messages.ERROR,
                )
                continue
            with transaction.atomic():
                provider.save(update_fields=["saml_entity_id", "saml_sso_url", "saml_certificates"])
                audit_record(
                    action=AuditEvent.Action.UPDATE, event="admin.identityprovider.metadata_fetched", user=request.user,
                    obj=provider, detail={"fields": ["saml_certificates", "saml_entity_id", "saml_sso_url"]},
                )
            self.message_user(request, _("%(name)s: metadata hämtad.") % {"name": provider.name}, messages.SUCCESS)


@admin.register(FederatedIdentifier)
class FederatedIdentifierAdmin(AdminInputMixin, admin.ModelAdmin):
    list_display = ["value", "provider", "user"]
    list_select_related = ["provider", "user"]
    list_filter = ["provider"]
    search_fields = ["value", "user__email"]
    raw_id_fields = ["user"]


# allauth's own admin pages of socialaccount: the SocialApp and SocialToken tables are not used
# (providers are IdentityProvider rows; tokens are not stored), so they are not offered; the
# links (SocialAccount) are shown with the portal's input checks, as portal/admin.py does for
# allauth's other models.
from allauth.socialaccount.admin import SocialAccountAdmin  # noqa: E402
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken  # noqa: E402

for _model in (SocialApp, SocialToken, SocialAccount):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(SocialAccount)
class PortalSocialAccountAdmin(AdminInputMixin, SocialAccountAdmin):
    raw_id_fields = ["user"]
