"""Plan pages. Every child-scoped view declares ``PlanAccessMixin`` (access.py): it loads the
plan through ``ChildPlan.objects.visible_to`` (404 otherwise), applies the view's declared
rules and writes exactly one audit row in the same transaction as the view. Sub-objects are
fetched from the plan's own related managers, so an id from another plan is a 404.
Views stay thin: writes go through ``services`` (ValidationError -> the form)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView, TemplateView

from networks.models import NetworkMembership
from portal import fragments
from portal.audit import audit_record_child
from portal.models import AuditEvent

from . import selectors, services
from .access import PlanAccessMixin, no_store
from .forms import (
    ActionForm,
    AssessmentForm,
    ChildForm,
    ChronologyForm,
    CloseForm,
    ConsentForm,
    ConsentWithdrawForm,
    GoalForm,
    GuardianForm,
    HandoverForm,
    PlanOpenForm,
    ReviewPlanForm,
    ReviewRecordForm,
    TeamAddForm,
    VoiceForm,
)
from .models import Action, Assessment, Consent, Guardian, PlanVoice, Review, TeamMember
from .svg import wheel_svg_safe

AuditAction = AuditEvent.Action


def apply_validation_error(form, exc):
    """Put a service's ValidationError next to the matching fields (others on top of the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class PlanFormView(PlanAccessMixin, FormView):
    """A form on a plan page: ``perform(form)`` calls the service; a ValidationError puts the
    message on the form and the transaction (with anything the service did) is rolled back."""

    writes = True
    success_message = ""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.plan_form:
            kwargs["plan"] = self.plan
        return kwargs

    plan_form = True

    def form_valid(self, form):
        try:
            with transaction.atomic():
                result = self.perform(form)
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        if result is not None and getattr(result, "pk", None):
            self.audit_object = result
        if self.success_message:
            messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())

    def get_success_url(self):
        return reverse("childplans:plan_detail", kwargs={"plan_pk": self.plan.pk})

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["plan"] = self.plan
        return ctx


# --- member routes (no single plan) -----------------------------------------------------------


class PlanListView(TemplateView):
    """Mina planer: the plans I am on the team of. One audit row for the list."""

    template_name = "childplans/plan_list.html"

    def get(self, request, *args, **kwargs):
        plans = list(selectors.plan_list_for(request.user))
        with transaction.atomic():
            response = self.render_to_response(
                self.get_context_data(
                    plans=plans,
                    may_open=services.plan_keeping_organisations(request.user).exists(),
                )
            )
            response.render()
            if plans:
                audit_record_child(
                    action=AuditAction.VIEW, request=request,
                    detail={"list": "plans", "plan_ids": [p.pk for p in plans]},
                )
        return no_store(response)


SENSITIVE_FIELDS = ("given_name", "family_name", "personnummer", "birth_date", "name", "contact", "reason")


@method_decorator(sensitive_post_parameters(*SENSITIVE_FIELDS), name="dispatch")
class PlanCreateView(FormView):
    template_name = "childplans/plan_form.html"
    form_class = PlanOpenForm

    def dispatch(self, request, *args, **kwargs):
        self.organisations = services.plan_keeping_organisations(request.user)
        if not self.organisations.exists():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        from networks.models import Organisation

        kwargs["organisations"] = Organisation.objects.filter(
            pk__in=self.organisations.values("organisation_id")
        ).select_related("kommun", "lan")
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            with transaction.atomic():
                plan = services.plan_open(
                    by=self.request.user,
                    organisation=data["organisation"],
                    given_name=data["given_name"],
                    family_name=data["family_name"],
                    birth_date=data["birth_date"],
                    personnummer=data["personnummer"],
                    reason=data["reason"],
                    categories=data["categories"],
                    part=data["part"],
                    contact_person=data["contact_person"],
                )
                audit_record_child(
                    action=AuditAction.CREATE, request=self.request, plan_id=plan.pk, child_id=plan.child_id,
                    obj=plan, organisation=str(data["organisation"]),
                )
        except ValidationError as exc:
            apply_validation_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Planen är öppnad. Registrera vårdnadshavare och samtycke."))
        return redirect("childplans:plan_detail", plan_pk=plan.pk)

    def render_to_response(self, context, **kwargs):
        return no_store(super().render_to_response(context, **kwargs))


