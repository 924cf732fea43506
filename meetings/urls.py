from django.urls import path

from . import views

urlpatterns = [
    # A network's meetings
    path("natverk/<int:network_pk>/moten/", views.NetworkMeetingsView.as_view(), name="network_meetings"),
    path("natverk/<int:network_pk>/moten/nytt/", views.MeetingCreateView.as_view(), name="meeting_create"),
    path(
        "natverk/<int:network_pk>/moten/installningar/",
        views.MeetingDefaultsView.as_view(),
        name="meeting_defaults",
    ),
    # One meeting
    path("moten/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting_detail"),
    path("moten/<int:pk>/redigera/", views.MeetingUpdateView.as_view(), name="meeting_update"),
    path("moten/<int:pk>/installa/", views.MeetingCancelView.as_view(), name="meeting_cancel"),
    path("moten/<int:pk>/avsluta/", views.MeetingCloseView.as_view(), name="meeting_close"),
    path("moten/<int:pk>/dagordning/", views.AgendaView.as_view(), name="meeting_agenda"),
    path("moten/<int:pk>/bjud-in/", views.InviteView.as_view(), name="meeting_invite"),
    path("moten/<int:pk>/svar/", views.AnswersView.as_view(), name="meeting_answers"),
    path("moten/<int:pk>/svar.csv", views.InvitationsCsvView.as_view(), name="meeting_answers_csv"),
    path(
        "moten/<int:pk>/inbjudningar/<int:invitation_pk>/ta-bort/",
        views.InvitationRemoveView.as_view(),
        name="meeting_invitation_remove",
    ),
    path("moten/<int:pk>/narvaro/", views.AttendanceView.as_view(), name="meeting_attendance"),
    path("moten/<int:pk>/narvaro.csv", views.AttendanceCsvView.as_view(), name="meeting_attendance_csv"),
    path("moten/<int:pk>/narvarolista/", views.SignInSheetView.as_view(), name="meeting_signin_sheet"),
    path("moten/<int:pk>/minnesanteckningar/", views.MinutesView.as_view(), name="meeting_minutes"),
    path("moten/<int:pk>/incheckning/", views.CheckinQrView.as_view(), name="meeting_checkin_qr"),
    path("moten/<int:pk>/checka-in/<str:token>/", views.CheckinView.as_view(), name="meeting_checkin"),
    path("moten/<int:pk>/mitt-svar/", views.MyAnswerView.as_view(), name="meeting_my_answer"),
    path("moten/<int:pk>/kalender.ics", views.MeetingIcsView.as_view(), name="meeting_ics"),
    # Public: the answer page behind the e-mail links, and the private calendar feed
    path("moten/<int:pk>/svara/<str:token>/", views.rsvp, name="meeting_rsvp"),
    path("kalender/", views.CalendarFeedSettingsView.as_view(), name="calendar_feed_settings"),
    path("kalender/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
