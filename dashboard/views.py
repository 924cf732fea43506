"""Min översikt and Min profil: the person's own pages, composed from the apps below.

The benchmark yardsticks of docs/performance.md live here too (only with
BENCH_VIEWS_ENABLED): they read a table of the networks app."""

from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from childplans.access import audit_list
from childplans.context_processors import REFERRALS_MENU_KEY, remember_plans_menu
from childplans.referrals import selectors as referral_selectors
from childplans.selectors import (
    dashboard_actions_context,
    listed_plan_ids,
    may_see_indicators,
    plan_work_for,
)
from childplans.teammeetings.selectors import upcoming_team_meetings_for
from meetings.selectors import upcoming_meetings_for
from networks.models import Kommun, OrganisationMembership
from networks.services import profile_update
from portal.notices import preferences_set

from . import selectors
from .forms import NoticeSettingsForm, ProfileForm, TitleFormSet

DASHBOARD_ACTIONS = 10  # actions listed on Min översikt


def dashboard(request):
    """Min översikt: my networks, my role in each, what I can do next, my coming meetings, the
    plan actions I am responsible for ("Mina insatser") and, for the receivers of an
    organisation's referrals, the referrals waiting for an answer (child data, both: only
    behind MFA and with their audit rows)."""
    remember_plans_menu(request)  # a new team member finds "Barnens planer" from here on
    ctx = selectors.dashboard_context(request.user)
    ctx["upcoming_meetings"] = upcoming_meetings_for(request.user)
    # Every network membership of the person is on the page already: no query of its own.
    ctx["may_see_indicators"] = may_see_indicators(request.user, memberships=ctx["memberships"])
    if is_mfa_enabled(request.user):
        # Child data: only behind two-step verification, with one audit row for all of it. The
        # most urgent actions; "Mina insatser" (childplans:my_actions) lists them all. The coming
        # team meetings join "Mina kommande möten" (their plans are named in the same audit row).
        plan_work = plan_work_for(request.user)
        team_meetings = upcoming_team_meetings_for(request.user)
        ctx.update(upcoming_extra_rows=team_meetings, upcoming_extra_template="teammeetings/_dashboard_upcoming.html")
        ctx.update(dashboard_actions_context(request.user, show=DASHBOARD_ACTIONS))
        ctx["show_my_actions"] = bool(ctx["my_actions"])
        listed = {"plan_ids": listed_plan_ids(ctx["my_actions"], {**plan_work, "team_meetings": team_meetings})}
        if request.session.get(REFERRALS_MENU_KEY):  # a receiver (decided just above): one query more
            ctx.update(referral_selectors.dashboard_referrals_context(request.user))
            if ctx["referrals_waiting"]:
                referrals = referral_selectors.listed_ids(ctx["referrals_waiting"])
                listed = {"plan_ids": sorted({*listed["plan_ids"], *referrals["plan_ids"]}),
                          "referral_ids": referrals["referral_ids"]}
        if listed["plan_ids"]:  # one audit row for all the page names: the plans, the referrals waiting
            audit_list(request, name="dashboard", **listed)
        ctx["next_steps"] = (
            selectors.referral_steps(ctx.get("referrals_waiting", []))
            + selectors.plan_steps(plan_work, ctx["my_actions_overdue"])
            + ctx["next_steps"]
        )
    return render(request, "dashboard/dashboard.html", ctx)


def profile(request):
    """Min profil: my name and phone, and my title in each organisation I belong to."""
    memberships = OrganisationMembership.objects.filter(user=request.user).select_related(
        "organisation", "organisation__kommun", "organisation__lan"
    )
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=request.user)
        titles = TitleFormSet(request.POST, queryset=memberships, prefix="titles")
        if form.is_valid() and titles.is_valid():
            profile_update(
                user=request.user, by=request.user, **form.cleaned_data,
                titles={t.instance.pk: t.cleaned_data.get("title", "") for t in titles.forms},
            )
            messages.success(request, _("Dina uppgifter är sparade."))
            return redirect("profile")
    else:
        form = ProfileForm(instance=request.user)
        titles = TitleFormSet(queryset=memberships, prefix="titles")
    return render(request, "dashboard/profile.html", {"form": form, "titles": titles})


def notice_settings(request):
    """Mina aviseringar: what comes in the daily or weekly digest and what comes at once."""
    form = NoticeSettingsForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        preferences_set(user=request.user, by=request.user, choices=form.choices(),
                        hour=form.cleaned_data["hour"], weekday=form.cleaned_data["weekday"])
        messages.success(request, _("Dina val för aviseringar är sparade."))
        return redirect("notice_settings")
    return render(request, "dashboard/notice_settings.html", {"form": form})


@login_not_required
def bench_plain(request):
    """Yardstick: the ceiling of Django here (docs/performance.md)."""
    return HttpResponse(b"Hello, World!", content_type="text/plain")


def bench_fortunes_auth(request):
    """Yardstick: login required, one query for 50 rows rendered into an escaped table."""
    rows = list(Kommun.objects.values_list("code", "name")[:50])
    return render(request, "dashboard/bench_fortunes.html", {"rows": rows})
