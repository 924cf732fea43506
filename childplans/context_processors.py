"""What every page's layout needs to know about child plans (templates/base.html)."""

from .selectors import may_reach_child_data

# In the session: whether "Barnens planer" is in this person's menu. A way in, not a
# permission: every plan page decides access on every request (docs/security.md, promise 4).
PLANS_MENU_KEY = "childplans_menu"


def remember_plans_menu(request):
    """Decide (one query) and remember for the session whether the menu shows "Barnens
    planer": for everyone on a plan's team or whose organisation may keep plans. Called at
    log-in and on every visit to Min översikt, so a new team member finds it from there."""
    shown = may_reach_child_data(request.user)
    if request.session.get(PLANS_MENU_KEY) != shown:
        request.session[PLANS_MENU_KEY] = shown
    return shown


def plans_menu(request):
    """``show_plans_menu`` for the layout, from the session (no query on an ordinary page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    if match is not None and "childplans" in match.namespaces:
        return {"show_plans_menu": True}  # already among the plans
    shown = request.session.get(PLANS_MENU_KEY)
    if shown is None:  # a session from before this setting, or made without a log-in
        shown = remember_plans_menu(request)
    return {"show_plans_menu": shown}