class MyActionsView(TemplateView):
    template_name = "childplans/my_actions.html"

    def get(self, request, *args, **kwargs):
        with transaction.atomic():
            ctx = selectors.dashboard_actions_context(request, limit=200)
            response = self.render_to_response(self.get_context_data(today=timezone.localdate(), **ctx))
            response.render()
        return no_store(response)


class IndicatorsView(TemplateView):
    """Counts for coordinators and administrators: no child data, groups under 5 suppressed."""

    template_name = "childplans/indicators.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        allowed = user.is_staff or NetworkMembership.objects.filter(
            user=user, role=NetworkMembership.Role.COORDINATOR
        ).exists()
        if not allowed:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["suppress_below"] = selectors.SUPPRESS_BELOW
        # Counts over every plan and review: rendered once and kept until they change
        # (portal/fragments.py), the same for everyone who may open the page.
        ctx["table_html"] = fragments.render(
            self.request,
            fragments.INDICATORS,
            "indicators",
            (),
            "childplans/_indicators_table.html",
            lambda: {"groups": selectors.indicators()},
        )
        return ctx


# --- the plan ---------------------------------------------------------------------------------


class PlanDetailView(PlanAccessMixin, TemplateView):
    template_name = "childplans/plan_detail.html"

    def plan_queryset(self):
        return selectors.plan_page_queryset()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        plan = selectors.unpack_plan_page(self.plan)
        team = selectors.current_team(plan)
        ctx.update(
            plan=plan,
            child=plan.child,
            team=team,
            handover_to=next((m.user for m in team if m.user_id == plan.pending_handover_to_id), None),
            goals=selectors.goals_with_actions(plan),
            wheel=wheel_svg_safe(plan.latest_areas) if plan.latest_areas else None,
            area_rows=selectors.assessment_rows(plan.latest_areas, plan.previous_areas),
            is_contact=self.request.user.pk == plan.contact_person_id,
            handover_to_me=plan.pending_handover_to_id == self.request.user.pk,
            today=timezone.localdate(),
        )
        return ctx


