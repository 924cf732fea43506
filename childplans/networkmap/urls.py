"""Network map URLs. They are plan routes: ``childplans/urls.py`` adds these patterns to its own
list, so they live in the "childplans" namespace (``childplans:map`` …), are classified as
child-scoped by ``childplans.urls.ROUTE_CLASSES`` and ``portal/routes.py`` ("childplans:*"),
pass the two-factor middleware, and are walked by tests/childplans/test_access.py for every
persona and method. Ids only in URLs, never a name or a phone number (docs/security.md 7)."""

from django.urls import path

from . import views

urlpatterns = [
    path("planer/<id:plan_pk>/natverkskarta/", views.MapView.as_view(), name="map"),
    path("planer/<id:plan_pk>/natverkskarta/utskrift/", views.MapPrintView.as_view(), name="map_print"),
    path("planer/<id:plan_pk>/natverkskarta/ny/", views.PersonAddView.as_view(), name="map_person_add"),
    path("planer/<id:plan_pk>/natverkskarta/<id:person_pk>/", views.PersonUpdateView.as_view(),
         name="map_person_update"),
    path("planer/<id:plan_pk>/natverkskarta/<id:person_pk>/lamnat/", views.PersonLeaveView.as_view(),
         name="map_person_leave"),
    path("planer/<id:plan_pk>/natverkskarta/<id:person_pk>/ta-bort/", views.PersonRemoveView.as_view(),
         name="map_person_remove"),
    path("planer/<id:plan_pk>/natverkskarta/versioner/", views.VersionsView.as_view(), name="map_versions"),
    path("planer/<id:plan_pk>/natverkskarta/jamfor/", views.CompareView.as_view(), name="map_compare"),
    path("planer/<id:plan_pk>/vem-kan-trada-in/", views.AcuteView.as_view(), name="map_acute"),
    path("planer/<id:plan_pk>/natverksmoten/", views.MeetingsView.as_view(), name="map_meetings"),
    path("planer/<id:plan_pk>/natverksmoten/ny/", views.MeetingAddView.as_view(), name="map_meeting_add"),
    path("planer/<id:plan_pk>/kostsam-insats/", views.CostlyView.as_view(), name="map_costly"),
]
