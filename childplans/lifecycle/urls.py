"""The lifecycle app's routes, in the plan's URL namespace (``childplans``)."""

from django.urls import path

from . import views as gallring_views
from .extract import views as extract_views

# --- registerutdrag (issue 19, part 4) -----------------------------------------------------------
# The contact person's page is under the plan (child-scoped); the administrator's takes a plan
# number in a form ("member": staff with two-step verification only, 404 for everyone else).
extract_urlpatterns = [
    path("planer/registerutdrag/", extract_views.AdministratorRegisterutdragView.as_view(), name="registerutdrag_admin"),
    path("planer/<id:plan_pk>/registerutdrag/", extract_views.RegisterutdragView.as_view(), name="registerutdrag"),
]
EXTRACT_ROUTE_CLASSES = {"registerutdrag_admin": "member", "registerutdrag": "child"}
# --- end registerutdrag --------------------------------------------------------------------------

# --- gallring (issue 19, part 3) -----------------------------------------------------------------
# The legal hold page is under the plan (child-scoped: the contact person's); the forecast and its
# CSV are "member" routes whose views answer 404 to all but the administrators.
gallring_urlpatterns = [
    path("planer/<id:plan_pk>/rattslig-sparr/", gallring_views.LegalHoldView.as_view(), name="legal_hold"),
    path("gallring/", gallring_views.GallringForecastView.as_view(), name="gallring_forecast"),
    path("gallring/export.csv", gallring_views.GallringForecastCsvView.as_view(), name="gallring_forecast_csv"),
]
GALLRING_ROUTE_CLASSES = {"legal_hold": "child", "gallring_forecast": "member", "gallring_forecast_csv": "member"}
# --- end gallring --------------------------------------------------------------------------------

urlpatterns = [*extract_urlpatterns, *gallring_urlpatterns]
ROUTE_CLASSES = {**EXTRACT_ROUTE_CLASSES, **GALLRING_ROUTE_CLASSES}
