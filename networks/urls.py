from django.urls import path

from .views import (
    directory,
    invitations,
    members,
    networks,
    organisations,
    overview,
    receivers,
    stewardship,
    tips,
)

urlpatterns = [
    # Networks
    path("natverk/", networks.NetworkListView.as_view(), name="network_list"),
    path("natverk/nytt/", networks.NetworkCreateView.as_view(), name="network_create"),
    path("natverk/<id:network_pk>/", networks.NetworkDetailView.as_view(), name="network_detail"),
    path("natverk/<id:network_pk>/redigera/", networks.NetworkUpdateView.as_view(), name="network_update"),
    path("natverk/<id:network_pk>/oversikt/", overview.RegionalOverviewView.as_view(), name="network_overview"),
    # Members
    path("natverk/<id:network_pk>/medlemmar/ny/", members.MemberInviteView.as_view(), name="network_member_invite"),
    path(
        "natverk/<id:network_pk>/medlemmar/<id:membership_pk>/",
        members.MemberDetailView.as_view(),
        name="network_member",
    ),
    path(
        "natverk/<id:network_pk>/medlemmar/<id:membership_pk>/roll/",
        members.MemberRoleView.as_view(),
        name="network_member_role",
    ),
    path(
        "natverk/<id:network_pk>/medlemmar/<id:membership_pk>/ta-bort/",
        members.MemberRemoveView.as_view(),
        name="network_member_remove",
    ),
    # Member organisations
    path(
        "natverk/<id:network_pk>/organisationer/ny/",
        organisations.NetworkOrganisationAddView.as_view(),
        name="network_organisation_add",
    ),
    path(
        "natverk/<id:network_pk>/organisationer/<id:organisation_pk>/",
        organisations.NetworkOrganisationView.as_view(),
        name="network_organisation",
    ),
    path(
        "natverk/<id:network_pk>/organisationer/<id:organisation_pk>/ta-bort/",
        organisations.NetworkOrganisationRemoveView.as_view(),
        name="network_organisation_remove",
    ),
    # Stewardship
    path("natverk/<id:network_pk>/ansvar/", stewardship.StewardshipHandoverView.as_view(), name="network_stewardship"),
    # The invitation link (public)
    path("inbjudan/<uidb64>/<token>/", invitations.invitation_accept, name="invitation_accept"),
    # Verksamhetskatalogen
    path("katalog/", directory.ActivitySearchView.as_view(), name="directory_search"),
    path("katalog/ny/", directory.ActivityCreateView.as_view(), name="activity_create"),
    path("katalog/<id:pk>/", directory.ActivityDetailView.as_view(), name="activity_detail"),
    path("katalog/<id:pk>/redigera/", directory.ActivityUpdateView.as_view(), name="activity_update"),
    path("katalog/<id:pk>/ta-bort/", directory.ActivityDeleteView.as_view(), name="activity_delete"),
    # Tipsa en familj: the leaflet, and the activity's open page (public: the QR code's target)
    path("katalog/<id:pk>/tipsa/", tips.ActivityTipView.as_view(), name="activity_tip"),
    path("katalog/<id:pk>/lapp/", tips.ActivityLeafletView.as_view(), name="activity_leaflet"),
    path("for-familjer/<id:pk>/", tips.ActivityPublicView.as_view(), name="activity_public"),
    # An organisation's receivers of referrals (mottagare)
    path(
        "organisationer/<id:organisation_pk>/mottagare/",
        receivers.ReceiversView.as_view(),
        name="organisation_receivers",
    ),
    path(
        "organisationer/<id:organisation_pk>/mottagare/<id:receiver_pk>/ta-bort/",
        receivers.ReceiverRemoveView.as_view(),
        name="organisation_receiver_remove",
    ),
]
