"""Referral URLs. ``childplans/urls.py`` adds these patterns to its own list, so they live in the
"childplans" namespace: the two-step middleware guards them (except the flow, which holds
counts only) and ``portal/routes.py`` classifies each one (``ROUTE_CLASSES`` below):

- "child": under a plan (``plan_pk``, ``PlanAccessMixin``), walked by
  tests/childplans/test_access.py like every plan route;
- "referral": the inbox and the pages of one referral (``referral_pk``, ``ReferralAccessMixin``):
  its receivers and the plan's team, 404 for everyone else (tests/childplans/referrals/
  test_access.py walks them for every persona and method);
- "member": the flow (counts only; the views decide who, 404 for the rest).

Ids only in URLs, never a name (docs/security.md 7)."""

from django.urls import path

from . import views

urlpatterns = [
    path("planer/<id:plan_pk>/hanvisningar/", views.PlanReferralsView.as_view(), name="plan_referrals"),
    path("planer/<id:plan_pk>/hanvisningar/ny/", views.ReferralCreateView.as_view(), name="referral_create"),
    path("hanvisningar/", views.InboxView.as_view(), name="referral_inbox"),
    path("hanvisningar/<id:referral_pk>/", views.ReferralDetailView.as_view(), name="referral_detail"),
    path("hanvisningar/<id:referral_pk>/svar/", views.ReferralAnswerView.as_view(), name="referral_answer"),
    path("hanvisningar/<id:referral_pk>/ta-tillbaka/", views.ReferralCancelView.as_view(), name="referral_cancel"),
    path("hanvisningar/flode/natverk/<id:network_pk>/", views.NetworkFlowView.as_view(), name="flow_network"),
    path(
        "hanvisningar/flode/organisation/<id:organisation_pk>/",
        views.OrganisationFlowView.as_view(),
        name="flow_organisation",
    ),
]

ROUTE_CLASSES = {
    "plan_referrals": "child",
    "referral_create": "child",
    "referral_inbox": "referral",
    "referral_detail": "referral",
    "referral_answer": "referral",
    "referral_cancel": "referral",
    "flow_network": "member",
    "flow_organisation": "member",
}
