"""Who may see and change a plan, and the audit row every child-data request writes.

- ``get_plan_for_user_or_404(user, pk)``: the plan through ``ChildPlan.objects.visible_to``;
  the same 404 for "does not exist" and "not yours" (docs/security.md, access rule 3).
- ``PlanAccessMixin``: every child-scoped view declares it. It loads ``self.plan`` (404 and a
  DENIED audit row otherwise), applies the view's declared rules (``contact_only``,
  ``writes`` on closed plans, ``reauthenticate``), runs the view and renders the response,
  then writes exactly ONE audit row: a change (POST) in one transaction with it, a read
  after rendering, before the page is sent. If that insert fails the request fails (HTTP
  500), shows nothing and keeps nothing the view did (docs/security.md 5)."""

from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate
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

from portal.audit import audit_record
from portal.forms import ServiceFormMixin
from portal.models import AuditEvent
from portal.queries import is_valid_id

from .managers import current_membership_filter
from .models import ChildPlan

Action = AuditEvent.Action
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def plans_for(user, queryset=None):
    """``queryset`` (default: all plans) narrowed to what ``user`` may see, annotated with
    the organisation the user is on the team for (``my_organisation_label``)."""
    qs = (queryset if queryset is not None else ChildPlan.objects.all()).visible_to(user)
    if not user.is_authenticated:
        return qs
    mine = current_membership_filter(user).annotate(
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
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    if not is_valid_id(pk):
        raise Http404
    plan = plans_for(user, queryset).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


def my_organisation_label(plan):
    """The organisation the user is on the plan's team for ("name, unit"), for the audit row."""
    return getattr(plan, "my_organisation_label", "") or ""


def _int_or_none(value):
    """An id for the audit row, or None (not a number, or beyond any id column's range)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if -(2**63) <= number < 2**63 else None


def audit_denied(request, *, plan_id=None, reason="not_visible"):
    """A refused attempt (404/403) on child data. Ids and a reason code only."""
    return audit_record(
        action=Action.DENIED,
        request=request,
        plan_id=_int_or_none(plan_id),
        detail={"path_name": getattr(getattr(request, "resolver_match", None), "view_name", ""), "reason": reason},
    )


def audit_plan(request, plan, action, obj=None, detail=None):
    return audit_record(
        action=action,
        request=request,
        plan_id=plan.pk,
        child_id=plan.child_id,
        obj=obj if obj is not None else plan,
        organisation=my_organisation_label(plan),
        detail=detail,
    )


def no_store(response):
    response["Cache-Control"] = "no-store, private"
    return response


class PlanAccessMixin:
    """Declared by every child-scoped view; reads ``plan_pk`` from the URL.

    Attributes a view sets:
    - ``audit_action``: what a successful request is, for the audit (default: VIEW for GET,
      UPDATE for POST). A POST that does not end in a redirect (a form with errors) shows
      the page again and is audited as VIEW.
    - ``writes``: the view changes the plan; a closed plan is read-only (True: every method
      is sent back to the plan; "post": the page can be read, a POST is refused).
    - ``contact_only``: only the plan's contact person may use it (403 for the rest of the team;
      "post": the rest of the team may read the page).
    - ``reauthenticate``: re-authentication within ACCOUNT_REAUTHENTICATION_TIMEOUT is needed
      for a POST (or for every method with ``reauthenticate = "always"``: exports).
    - ``plan_queryset()``: select_related/annotations the view needs on its plan.
    """

    audit_action = None
    writes = False
    contact_only = False
    reauthenticate = False
    plan = None

    def plan_queryset(self):
        """The page's plan queryset: select_related and annotations the page shows."""
        return ChildPlan.objects.select_related("child", "owner_organisation", "contact_person")

    def get_audit_action(self, request, response):
        if request.method in SAFE_METHODS:
            return self.audit_action or Action.VIEW
        if isinstance(response, HttpResponseRedirect):
            return self.audit_action or Action.UPDATE
        return Action.VIEW

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
        if blocked and self.plan.is_closed:
            messages.error(request, _("Planen är avslutad och kan inte ändras."))
            return redirect("childplans:plan_detail", plan_pk=self.plan.pk)
        needs_reauth = self.reauthenticate == "always" or (
            self.reauthenticate and request.method not in SAFE_METHODS
        )
        if needs_reauth and not did_recently_reauthenticate(request):
            raise ReauthenticationRequired()
        return None

    def rendered_response(self, request, *args, **kwargs):
        """The view's response, rendered."""
        response = super().dispatch(request, *args, **kwargs)
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        return response

    def write_audit_row(self, request, response):
        """The request's one audit row."""
        audit_plan(
            request, self.plan, self.get_audit_action(request, response), obj=self.get_audit_object(),
            detail=self.get_audit_detail(),
        )

    def dispatch(self, request, *args, **kwargs):
        plan_pk = kwargs.get("plan_pk")
        try:
            self.plan = get_plan_for_user_or_404(request.user, plan_pk, self.plan_queryset())
        except Http404:
            audit_denied(request, plan_id=plan_pk)
            raise
        try:
            early = self.check_plan_rules(request)
        except PermissionDenied:
            audit_denied(request, plan_id=self.plan.pk, reason="not_contact_person")
            raise
        if early is not None:
            return no_store(early)
        # A change runs in one transaction with its audit row: if the insert fails, nothing the
        # view did is kept. A read is rendered outside any transaction: on SQLite a transaction
        # holds the one write lock from its BEGIN (portal/settings/base.py), so a page rendered
        # inside one would make every request that writes wait for the rendering. Its audit row
        # follows in a transaction of its own, before the page is sent: if the insert fails, the
        # request fails and shows nothing.
        try:
            if request.method in SAFE_METHODS:
                response = self.rendered_response(request, *args, **kwargs)
                with transaction.atomic():
                    self.write_audit_row(request, response)
            else:
                with transaction.atomic():
                    response = self.rendered_response(request, *args, **kwargs)
                    self.write_audit_row(request, response)
        except Http404:  # a sub-object that is not in this plan
            audit_denied(request, plan_id=self.plan.pk, reason="object_not_in_plan")
            raise
        return no_store(response)


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
