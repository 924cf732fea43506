"""Reads for the plan pages, with a fixed number of queries whatever the plan holds
(docs/performance.md: a detail page <= 8 queries, auth included). Every read starts from
``ChildPlan.objects.visible_to(user)`` (directly, or through the plan the view already loaded
with ``get_plan_for_user_or_404``)."""

import json
from datetime import date, timedelta
from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    Exists,
    JSONField,
    Min,
    OuterRef,
    Q,
    Subquery,
)
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from networks.models import OrganisationMembership, ReferralReceiver
from portal.models import AuditEvent
from portal.queries import built_once

from .indicators import (  # noqa: F401  (the indicators' reads live in childplans/indicators.py)
    SUPPRESS_BELOW,
    indicators,
    indicators_left_out,
    indicators_timeout,
    may_see_indicators,
)
from .models import (
    Action,
    Area,
    Assessment,
    ChildPlan,
    Consent,
    ContactHandover,
    Goal,
    Need,
    PlanChange,
    PlanKeepingKind,
    PlanVoice,
    Review,
    TeamMember,
)
from .services import movement


def plan_page_queryset(more=None):
    """The plan with everything the plan page shows about it in the same query: the latest two
    assessments, the next and the last review, the current version's voices, a pending
    handover, whether a consent has been withdrawn, and whether one ends soon or is to be
    confirmed. The part that depends on nothing of the request is built once per process
    (``portal.queries.built_once``); what depends on today is added per request, and the
    visibility rule by ``get_plan_for_user_or_404``.

    ``more``: a function returning more annotations that depend on nothing of the request (the
    referrals' counts, which the plan page's view asks for: the plan's core never imports the
    apps on it); they are built once with the rest."""
    key = "childplans.plan_page" if more is None else f"childplans.plan_page+{more.__module__}.{more.__qualname__}"

    def build():
        fixed = _plan_page_fixed()
        return fixed if more is None else fixed.annotate(**more())

    return built_once(key, build).annotate(**plan_page_today())


def _plan_page_fixed():
    """The annotations that depend on nothing of the request (no user, no date, no setting)."""
    assessments = Assessment.objects.filter(plan=OuterRef("pk")).order_by("-assessed_on", "-pk")
    pending = ContactHandover.objects.filter(
        plan=OuterRef("pk"), accepted_at__isnull=True, cancelled_at__isnull=True
    )
    voice = PlanVoice.objects.filter(plan=OuterRef("pk"), version=OuterRef("version"))
    withdrawn = Consent.objects.filter(plan=OuterRef("pk"), withdrawn_on__isnull=False).order_by("-withdrawn_on")
    return ChildPlan.objects.select_related("child", "owner_organisation", "contact_person").annotate(
        latest_assessment=Subquery(
            assessments.values(j=JSONObject(areas="areas", on="assessed_on"))[:1], output_field=JSONField()
        ),
        previous_assessment=Subquery(
            assessments.values(j=JSONObject(areas="areas", on="assessed_on"))[1:2], output_field=JSONField()
        ),
        next_review_on=Subquery(
            Review.objects.filter(plan=OuterRef("pk"), status=Review.Status.PLANNED)
            .order_by("date")
            .values("date")[:1]
        ),
        last_review_on=Subquery(
            Review.objects.filter(plan=OuterRef("pk"), status=Review.Status.HELD)
            .order_by("-date")
            .values("date")[:1]
        ),
        voice=Subquery(
            voice.values(j=JSONObject(child="child_voice", guardians="guardians_views"))[:1],
            output_field=JSONField(),
        ),
        pending_handover_to_id=Subquery(pending.values("to_user_id")[:1]),
        last_withdrawn_on=Subquery(withdrawn.values("withdrawn_on")[:1]),
    )


def plan_page_today():
    """The plan page's annotations that depend on today (and on CONSENT_ENDING_SOON_DAYS),
    built per request (issue 19): the first consent in force that ends soon, and whether one
    carried forward is to be confirmed."""
    return {
        "consent_ending_on": Subquery(
            Consent.objects.ending_within(settings.CONSENT_ENDING_SOON_DAYS).filter(plan=OuterRef("pk"))
            .order_by("valid_until").values("valid_until")[:1]
        ),
        "consent_to_confirm": Exists(
            Consent.objects.in_force().filter(plan=OuterRef("pk"), needs_confirmation=True)
        ),
    }


def _json(value):
    # SQLite's json_object() embeds a JSON column as text; PostgreSQL's as JSON.
    return json.loads(value) if isinstance(value, str) else value


def unpack_plan_page(plan):
    """Spread the JSON annotations of ``plan_page_queryset`` into plain attributes."""
    latest = plan.latest_assessment or {}
    previous = plan.previous_assessment or {}
    plan.latest_areas = _json(latest.get("areas"))
    plan.previous_areas = _json(previous.get("areas"))
    plan.latest_assessed_on = date.fromisoformat(latest["on"]) if latest.get("on") else None
    plan.previous_assessed_on = date.fromisoformat(previous["on"]) if previous.get("on") else None
    voice = plan.voice or {}
    plan.child_voice = voice.get("child") or ""
    plan.guardians_views = voice.get("guardians") or ""
    return plan


