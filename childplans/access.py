"""Who may see and change a plan, and the one base of every page that shows child data.

- ``get_plan_for_user_or_404(user, pk)``: the plan through ``ChildPlan.objects.visible_to``;
  the same 404 for "does not exist" and "not yours" (docs/security.md, access rule 3).
- ``ChildDataMixin``: the base of every child-data page — a page under a plan
  (``PlanAccessMixin``), a page of one referral (``childplans.referrals.access
  .ReferralAccessMixin``) and a list of many plans' data (``ChildListMixin``). It reaches the
  data through its ``visible_to`` (404 and a DENIED audit row otherwise), runs the view and
  renders the response, and writes exactly ONE audit row — a read row (``read_action``) for
  opening a page or a form, after rendering and before the page is sent; a change row
  (``change_action``) only for a change made, in one transaction with it — and sends ``Cache-Control: no-store``; if the audit insert fails the request
  fails (HTTP 500) and nothing the view did is kept (docs/security.md 5, 8, 15).
- ``PlanAccessMixin``: every child-scoped view declares it. It loads ``self.plan`` and applies
  the view's declared rules (``contact_only``, ``writes`` on a plan that may no longer change,
  ``reauthenticate``)."""

from allauth.core.exceptions import ReauthenticationRequired
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, CharField, F, Subquery, Value, When
from django.db.models.functions import Concat
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView

from portal.assurance import recently_reauthenticated
from portal.audit import audit_record
from portal.forms import ServiceFormMixin
from portal.models import AuditEvent
from portal.queries import parse_id

from .changes import CLOSED_MESSAGE, audit_plan, may_change
from .models import ChildPlan, TeamMember

Action = AuditEvent.Action
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def plans_for(user, queryset=None):
    """``queryset`` (default: all plans) narrowed to what ``user`` may see, annotated with
    the organisation the user is on the team for (``my_organisation_label``)."""
    qs = (queryset if queryset is not None else ChildPlan.objects.all()).visible_to(user)
    if not user.is_authenticated:
        return qs
    mine = TeamMember.objects.giving_access_to(user).annotate(
        label=Case(
            When(organisation__unit="", then=F("organisation__name")),
            default=Concat(F("organisation__name"), Value(", "), F("organisation__unit")),
            output_field=CharField(),
        )
    )
    return qs.annotate(my_organisation_label=Subquery(mine.values("label")[:1]))


def get_plan_for_user_or_404(user, pk, queryset=None):
    """The plan ``pk`` if ``user`` may see it now; Http404 otherwise (also if it does not exist).
    ``queryset`` is the page's plan queryset (select_related, annotations; default: the plan
    alone). Built by the ORM on every request (docs/security.md: nothing about who may see
    what is compiled or cached)."""
    pk = parse_id(pk)
    if pk is None:
        raise Http404
    plan = plans_for(user, queryset).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


def my_organisation_label(plan):
    """The organisation the user is on the plan's team for ("name, unit"), for the audit row."""
    return getattr(plan, "my_organisation_label", "") or ""


def _int_or_none(value):
    """An id for the audit row, or None (not an id, or beyond any id column's range)."""
    return parse_id(value)


def audit_denied(request, *, plan_id=None, reason="not_visible"):
    """A refused attempt (404/403) on child data. Ids and a reason code only."""
    return audit_record(
        action=Action.DENIED,
        request=request,
        plan_id=_int_or_none(plan_id),
        detail={"path_name": getattr(getattr(request, "resolver_match", None), "view_name", ""), "reason": reason},
    )


def audit_plan_request(request, plan, action, obj=None, detail=None):
    """A page's audit row for ``plan`` (``changes.audit_plan``), naming the organisation the user
    is on its team for."""
    return audit_plan(
        action=action, request=request, plan_id=plan.pk, child_id=plan.child_id,
        obj=obj if obj is not None else plan, organisation=my_organisation_label(plan), detail=detail,
    )


def audit_list(request, *, name, plan_ids, **ids):
    """The one audit row of a page that lists child data from many plans (my plans, my actions,
    Min översikt, the referral inbox): the list's name and the ids it shows, nothing else."""
    return audit_record(action=Action.VIEW, request=request, detail={"list": name, **ids, "plan_ids": plan_ids})


