from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from . import selectors

DASHBOARD_ACTIONS = 10  # actions listed on Min översikt


def dashboard(request):
    """Min översikt: my networks, my role in each, what I can do next, my coming meetings and
    the plan actions I am responsible for ("Mina insatser": child data, so only behind MFA and
    with its audit row)."""
    from allauth.mfa.utils import is_mfa_enabled

    from childplans.selectors import dashboard_actions_context
    from meetings.selectors import upcoming_meetings_for

    ctx = selectors.dashboard_context(request.user)
    ctx["upcoming_meetings"] = upcoming_meetings_for(request.user)
    if is_mfa_enabled(request.user):
        # The most urgent ones; "Mina insatser" (childplans:my_actions) lists them all.
        ctx.update(dashboard_actions_context(request, show=DASHBOARD_ACTIONS))
        ctx["show_my_actions"] = bool(ctx["my_actions"])
    return render(request, "portal/dashboard.html", ctx)


@login_not_required
@never_cache
def health(request):
    """Liveness and database readiness for load balancers and docker-compose."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception:
        return JsonResponse({"status": "unavailable"}, status=503)


@login_not_required
def bench_plain(request):
    """Yardstick: the ceiling of Django here (PERFORMANCE.md). Only with BENCH_VIEWS_ENABLED."""
    return HttpResponse(b"Hello, World!", content_type="text/plain")


def bench_fortunes_auth(request):
    """Yardstick: login required, one query for 50 rows rendered into an escaped table."""
    from networks.models import Kommun

    rows = list(Kommun.objects.values_list("code", "name")[:50])
    return render(request, "portal/bench_fortunes.html", {"rows": rows})




def profile(request):
    """Min profil: my name and phone, and my title in each organisation I belong to."""
    from django.contrib import messages
    from django.db import transaction
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    from networks.models import OrganisationMembership

    from .forms import ProfileForm, TitleFormSet

    memberships = OrganisationMembership.objects.filter(user=request.user).select_related(
        "organisation", "organisation__kommun", "organisation__lan"
    )
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=request.user)
        titles = TitleFormSet(request.POST, queryset=memberships, prefix="titles")
        if form.is_valid() and titles.is_valid():
            with transaction.atomic():
                form.save()
                titles.save()
            messages.success(request, _("Dina uppgifter är sparade."))
            return redirect("profile")
    else:
        form = ProfileForm(instance=request.user)
        titles = TitleFormSet(queryset=memberships, prefix="titles")
    return render(request, "portal/profile.html", {"form": form, "titles": titles})
