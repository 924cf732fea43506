"""allauth's SAML URL patterns (same paths, same names: allauth's code reverses them), with the
portal's views where they differ (``networks.federation.saml``). allauth includes this module
for the provider class's package (``PortalSAMLProvider.package``)."""

from allauth.socialaccount.providers.saml import views as allauth_views
from django.urls import include, path

from . import ACSView, FinishACSView, SLSView

urlpatterns = [
    path("saml/<str:organization_slug>/", include([
        path("acs/", ACSView.as_view(), name="saml_acs"),
        path("acs/finish/", FinishACSView.as_view(), name="saml_finish_acs"),
        path("sls/", SLSView.as_view(), name="saml_sls"),
        path("metadata/", allauth_views.metadata, name="saml_metadata"),
        path("login/", allauth_views.login, name="saml_login"),
    ])),
]
