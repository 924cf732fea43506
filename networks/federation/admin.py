from django.contrib import admin

from portal.admin import AdminInputMixin

from .models import FederatedIdentifier, IdentityProvider


@admin.register(IdentityProvider)
class IdentityProviderAdmin(AdminInputMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "issuer", "identifier_claim", "password_login_allowed", "is_active"]
    filter_horizontal = ["organisations"]
    search_fields = ["name", "slug"]


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