def no_store(response):
    response["Cache-Control"] = "no-store, private"
    return response


class ChildDataMixin:
    """The one base of every page that shows or changes child data (docs/security.md 3, 5, 8, 15).
    ``dispatch`` does, in this order and nowhere else:

    1. ``reach(request, *args, **kwargs)``: the subclass loads what the page is about through
       its ``visible_to`` and applies the view's declared rules; someone who may not reach it
       gets a DENIED audit row and 404 (or 403). It may answer at once (a redirect, a 405): then
       nothing was read and nothing is audited.
    2. The view runs, its response is rendered, and exactly ONE audit row is written
       (``write_audit``): for a change (POST) in one transaction with the view, so that if the
       insert fails the request fails (HTTP 500) and nothing the view did is kept; for a read
       (GET, HEAD, OPTIONS) after rendering, in a short transaction of its own, before the page
       is sent — if the insert fails the request fails and shows nothing (a read outside a
       transaction keeps SQLite's one write lock free while the page renders). An Http404 from
       inside the view (an object that is not the page's) is a DENIED row too.
    3. ``Cache-Control: no-store``.

    What the row says is declared on the view, never decided per request by hand:

    - ``read_action`` (VIEW; PRINT or EXPORT for a print or an export view): a GET, HEAD or
      OPTIONS — opening a page or a form changes nothing and is a read — and a POST that shows
      the page again (a form with errors) is a VIEW;
    - ``change_action`` (UPDATE; CREATE or DELETE): a POST that ends in a redirect, the change
      made."""

    read_action = Action.VIEW
    change_action = Action.UPDATE

    def get_audit_action(self, request, response):
        if request.method in SAFE_METHODS:
            return self.read_action
        if isinstance(response, HttpResponseRedirect):
            return self.change_action
        return Action.VIEW

    def reach(self, request, *args, **kwargs):
        """Load what the page is about (404 and a DENIED row for someone who may not reach it)
        and apply the view's rules; return a response to answer at once, or None."""
        raise NotImplementedError

    def write_audit(self, request, action, response):
        """The request's one audit row."""
        raise NotImplementedError

    def audit_denied_inside(self, request):
        """The DENIED row when the view itself finds an object that is not the page's (404)."""
        raise NotImplementedError

    def method_not_allowed(self, request, *args, **kwargs):
        """A 405 for a method the view does not answer (for ``reach`` of a page that answers it
        before reading anything: nothing read, nothing to log), else None."""
        if request.method.lower() not in self.http_method_names or not hasattr(self, request.method.lower()):
            return self.http_method_not_allowed(request, *args, **kwargs)
        return None

    def rendered_response(self, request, *args, **kwargs):
        """The view's response, rendered."""
        response = super().dispatch(request, *args, **kwargs)
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        return response

    def dispatch(self, request, *args, **kwargs):
        early = self.reach(request, *args, **kwargs)
        if early is not None:
            return no_store(early)
        # A change runs in one transaction with its audit row: if the insert fails, nothing the
        # view did is kept. A read is rendered outside any transaction: on SQLite a transaction
        # holds the one write lock from its BEGIN (portal/settings/database.py), so a page rendered
        # inside one would make every request that writes wait for the rendering. Its audit row
        # follows in a short transaction of its own, before the page is sent: if the insert
        # fails, the request fails and shows nothing.
        try:
            if request.method in SAFE_METHODS:
                response = self.rendered_response(request, *args, **kwargs)
                with transaction.atomic():
                    self.write_audit(request, self.get_audit_action(request, response), response)
            else:
                with transaction.atomic():
                    response = self.rendered_response(request, *args, **kwargs)
                    self.write_audit(request, self.get_audit_action(request, response), response)
        except Http404:
            self.audit_denied_inside(request)
            raise
        return no_store(response)


