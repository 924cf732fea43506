"""The root URLconf. The apps are named by string (``include("networks.urls")``), so the bottom
layer imports none of them (docs/architecture.md)."""

from allauth.account.decorators import secure_admin_login
from django.conf.urls.i18n import set_language
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from . import routes, views

admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Barnstödsportalen – administration"

urlpatterns = [
    path("halsa/", views.health, name="health"),
    path("sprak/", login_not_required(set_language), name="set_language"),
    path("konto/", include(routes.account_urlpatterns())),
    path("konto/", include("networks.federation.urls")),
    path("admin/", admin.site.urls),
    path("", include("networks.urls")),
    path("", include("meetings.urls")),
    path("", include("childplans.urls")),
    path("", include("dashboard.urls")),
]
