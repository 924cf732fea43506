"""Team meeting URLs. They are plan routes: ``childplans/urls.py`` adds these patterns to its own
list, so they live in the "childplans" namespace (``childplans:teammeeting_detail`` …), are
classified by ``childplans.urls.ROUTE_CLASSES`` and ``portal/routes.py``, pass the two-factor
middleware, and the child-scoped ones are walked by tests/childplans/test_access.py for every
persona and method. Ids only in URLs, never a name (docs/security.md 7).

``teammeeting_answer`` is the one public route: the one-click answer behind an e-mail's links,
its token the key (like meetings' ``meeting_rsvp``)."""

from django.urls import path

from .views import answer, meeting, minutes

urlpatterns = [
    path("planer/<id:plan_pk>/barnteam/", meeting.TeamMeetingsView.as_view(), name="teammeetings"),
    path("planer/<id:plan_pk>/barnteam/kalla/", meeting.CallView.as_view(), name="teammeeting_call"),
    path("planer/<id:plan_pk>/barnteam/<id:meeting_pk>/", meeting.DetailView.as_view(), name="teammeeting_detail"),
    path("planer/<id:plan_pk>/barnteam/<id:meeting_pk>/andra/", meeting.UpdateView.as_view(),
         name="teammeeting_update"),
    path("planer/<id:plan_pk>/barnteam/<id:meeting_pk>/stall-in/", meeting.CancelView.as_view(),
         name="teammeeting_cancel"),
    path("planer/<id:plan_pk>/barnteam/<id:meeting_pk>/forberedelse/", meeting.PrepareView.as_view(),
         name="teammeeting_prepare"),
    path("planer/<id:plan_pk>/barnteam/<id:meeting_pk>/dagordning/", meeting.AgendaView.as_view(),
         name="teammeeting_agenda"),
    path("planer/<id:plan_pk>/barnteam/<id:meeting_pk>/protokoll/", minutes.MinutesView.as_view(),
         name="teammeeting_minutes"),
    path("planer/<id:plan_pk>/barnteam/<id:meeting_pk>/protokoll/insats/", minutes.MinutesActionView.as_view(),
         name="teammeeting_minutes_action"),
    # public: the answer page behind the e-mail's links
    path("barnteam/<id:meeting_pk>/svara/<str:token>/", answer.answer, name="teammeeting_answer"),
]

PUBLIC_ROUTES = frozenset({"teammeeting_answer"})
