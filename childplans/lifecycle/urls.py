"""The lifecycle's routes, in the plan's URL namespace (childplans/urls.py): the legal hold page
is a plan route ("child"), the forecast a member route whose view answers 404 to all but the
administrators."""

from django.urls import path

from . import views

urlpatterns = [
    path("planer/<id:plan_pk>/rattslig-sparr/", views.LegalHoldView.as_view(), name="legal_hold"),
    path("gallring/", views.GallringForecastView.as_view(), name="gallring_forecast"),
    path("gallring/export.csv", views.GallringForecastCsvView.as_view(), name="gallring_forecast_csv"),
]
MEMBER_ROUTES = frozenset({"gallring_forecast", "gallring_forecast_csv"})
