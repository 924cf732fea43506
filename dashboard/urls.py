from django.conf import settings
from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("profil/", views.profile, name="profile"),
    path("profil/aviseringar/", views.notice_settings, name="notice_settings"),
]

if settings.BENCH_VIEWS_ENABLED:  # the yardsticks of docs/performance.md
    urlpatterns += [
        path("bench/plain", views.bench_plain, name="bench_plain"),
        path("bench/fortunes_auth", views.bench_fortunes_auth, name="bench_fortunes_auth"),
    ]