def assessment_rows(latest, previous):
    """The text table beside the wheel: one row per area with need, what is seen and movement."""
    moves = movement(latest, previous)
    rows = []
    for code, label in Area.choices:
        entry = (latest or {}).get(code) or {}
        before = (previous or {}).get(code) or {}
        need = entry.get("need")
        rows.append(
            SimpleNamespace(
                code=code,
                label=label,
                need=need,
                need_label=Need(need).label if need in Need.values else "",
                previous_need_label=Need(before["need"]).label if before.get("need") in Need.values else "",
                seen=entry.get("seen", ""),
                seen_by=entry.get("seen_by", ""),
                movement=moves[code],
            )
        )
    return rows


def current_team(plan):
    return list(
        TeamMember.objects.current().filter(plan=plan)
        .select_related("user", "organisation")
        .order_by("added_at", "pk")
    )


def goals_with_actions(plan, today=None):
    """Goals with their actions in ONE query (a LEFT JOIN read as values, grouped here)."""
    today = today or timezone.localdate()
    rows = (
        Goal.objects.filter(plan=plan)
        .order_by("pk", "actions__due_on", "actions__pk")
        .values(
            "pk", "area", "description",
            "actions__pk", "actions__what", "actions__status", "actions__starts_on", "actions__due_on",
            "actions__follow_up", "actions__responsible_organisation__name",
            "actions__responsible_organisation__unit", "actions__responsible_person_id",
            "actions__responsible_person__first_name", "actions__responsible_person__last_name",
            "actions__responsible_person__email",
        )
    )
    goals = {}
    status_labels = dict(Action.Status.choices)
    area_labels = dict(Area.choices)
    for row in rows:
        goal = goals.get(row["pk"])
        if goal is None:
            goal = goals[row["pk"]] = SimpleNamespace(
                pk=row["pk"], area=row["area"], area_label=area_labels.get(row["area"], ""),
                description=row["description"], actions=[],
            )
        if row["actions__pk"] is None:
            continue
        person = " ".join(
            p for p in (row["actions__responsible_person__first_name"], row["actions__responsible_person__last_name"]) if p
        ) or (row["actions__responsible_person__email"] or "")
        organisation = row["actions__responsible_organisation__name"] or ""
        if row["actions__responsible_organisation__unit"]:
            organisation += ", " + row["actions__responsible_organisation__unit"]
        status = row["actions__status"]
        goal.actions.append(
            SimpleNamespace(
                pk=row["actions__pk"],
                url=reverse("childplans:action_update", args=[plan.pk, row["actions__pk"]]),
                what=row["actions__what"], status=status,
                status_label=status_labels.get(status, ""), starts_on=row["actions__starts_on"],
                due_on=row["actions__due_on"], follow_up=row["actions__follow_up"],
                responsible_organisation=organisation, responsible_person=person,
                responsible_person_id=row["actions__responsible_person_id"],
                is_overdue=status in Action.OPEN_STATUSES and row["actions__due_on"] < today,
            )
        )
    return list(goals.values())


def my_actions_for(user, limit=50):
    """"Mina insatser": open actions the user is responsible for, in active plans they may see
    now, overdue first, then by due date (the same order as by due date alone: every overdue
    action is due before every other). One query; no child names (plan number and the
    action)."""
    if not (user.is_authenticated and user.is_active and user.pk):
        return []
    actions = list(
        Action.objects.filter(
            responsible_person=user,
            status__in=Action.OPEN_STATUSES,
            plan__in=ChildPlan.objects.visible_to(user).active().values("pk"),
        )
        .select_related("goal")
        .order_by("due_on", "pk")[:limit]
    )
    today = timezone.localdate()
    for a in actions:
        a.overdue = a.due_on < today
    return actions


REVIEW_SOON_DAYS = 7  # a planned review this close (or past) is "due" on the dashboard


def plan_work_for(user, today=None):
    """What a professional can do now in the plans, for "Vad kan jag göra nu?": the reviews due
    (planned, at the latest a week from today) of the active plans where the user is the
    contact person, the handovers of the contact person's role waiting for the user's answer,
    and the consents in force of the user's plans (as contact person) that end within
    ``CONSENT_ENDING_SOON_DAYS`` (issue 19). Plan numbers and dates only, never a child's name.
    Three queries."""
    if not (user.is_authenticated and user.is_active and user.pk):
        return {"reviews_due": [], "handovers": [], "consents_ending": []}
    today = today or timezone.localdate()
    mine = ChildPlan.objects.visible_to(user).active()
    reviews = list(
        Review.objects.filter(
            status=Review.Status.PLANNED, date__lte=today + timedelta(days=REVIEW_SOON_DAYS),
            plan__in=mine.filter(contact_person=user).values("pk"),
        )
        .order_by("date", "pk")
        .values("plan_id", "date")[:20]
    )
    handovers = list(
        ContactHandover.objects.filter(
            to_user=user, accepted_at__isnull=True, cancelled_at__isnull=True, plan__in=mine.values("pk")
        )
        .order_by("requested_at", "pk")
        .values("plan_id", "requested_at")[:20]
    )
    consents_ending = list(
        Consent.objects.ending_within(settings.CONSENT_ENDING_SOON_DAYS)
        .filter(plan__in=mine.filter(contact_person=user).values("pk"))
        .order_by("valid_until", "pk")
        .values("plan_id", "valid_until")[:20]
    )
    for review in reviews:
        review["overdue"] = review["date"] < today
    return {"reviews_due": reviews, "handovers": handovers, "consents_ending": consents_ending}


