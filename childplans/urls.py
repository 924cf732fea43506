"""Plan URLs: ids only, never a name or a personnummer (docs/security.md 7).

``ROUTE_CLASSES`` classifies every route here for portal/routes.py (promise 1): "child" routes
take ``plan_pk`` and their view declares ``PlanAccessMixin`` (tests/childplans/test_access.py
walks them all for every persona and method); "member" routes show only the user's own plans
or actions, or no child data at all; the "public" one is a team meeting's answer page behind an
e-mail's links (its token is the key); "referral" routes are the referral inbox and the pages of
one referral (childplans/referrals/urls.py: ``ReferralAccessMixin``)."""

from django.urls import path

from .lifecycle import urls as lifecycle_urls
from .networkmap import urls as networkmap_urls
from .referrals import urls as referral_urls
from .teammeetings import urls as teammeeting_urls
from .views import consent, lists, plan, records, team, wellbeing

app_name = "childplans"

urlpatterns = [
    # member routes
    path("planer/", lists.PlanListView.as_view(), name="plan_list"),
    path("planer/ny/", lists.PlanCreateView.as_view(), name="plan_create"),
    path("planer/mina-insatser/", lists.MyActionsView.as_view(), name="my_actions"),
    path("planer/indikatorer/", lists.IndicatorsView.as_view(), name="indicators"),
    # child-scoped routes
    path("planer/<id:plan_pk>/", plan.PlanDetailView.as_view(), name="plan_detail"),
    path("planer/<id:plan_pk>/barnet/", plan.ChildUpdateView.as_view(), name="child_update"),
    path("planer/<id:plan_pk>/vardnadshavare/ny/", plan.GuardianAddView.as_view(), name="guardian_add"),
    path(
        "planer/<id:plan_pk>/vardnadshavare/<id:guardian_pk>/",
        plan.GuardianUpdateView.as_view(),
        name="guardian_update",
    ),
    path("planer/<id:plan_pk>/samtycken/", consent.ConsentView.as_view(), name="consents"),
    path(
        "planer/<id:plan_pk>/samtycken/<id:consent_pk>/aterkalla/",
        consent.ConsentWithdrawView.as_view(),
        name="consent_withdraw",
    ),
    path(
        "planer/<id:plan_pk>/samtycken/<id:consent_pk>/fornya/",
        consent.ConsentRenewView.as_view(),
        name="consent_renew",
    ),
    path("planer/<id:plan_pk>/team/", team.TeamView.as_view(), name="team"),
    path("planer/<id:plan_pk>/team/ny/", team.TeamAddView.as_view(), name="team_add"),
    path(
        "planer/<id:plan_pk>/team/<id:member_pk>/ta-bort/", team.TeamRemoveView.as_view(), name="team_remove"
    ),
    path("planer/<id:plan_pk>/kontaktperson/", team.HandoverView.as_view(), name="handover"),
    path("planer/<id:plan_pk>/kontaktperson/svar/", team.HandoverRespondView.as_view(), name="handover_respond"),
    path("planer/<id:plan_pk>/bedomningar/", wellbeing.AssessmentListView.as_view(), name="assessments"),
    path("planer/<id:plan_pk>/bedomningar/ny/", wellbeing.AssessmentCreateView.as_view(), name="assessment_create"),
    path("planer/<id:plan_pk>/rost/", wellbeing.VoiceView.as_view(), name="voice"),
    path("planer/<id:plan_pk>/mal/ny/", wellbeing.GoalAddView.as_view(), name="goal_add"),
    path("planer/<id:plan_pk>/insatser/ny/", wellbeing.ActionAddView.as_view(), name="action_add"),
    path("planer/<id:plan_pk>/insatser/<id:action_pk>/", wellbeing.ActionUpdateView.as_view(), name="action_update"),
    path("planer/<id:plan_pk>/uppfoljningar/", records.ReviewsView.as_view(), name="reviews"),
    path(
        "planer/<id:plan_pk>/uppfoljningar/<id:review_pk>/", records.ReviewRecordView.as_view(), name="review_record"
    ),
    path("planer/<id:plan_pk>/kronologi/", records.ChronologyView.as_view(), name="chronology"),
    path("planer/<id:plan_pk>/historik/", records.HistoryView.as_view(), name="history"),
    path("planer/<id:plan_pk>/utskrift/", plan.PrintView.as_view(), name="print"),
    path("planer/<id:plan_pk>/atkomstlogg/", records.AccessLogView.as_view(), name="access_log"),
    path("planer/<id:plan_pk>/avsluta/", plan.CloseView.as_view(), name="close"),
]

# The network map (issue 5) is part of the plan: its routes live in this namespace.
urlpatterns += networkmap_urls.urlpatterns
# So is barnteamets möte (issue 12); its answer page behind the e-mail's links is public.
urlpatterns += teammeeting_urls.urlpatterns
# Referrals (issue 13): the plan's referrals, the receivers' inbox and pages, the flow.
urlpatterns += referral_urls.urlpatterns
# The child's records as a whole (issue 19): gallring and the registerutdrag.
urlpatterns += lifecycle_urls.urlpatterns

MEMBER_ROUTES = frozenset({"plan_list", "plan_create", "my_actions", "indicators"}) | {
    name for name, cls in referral_urls.ROUTE_CLASSES.items() if cls == "member"
} | {name for name, cls in lifecycle_urls.ROUTE_CLASSES.items() if cls == "member"}
PUBLIC_ROUTES = teammeeting_urls.PUBLIC_ROUTES
REFERRAL_ROUTES = frozenset(name for name, cls in referral_urls.ROUTE_CLASSES.items() if cls == "referral")

ROUTE_CLASSES = {
    f"{app_name}:{p.name}": (
        "member" if p.name in MEMBER_ROUTES else "public" if p.name in PUBLIC_ROUTES
        else "referral" if p.name in REFERRAL_ROUTES else "child"
    )
    for p in urlpatterns
}
