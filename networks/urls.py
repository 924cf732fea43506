from django.urls import path

from . import directory_views, views

urlpatterns = [
    # Networks (views.py)
    path("natverk/", views.NetworkListView.as_view(), name="network_list"),
    path("natverk/nytt/", views.NetworkCreateView.as_view(), name="network_create"),
    path("natverk/<int:network_pk>/", views.NetworkDetailView.as_view(), name="network_detail"),
    path("natverk/<int:network_pk>/redigera/", views.NetworkUpdateView.as_view(), name="network_update"),
    path("natverk/<int:network_pk>/oversikt/", views.RegionalOverviewView.as_view(), name="network_overview"),
    path("natverk/<int:network_pk>/medlemmar/ny/", views.MemberInviteView.as_view(), name="network_member_invite"),
    path(
        "natverk/<int:network_pk>/medlemmar/<int:membership_pk>/roll/",
        views.MemberRoleView.as_view(),
        name="network_member_role",
    ),
    path(
        "natverk/<int:network_pk>/medlemmar/<int:membership_pk>/ta-bort/",
        views.MemberRemoveView.as_view(),
        name="network_member_remove",
    ),
    path(
        "natverk/<int:network_pk>/organisationer/ny/",
        views.NetworkOrganisationAddView.as_view(),
        name="network_organisation_add",
    ),
    path(
        "natverk/<int:network_pk>/organisationer/<int:organisation_pk>/ta-bort/",
        views.NetworkOrganisationRemoveView.as_view(),
        name="network_organisation_remove",
    ),
    path("natverk/<int:network_pk>/ansvar/", views.StewardshipHandoverView.as_view(), name="network_stewardship"),
    path("inbjudan/<uidb64>/<token>/", views.invitation_accept, name="invitation_accept"),
    # Verksamhetskatalogen (directory_views.py)
    path("katalog/", directory_views.ActivitySearchView.as_view(), name="directory_search"),
    path("katalog/ny/", directory_views.ActivityCreateView.as_view(), name="activity_create"),
    path("katalog/<int:pk>/", directory_views.ActivityDetailView.as_view(), name="activity_detail"),
    path("katalog/<int:pk>/redigera/", directory_views.ActivityUpdateView.as_view(), name="activity_update"),
    path("katalog/<int:pk>/ta-bort/", directory_views.ActivityDeleteView.as_view(), name="activity_delete"),
]