def listed_plan_ids(actions, plan_work=None):
    """The plans a page names when it lists ``actions`` (and ``plan_work``, ``plan_work_for``'s
    rows): for its one audit row (``childplans.access.audit_list``). Sorted ids."""
    plan_ids = {a.plan_id for a in actions}
    for rows in (plan_work or {}).values():
        plan_ids.update(row["plan_id"] for row in rows)
    return sorted(plan_ids)


def dashboard_actions_context(user, limit=50, show=None):
    """Context for ``childplans/_dashboard_actions.html``. Up to ``limit`` actions are read (the
    overdue count is over those); the first ``show`` (all if None) are listed. A read: the page
    that shows it writes the audit row that names the listed plans (``listed_plan_ids``)."""
    found = my_actions_for(user, limit=limit)
    actions = found if show is None else found[:show]
    # Each row's texts are made here rather than by filters and tags per row.
    status_labels = {value: str(label) for value, label in Action.Status.choices}
    plan_text = _("Plan %(pk)s")
    plan_urls = {}
    for a in actions:
        a.url = reverse("childplans:action_update", args=[a.plan_id, a.pk])
        if a.plan_id not in plan_urls:
            plan_urls[a.plan_id] = reverse("childplans:plan_detail", args=[a.plan_id])
        a.plan_url = plan_urls[a.plan_id]
        a.plan_label = plan_text % {"pk": a.plan_id}
        a.status_label = status_labels.get(a.status, a.status)
        a.what_short = a.what if len(a.what) <= 80 else Truncator(a.what).chars(80)
    return {
        "my_actions": actions,
        "my_actions_overdue": sum(1 for a in found if a.overdue),
        "my_actions_more": len(found) > len(actions),
    }


def child_data_reach(user):
    """(plans, referrals) for the menu and the two-step rule, in one query: ``plans`` — a
    current member of any plan's team, or a member of an organisation of a kind that may keep
    plans; ``referrals`` — a current receiver of an organisation's referrals (mottagare,
    ``ReferralReceiver.objects.current()``)."""
    if not (user.is_authenticated and user.pk):
        return False, False
    team = TeamMember.objects.current().filter(user=OuterRef("pk"))
    keeping = OrganisationMembership.objects.filter(
        user=OuterRef("pk"), organisation__kind__in=PlanKeepingKind.objects.values("kind")
    )
    receiving = ReferralReceiver.objects.current().filter(user_id=OuterRef("pk"))
    row = (
        get_user_model().objects.filter(pk=user.pk)
        .annotate(plans=Q(Exists(team)) | Q(Exists(keeping)), referrals=Exists(receiving))
        .values_list("plans", "referrals")
        .first()
    )
    return (bool(row[0]), bool(row[1])) if row else (False, False)


def may_reach_child_data(user):
    """On a plan's team, in an organisation that may keep plans, or a receiver of referrals:
    they must use two-step verification (childplans/middleware.py). One query."""
    return any(child_data_reach(user))


def plan_list_for(user):
    """My plans (any status) with the child, for the plan list. One query."""
    return (
        ChildPlan.objects.visible_to(user)
        .select_related("child", "contact_person", "owner_organisation")
        .annotate(
            next_review_on=Min("reviews__date", filter=Q(reviews__status=Review.Status.PLANNED)),
        )
        .order_by("status", "child__family_name", "child__given_name", "pk")
    )


def history_for(plan, limit=500):
    return list(PlanChange.objects.filter(plan=plan).select_related("user").order_by("-at", "-pk")[:limit])


def access_log_for(plan, limit=2000):
    """The plan's access log for the guardians: who read or changed it, when (HSLF-FS 2016:40)."""
    return list(
        AuditEvent.objects.filter(plan_id=plan.pk)
        .exclude(action=AuditEvent.Action.DENIED)
        .order_by("-at", "-pk")
        .values("at", "user_label", "organisation_label", "action")[:limit]
    )


def reviews_for(plan):
    return list(Review.objects.filter(plan=plan).select_related("recorded_by").order_by("-date", "-pk"))


__all__ = [
    "access_log_for",
    "assessment_rows",
    "current_team",
    "dashboard_actions_context",
    "goals_with_actions",
    "history_for",
    "indicators",
    "listed_plan_ids",
    "my_actions_for",
    "plan_list_for",
    "plan_page_queryset",
    "reviews_for",
]
