"""The lifecycle app's routes, in the plan's URL namespace (``childplans``)."""

from django.urls import path

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

urlpatterns = [*extract_urlpatterns]
ROUTE_CLASSES = {**EXTRACT_ROUTE_CLASSES}
