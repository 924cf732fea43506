from django.urls import path

from . import views

urlpatterns = [
    path("bekrafta-via-organisationen/", views.ReauthenticateView.as_view(), name="federated_reauthenticate"),
]