class PlanAccessMixin(ChildDataMixin):
    """Declared by every child-scoped view (a page under a plan); reads ``plan_pk`` from the URL.

    Attributes a view sets (besides ``read_action`` and ``change_action``, ``ChildDataMixin``):
    - ``writes``: the view changes the plan; a plan that may no longer change
      (``changes.may_change``) is read-only (True: every method is sent back to the plan;
      "post": the page can be read, a POST is refused).
    - ``contact_only``: only the plan's contact person may use it (403 for the rest of the team;
      "post": the rest of the team may read the page).
    - ``reauthenticate``: re-authentication within ACCOUNT_REAUTHENTICATION_TIMEOUT is needed
      for a POST (or for every method with ``reauthenticate = "always"``: exports).
    - ``plan_queryset()``: select_related/annotations the view needs on its plan.
    - ``audit_object`` / ``audit_detail``: the row the audit names (default: the plan) and ids
      for its detail.
    """

    writes = False
    contact_only = False
    reauthenticate = False
    plan = None

    def plan_queryset(self):
        """The page's plan queryset: select_related and annotations the page shows."""
        return ChildPlan.objects.select_related("child", "owner_organisation", "contact_person")

    def get_audit_object(self):
        return getattr(self, "audit_object", None)

    def get_audit_detail(self):
        return getattr(self, "audit_detail", None)

    def check_plan_rules(self, request):
        contact_needed = self.contact_only is True or (
            self.contact_only == "post" and request.method not in SAFE_METHODS
        )
        if contact_needed and request.user.pk != self.plan.contact_person_id:
            raise PermissionDenied(_("Bara planens kontaktperson kan göra detta."))
        blocked = self.writes is True or (self.writes == "post" and request.method not in SAFE_METHODS)
        if blocked and not may_change(self.plan):
            messages.error(request, CLOSED_MESSAGE)
            return redirect("childplans:plan_detail", plan_pk=self.plan.pk)
        needs_reauth = self.reauthenticate == "always" or (
            self.reauthenticate and request.method not in SAFE_METHODS
        )
        if needs_reauth and not recently_reauthenticated(request):
            raise ReauthenticationRequired()
        return None

    def reach(self, request, *args, **kwargs):
        plan_pk = kwargs.get("plan_pk")
        try:
            self.plan = get_plan_for_user_or_404(request.user, plan_pk, self.plan_queryset())
        except Http404:
            audit_denied(request, plan_id=plan_pk)
            raise
        try:
            return self.check_plan_rules(request)
        except PermissionDenied:
            audit_denied(request, plan_id=self.plan.pk, reason="not_contact_person")
            raise

    def write_audit(self, request, action, response):
        audit_plan_request(request, self.plan, action, obj=self.get_audit_object(), detail=self.get_audit_detail())

    def audit_denied_inside(self, request):
        audit_denied(request, plan_id=self.plan.pk, reason="object_not_in_plan")


class ChildListMixin(ChildDataMixin):
    """A page that lists child data from many plans (my plans, my actions, the referral inbox).
    Its selectors read only through ``visible_to`` (or the receivers' ``received_by``); one audit
    row (``audit_list``) names the list (``list_name``) and the ids it shows (``listed_ids``
    from the rendered page's context) — none when it shows no plan, unless ``audit_empty``."""

    list_name = None
    audit_empty = False

    def reach(self, request, *args, **kwargs):
        return self.method_not_allowed(request, *args, **kwargs)

    def listed_ids(self, context):
        """``{"plan_ids": [...], ...}``: what the page shows."""
        raise NotImplementedError

    def write_audit(self, request, action, response):
        ids = self.listed_ids(response.context_data)
        if ids.get("plan_ids") or self.audit_empty:
            audit_list(request, name=self.list_name, **ids)

    def audit_denied_inside(self, request):
        audit_denied(request, reason="not_found")


class PlanFormView(PlanAccessMixin, ServiceFormMixin, FormView):
    """A form on a plan page: ``perform(form)`` calls the service; a ValidationError puts the
    message on the form and the transaction (with anything the service did) is rolled back.
    The object the service returns is the audit row's object."""

    writes = True
    plan_form = True  # the form class takes the plan

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.plan_form:
            kwargs["plan"] = self.plan
        return kwargs

    def form_valid(self, form):
        response = super().form_valid(form)
        result = getattr(self, "result", None)
        if result is not None and getattr(result, "pk", None):
            self.audit_object = result
        return response

    def get_success_url(self):
        return reverse("childplans:plan_detail", kwargs={"plan_pk": self.plan.pk})

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["plan"] = self.plan
        return ctx
