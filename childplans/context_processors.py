"""What every page's layout needs to know about child plans (templates/base.html)."""

from .selectors import child_data_reach

# In the session: whether "Barnens planer" and "Hänvisningar" are in this person's menu. A way
# in, not a permission: every plan and referral page decides access on every request
# (docs/security.md, promise 4).
PLANS_MENU_KEY = "childplans_menu"
REFERRALS_MENU_KEY = "referrals_menu"


def remember_plans_menu(request):
    """Decide (one query) and remember for the session whether the menu shows "Barnens
    planer" (for everyone on a plan's team or whose organisation may keep plans) and
    "Hänvisningar" (for the receivers of an organisation's referrals). Called at log-in and on
    every visit to Min översikt, so a new team member or receiver finds it from there. Returns
    whether "Barnens planer" is shown."""
    plans, referrals = child_data_reach(request.user)
    if request.session.get(PLANS_MENU_KEY) != plans:
        request.session[PLANS_MENU_KEY] = plans
    if request.session.get(REFERRALS_MENU_KEY) != referrals:
        request.session[REFERRALS_MENU_KEY] = referrals
    return plans


def plans_menu(request):
    """``show_plans_menu`` and ``show_referrals_menu`` for the layout, from the session (no
    query on an ordinary page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    shown = request.session.get(PLANS_MENU_KEY)
    referrals = request.session.get(REFERRALS_MENU_KEY)
    if shown is None or referrals is None:  # a session from before this setting, or made without a log-in
        remember_plans_menu(request)
        shown, referrals = request.session[PLANS_MENU_KEY], request.session[REFERRALS_MENU_KEY]
    match = getattr(request, "resolver_match", None)
    if match is not None and "childplans" in match.namespaces and "plan_pk" in match.kwargs:
        shown = True  # on a plan's own page: already among the plans
    return {"show_plans_menu": shown, "show_referrals_menu": referrals}
