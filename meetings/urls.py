from django.urls import path

from .views import attendance, calendar, invitations, meeting, network, register, series

urlpatterns = [
    # A network's meetings
    path("natverk/<id:network_pk>/moten/", network.NetworkMeetingsView.as_view(), name="network_meetings"),
    path("natverk/<id:network_pk>/moten/nytt/", network.MeetingCreateView.as_view(), name="meeting_create"),
    path(
        "natverk/<id:network_pk>/moten/installningar/",
        network.MeetingDefaultsView.as_view(),
        name="meeting_defaults",
    ),
    # The network's year in attendance (issue 21)
    path("natverk/<id:network_pk>/narvaro/", register.YearReportView.as_view(), name="network_attendance"),
    path("natverk/<id:network_pk>/narvaro.csv", register.YearReportCsvView.as_view(), name="network_attendance_csv"),
    # One meeting
    path("moten/<id:pk>/", meeting.MeetingDetailView.as_view(), name="meeting_detail"),
    path("moten/<id:pk>/redigera/", meeting.MeetingUpdateView.as_view(), name="meeting_update"),
    path("moten/<id:pk>/installa/", meeting.MeetingCancelView.as_view(), name="meeting_cancel"),
    path("moten/<id:pk>/avsluta/", meeting.MeetingCloseView.as_view(), name="meeting_close"),
    path("moten/<id:pk>/dagordning/", meeting.AgendaView.as_view(), name="meeting_agenda"),
    path("moten/<id:pk>/bjud-in/", invitations.InviteView.as_view(), name="meeting_invite"),
    path("moten/<id:pk>/svar/", invitations.AnswersView.as_view(), name="meeting_answers"),
    path("moten/<id:pk>/svar.csv", invitations.InvitationsCsvView.as_view(), name="meeting_answers_csv"),
    path(
        "moten/<id:pk>/inbjudningar/ta-bort/", invitations.InvitationRemoveView.as_view(),
        name="meeting_invitation_remove",
    ),
    path("moten/<id:pk>/narvaro/", attendance.AttendanceView.as_view(), name="meeting_attendance"),
    path("moten/<id:pk>/narvaro.csv", attendance.AttendanceCsvView.as_view(), name="meeting_attendance_csv"),
    path("moten/<id:pk>/narvarolista/", attendance.SignInSheetView.as_view(), name="meeting_signin_sheet"),
    path("moten/<id:pk>/minnesanteckningar/", meeting.MinutesView.as_view(), name="meeting_minutes"),
    path("moten/<id:pk>/narvaroregister/", register.RegisterView.as_view(), name="meeting_register"),
    path(
        "moten/<id:pk>/minnesanteckningar/publicera/", register.MinutesPublishView.as_view(),
        name="meeting_minutes_publish",
    ),
    path("moten/<id:pk>/incheckning/", attendance.CheckinQrView.as_view(), name="meeting_checkin_qr"),
    path("moten/<id:pk>/checka-in/<str:token>/", attendance.CheckinView.as_view(), name="meeting_checkin"),
    path("moten/<id:pk>/mitt-svar/", invitations.MyAnswerView.as_view(), name="meeting_my_answer"),
    path("moten/<id:pk>/kalender.ics", meeting.MeetingIcsView.as_view(), name="meeting_ics"),
    # Meeting series (issue 21)
    path("natverk/<id:network_pk>/moten/ny-serie/", series.SeriesCreateView.as_view(), name="series_create"),
    path("moten/serier/<id:series_pk>/", series.SeriesDetailView.as_view(), name="series_detail"),
    path("moten/serier/<id:series_pk>/bjud-in/", series.SeriesInviteView.as_view(), name="series_invite"),
    path("moten/serier/<id:series_pk>/redigera/", series.SeriesUpdateView.as_view(), name="series_update"),
    path("moten/serier/<id:series_pk>/avsluta/", series.SeriesEndView.as_view(), name="series_end"),
    path("moten/serier/<id:series_pk>/mitt-svar/", series.SeriesMyAnswerView.as_view(), name="series_my_answer"),
    path("moten/serier/<id:series_pk>/kalender.ics", series.SeriesIcsView.as_view(), name="series_ics"),
    # Public: the answer page behind the e-mail links, and the private calendar feed
    path("moten/<id:pk>/svara/<str:token>/", invitations.rsvp, name="meeting_rsvp"),
    path("kalender/", calendar.CalendarFeedSettingsView.as_view(), name="calendar_feed_settings"),
    path("kalender/<str:token>.ics", calendar.calendar_feed, name="calendar_feed"),
]