@method_decorator(sensitive_post_parameters(*SENSITIVE_FIELDS), name="dispatch")
class ChildUpdateView(PlanFormView):
    template_name = "childplans/child_form.html"
    form_class = ChildForm
    plan_form = False
    writes = "post"  # the page shows the child and guardians on a closed plan too

    def get_initial(self):
        child = self.plan.child
        return {"given_name": child.given_name, "family_name": child.family_name,
                "birth_date": child.birth_date, "personnummer": child.personnummer}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["guardians"] = list(Guardian.objects.filter(child_id=self.plan.child_id).order_by("name", "pk"))
        ctx["categories"] = list(self.plan.reason_categories.all())
        return ctx

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.plan.is_closed:
            for field in form.fields.values():
                field.disabled = True
        return form

    def perform(self, form):
        return services.child_update(plan=self.plan, by=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("childplans:child_update", kwargs={"plan_pk": self.plan.pk})


@method_decorator(sensitive_post_parameters(*SENSITIVE_FIELDS), name="dispatch")
class GuardianAddView(PlanFormView):
    template_name = "childplans/guardian_form.html"
    form_class = GuardianForm
    plan_form = False
    audit_action = AuditAction.CREATE

    def perform(self, form):
        return services.guardian_add(plan=self.plan, by=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("childplans:child_update", kwargs={"plan_pk": self.plan.pk})


class GuardianUpdateView(GuardianAddView):
    audit_action = AuditAction.UPDATE

    def get_form_kwargs(self):
        self.guardian = get_object_or_404(Guardian, child_id=self.plan.child_id, pk=self.kwargs["guardian_pk"])
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.guardian
        return kwargs

    def perform(self, form):
        return services.guardian_update(
            plan=self.plan, guardian=self.guardian, by=self.request.user, **form.cleaned_data
        )


class ConsentView(PlanFormView):
    """The plan's consents, and a form to record one (contact person, re-authenticated)."""

    template_name = "childplans/consents.html"
    form_class = ConsentForm
    contact_only = "post"
    audit_action = AuditAction.CREATE
    reauthenticate = True
    writes = "post"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["consents"] = list(
            Consent.objects.filter(plan=self.plan).select_related("guardian", "recorded_by", "withdrawn_by")
            .prefetch_related("organisations")
        )
        ctx["is_contact"] = self.request.user.pk == self.plan.contact_person_id
        ctx["withdraw_form"] = ConsentWithdrawForm()
        return ctx

    def perform(self, form):
        d = form.cleaned_data
        return services.consent_record(
            plan=self.plan, by=self.request.user, guardian=d["guardian"], given_on=d["given_on"],
            method=d["method"], purposes=d["purposes"], organisations=d["organisations"],
        )

    def get_success_url(self):
        return reverse("childplans:consents", kwargs={"plan_pk": self.plan.pk})

    success_message = property(lambda self: _("Samtycket är registrerat."))


class ConsentWithdrawView(PlanFormView):
    template_name = "childplans/consent_withdraw.html"
    form_class = ConsentWithdrawForm
    plan_form = False
    contact_only = True
    reauthenticate = True

    def get_form_kwargs(self):
        self.consent = get_object_or_404(Consent, plan=self.plan, pk=self.kwargs["consent_pk"])
        return super().get_form_kwargs()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["consent"] = self.consent
        return ctx

    def perform(self, form):
        removed = services.consent_withdraw(
            plan=self.plan, consent=self.consent, by=self.request.user,
            withdrawn_on=form.cleaned_data["withdrawn_on"], note=form.cleaned_data["note"],
        )
        self.audit_detail = {"removed_team_members": [m.pk for m in removed]}
        messages.success(
            self.request,
            ngettext(
                "Samtycket är återkallat. %(n)s person togs bort ur teamet.",
                "Samtycket är återkallat. %(n)s personer togs bort ur teamet.",
                len(removed),
            )
            % {"n": len(removed)},
        )
        return self.consent

    def get_success_url(self):
        return reverse("childplans:consents", kwargs={"plan_pk": self.plan.pk})


class TeamView(PlanAccessMixin, TemplateView):
    template_name = "childplans/team.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["plan"] = self.plan
        ctx["members"] = list(
            TeamMember.objects.filter(plan=self.plan).select_related("user", "organisation", "added_by")
            .order_by("removed_at", "added_at", "pk")
        )
        ctx["is_contact"] = self.request.user.pk == self.plan.contact_person_id
        return ctx


class TeamAddView(PlanFormView):
    template_name = "childplans/team_add.html"
    form_class = TeamAddForm
    contact_only = True
    reauthenticate = True
    audit_action = AuditAction.CREATE

    def perform(self, form):
        m = form.cleaned_data["membership"]
        return services.team_add(
            plan=self.plan, by=self.request.user, user=m.user, organisation=m.organisation,
            part=form.cleaned_data["part"], is_supporter=form.cleaned_data["is_supporter"],
        )

    def get_success_url(self):
        return reverse("childplans:team", kwargs={"plan_pk": self.plan.pk})

    success_message = property(lambda self: _("Personen är tillagd i teamet."))


class TeamRemoveView(PlanFormView):
    template_name = "childplans/team_remove.html"
    contact_only = True
    reauthenticate = True
    audit_action = AuditAction.DELETE
    plan_form = False

    def get_form_class(self):
        from django import forms

        return forms.Form

    def get_form_kwargs(self):
        self.member = get_object_or_404(
            TeamMember.objects.select_related("user", "organisation"),
            plan=self.plan, pk=self.kwargs["member_pk"], removed_at__isnull=True,
        )
        return super().get_form_kwargs()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["member"] = self.member
        return ctx

    def perform(self, form):
        return services.team_remove(plan=self.plan, member=self.member, by=self.request.user)

    def get_success_url(self):
        return reverse("childplans:team", kwargs={"plan_pk": self.plan.pk})

    success_message = property(lambda self: _("Personen är borttagen ur teamet."))


class HandoverView(PlanFormView):
    template_name = "childplans/handover.html"
    form_class = HandoverForm
    contact_only = True
    reauthenticate = True

    def perform(self, form):
        return services.handover_request(plan=self.plan, by=self.request.user, to_user=form.cleaned_data["to_user"])

    success_message = property(
        lambda self: _("Överlämningen är skickad. Den gäller när den nya kontaktpersonen har accepterat.")
    )


class HandoverRespondView(PlanFormView):
    """The named new contact person accepts (or declines) the handover (POST)."""

    template_name = "childplans/handover_respond.html"
    plan_form = False
    reauthenticate = True

    def get_form_class(self):
        from django import forms

        return forms.Form

    def perform(self, form):
        if self.request.POST.get("answer") == "accept":
            result = services.handover_accept(plan=self.plan, by=self.request.user)
            messages.success(self.request, _("Du är nu planens kontaktperson."))
        else:
            result = services.handover_cancel(plan=self.plan, by=self.request.user)
            messages.info(self.request, _("Överlämningen är återkallad."))
        return result


class AssessmentListView(PlanAccessMixin, TemplateView):
    template_name = "childplans/assessments.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        assessments = list(
            Assessment.objects.filter(plan=self.plan).select_related("assessed_by").order_by("-assessed_on", "-pk")
        )
        for index, a in enumerate(assessments):
            previous = assessments[index + 1].areas if index + 1 < len(assessments) else None
            a.rows = selectors.assessment_rows(a.areas, previous)
            a.wheel = wheel_svg_safe(a.areas, title_id=f"wheel-title-{a.pk}")
        ctx.update(plan=self.plan, assessments=assessments)
        return ctx


class AssessmentCreateView(PlanFormView):
    template_name = "childplans/assessment_form.html"
    form_class = AssessmentForm
    plan_form = False
    audit_action = AuditAction.CREATE

    def perform(self, form):
        return services.assessment_record(
            plan=self.plan, by=self.request.user, assessed_on=form.cleaned_data["assessed_on"], areas=form.areas()
        )

    success_message = property(lambda self: _("Bedömningen är sparad."))


class VoiceView(PlanFormView):
    template_name = "childplans/voice.html"
    form_class = VoiceForm
    plan_form = False
    writes = "post"

    def get_initial(self):
        current = PlanVoice.objects.filter(plan=self.plan, version=self.plan.version).first()
        self.current_voice = current
        return {"child_voice": current.child_voice, "guardians_views": current.guardians_views} if current else {}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["voices"] = list(PlanVoice.objects.filter(plan=self.plan).select_related("recorded_by"))
        return ctx

    def perform(self, form):
        return services.voice_save(plan=self.plan, by=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("childplans:voice", kwargs={"plan_pk": self.plan.pk})

    success_message = property(lambda self: _("Barnets röst och vårdnadshavarnas synpunkter är sparade."))


class GoalAddView(PlanFormView):
    template_name = "childplans/goal_form.html"
    form_class = GoalForm
    plan_form = False
    audit_action = AuditAction.CREATE

    def perform(self, form):
        return services.goal_add(plan=self.plan, by=self.request.user, **form.cleaned_data)

    success_message = property(lambda self: _("Målet är sparat."))


class ActionAddView(PlanFormView):
    template_name = "childplans/action_form.html"
    form_class = ActionForm
    audit_action = AuditAction.CREATE

    def get_initial(self):
        initial = {"starts_on": timezone.localdate()}
        goal = self.request.GET.get("mal")
        if goal and goal.isdigit():
            initial["goal"] = int(goal)
        return initial

    def get_context_data(self, **kwargs):
        from networkmap.services import EXPLORED_WITHIN_DAYS, network_explored

        ctx = super().get_context_data(**kwargs)
        explored, last_meeting, last_update = network_explored(self.plan)
        ctx.update(
            network_explored=explored, last_network_meeting=last_meeting,
            last_map_update=last_update, explored_within_days=EXPLORED_WITHIN_DAYS,
        )
        return ctx

    def split_costly(self, form):
        data = dict(form.cleaned_data)
        return data, data.pop("costly", False), data.pop("costly_reason", "")

    def mark_costly(self, action, costly, reason):
        """A costly action goes through the network map's check: the network explored
        recently, or a reason (networkmap.services.action_mark_costly)."""
        if not costly:
            return
        from networkmap.services import action_mark_costly

        try:
            action_mark_costly(plan=self.plan, action=action, by=self.request.user, reason=reason)
        except ValidationError as exc:
            errors = exc.error_dict if hasattr(exc, "error_dict") else {"costly": exc.error_list}
            raise ValidationError(
                {("costly_reason" if field == "reason" else "costly"): e for field, e in errors.items()}
            ) from exc

    def perform(self, form):
        data, costly, reason = self.split_costly(form)
        action = services.action_add(plan=self.plan, by=self.request.user, **data)
        self.mark_costly(action, costly, reason)
        return action

    success_message = property(lambda self: _("Insatsen är sparad."))


class ActionUpdateView(ActionAddView):
    audit_action = AuditAction.UPDATE

    def get_form_kwargs(self):
        self.action = get_object_or_404(Action, plan=self.plan, pk=self.kwargs["action_pk"])
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.action
        return kwargs

    def get_initial(self):
        return {}

    def perform(self, form):
        data, costly, reason = self.split_costly(form)
        action = services.action_update(plan=self.plan, action=self.action, by=self.request.user, **data)
        self.mark_costly(action, costly, reason)
        return action


class ReviewsView(PlanFormView):
    """The plan's reviews, and a form to plan the next one."""

    template_name = "childplans/reviews.html"
    form_class = ReviewPlanForm
    plan_form = False
    audit_action = AuditAction.CREATE
    writes = "post"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["reviews"] = selectors.reviews_for(self.plan)
        ctx["today"] = timezone.localdate()
        return ctx

    def perform(self, form):
        return services.review_plan(plan=self.plan, by=self.request.user, date=form.cleaned_data["date"])

    def get_success_url(self):
        return reverse("childplans:reviews", kwargs={"plan_pk": self.plan.pk})

    success_message = property(lambda self: _("Uppföljningen är planerad."))


class ReviewRecordView(PlanFormView):
    template_name = "childplans/review_form.html"
    form_class = ReviewRecordForm
    plan_form = False

    def get_form_kwargs(self):
        self.review = get_object_or_404(Review, plan=self.plan, pk=self.kwargs["review_pk"])
        return super().get_form_kwargs()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["review"] = self.review
        return ctx

    def perform(self, form):
        return services.review_record(plan=self.plan, review=self.review, by=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("childplans:reviews", kwargs={"plan_pk": self.plan.pk})

    success_message = property(lambda self: _("Uppföljningen är antecknad. Planen har fått en ny version."))


class ChronologyView(PlanFormView):
    template_name = "childplans/chronology.html"
    form_class = ChronologyForm
    plan_form = False
    audit_action = AuditAction.CREATE
    writes = "post"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["entries"] = list(self.plan.chronology.select_related("recorded_by").order_by("-occurred_on", "-pk"))
        return ctx

    def perform(self, form):
        return services.chronology_add(plan=self.plan, by=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("childplans:chronology", kwargs={"plan_pk": self.plan.pk})

    success_message = property(lambda self: _("Händelsen är tillagd i kronologin."))


class HistoryView(PlanAccessMixin, TemplateView):
    template_name = "childplans/history.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(plan=self.plan, changes=selectors.history_for(self.plan))
        return ctx


class PrintView(PlanAccessMixin, TemplateView):
    """A clean printable plan in plain Swedish for the family (print stylesheet)."""

    template_name = "childplans/print.html"
    audit_action = AuditAction.PRINT

    def plan_queryset(self):
        return selectors.plan_page_queryset()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        plan = selectors.unpack_plan_page(self.plan)
        ctx.update(
            plan=plan,
            child=plan.child,
            guardians=list(Guardian.objects.filter(child_id=plan.child_id).order_by("name", "pk")),
            team=selectors.current_team(plan),
            goals=selectors.goals_with_actions(plan),
            area_rows=selectors.assessment_rows(plan.latest_areas, plan.previous_areas),
            wheel=wheel_svg_safe(plan.latest_areas) if plan.latest_areas else None,
            today=timezone.localdate(),
        )
        return ctx


class AccessLogView(PlanAccessMixin, TemplateView):
    """The plan's access log, printable for the guardians (an export: re-authentication)."""

    template_name = "childplans/access_log.html"
    audit_action = AuditAction.EXPORT
    reauthenticate = "always"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        labels = dict(AuditEvent.Action.choices)
        rows = selectors.access_log_for(self.plan)
        for row in rows:
            row["action_label"] = labels.get(row["action"], row["action"])
        ctx.update(plan=self.plan, child=self.plan.child, rows=rows, today=timezone.localdate())
        return ctx


class CloseView(PlanFormView):
    template_name = "childplans/close.html"
    form_class = CloseForm
    plan_form = False
    contact_only = True

    def perform(self, form):
        return services.plan_close(plan=self.plan, by=self.request.user, reason=form.cleaned_data["reason"])

    success_message = property(lambda self: _("Planen är avslutad. Den kan läsas men inte längre ändras."))
