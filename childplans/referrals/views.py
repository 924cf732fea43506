"""Referral pages.

- The plan's side (child routes under ``plan_pk``, ``PlanAccessMixin``): the plan's referrals
  and a new referral.
- The referral's pages (``referral_pk``, ``ReferralAccessMixin``): the referral as its receivers
  see it (only what it shares, never the plan) and as the plan's team sees it (with the
  decline's reason and a link to the plan), the receivers' answer, the team's taking it back.
- The inbox (the receivers of an organisation; 404 for everyone else).
- The flow (no child data): tips and referrals per term for a network's coordinators and an
  organisation's members.

Every read and change of a referral writes one audit row in the request's transaction."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from childplans.access import ChildListMixin, PlanAccessMixin, PlanFormView
from networks.access import COORDINATOR, get_network_for_user_or_404, is_administrator
from networks.directory import organisations_for_editor
from networks.models import Activity, Network, NetworkOrganisation, Organisation
from networks.receivers import has_receivers
from networks.selectors import page_number_from
from networks.services import receivers_missing_remind
from networks.terms import current_term, parse_term_key, previous_term, term_key, term_label
from portal.forms import ServiceFormMixin, id_from
from portal.models import AuditEvent
from portal.queries import is_valid_id

from . import selectors, services
from .access import ReferralAccessMixin, audit_referral_denied, may_cancel, shares_visible
from .forms import AnswerForm, CancelForm, ReferralForm
from .services import referral_consent_covers

AuditAction = AuditEvent.Action


# --- the plan's side ---------------------------------------------------------------------------------


class PlanReferralsView(PlanAccessMixin, TemplateView):
    """The plan's referrals: where to, status, the latest note back and a decline's reason."""

    template_name = "referrals/plan_referrals.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(plan=self.plan, referrals=selectors.plan_referrals(self.plan))
        return ctx


class ReferralCreateView(PlanFormView):
    """A new referral from the plan (any current member of the team). The organisation list says
    which organisations a consent covers and which have no receiver yet; a refused referral
    says why next to the field and offers the family leaflet instead."""

    template_name = "referrals/referral_form.html"
    form_class = ReferralForm
    change_action = AuditAction.CREATE

    def activity_id(self):
        return id_from(self.request.GET, "verksamhet")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["activity_id"] = self.activity_id()
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        activity_id = self.activity_id()
        activity = Activity.objects.filter(pk=activity_id).first() if activity_id else None
        if activity is not None:
            initial.update(activity=activity.pk, organisation=activity.organisation_id)
        else:
            organisation_id = id_from(self.request.GET, "organisation")
            if organisation_id is not None:
                initial["organisation"] = organisation_id
        return initial

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = ctx["form"]
        chosen = None
        if not form.is_bound and form.initial.get("organisation"):
            chosen = Organisation.objects.filter(pk=form.initial["organisation"]).first()
        if chosen is not None:  # told before sending
            ctx["chosen"] = chosen
            ctx["chosen_covered"] = referral_consent_covers(self.plan, chosen.pk)
            ctx["chosen_receives"] = has_receivers(chosen.pk)
        ctx["offer_leaflet"] = getattr(self, "offer_leaflet", None)
        return ctx

    attempted = (None, None)

    def perform(self, form):
        d = form.cleaned_data
        self.attempted = (d["organisation"], d.get("activity"))  # the form forgets a field in error
        referral = services.referral_send(
            plan=self.plan, by=self.request.user, organisation=d["organisation"], activity=d.get("activity"),
            help_wanted=d["help_wanted"], share_first_name=d["share_first_name"], share_age=d["share_age"],
            contact_by=d["contact_by"], contact_details=d["contact_details"], follow=d["follow"],
            follow_goal=d.get("follow_goal"),
        )
        self.success_message = _("Hänvisningen är skickad. Mottagarna har fått ett meddelande utan uppgifter om barnet.")
        return referral

    def form_invalid(self, form):
        organisation, activity = self.attempted
        codes = {e.code for e in form.errors.as_data().get("organisation", [])}
        if organisation is not None and codes & {"no_consent", "no_receiver"}:
            self.offer_leaflet = (
                reverse("activity_tip", args=[activity.pk]) if activity is not None
                else reverse("directory_search") + f"?organisation={organisation.pk}"
            )
        if organisation is not None and "no_receiver" in codes:
            # Kept with the request's audit row (the service's own changes were rolled back).
            receivers_missing_remind(organisation=organisation, by=self.request.user)
        return super().form_invalid(form)

    def get_success_url(self):
        return reverse("childplans:plan_referrals", kwargs={"plan_pk": self.plan.pk})


# --- one referral ----------------------------------------------------------------------------------


def referral_page_context(request, referral, answer_form=None):
    """What the referral's page shows this viewer (``shares_visible``): for a receiver, only
    what the referral shares and only while it is open and a consent covers the organisation;
    for the team also the decline's reason and the way back to the plan."""
    shares = shares_visible(referral)
    if answer_form is None and referral.viewer_receives and shares:
        answer_form = AnswerForm(referral=referral)
    if answer_form is not None and not answer_form.fields["status"].choices:
        answer_form = None  # nothing left to answer
    return {
        "referral": referral,
        "shares": shares,
        "as_receiver": bool(referral.viewer_receives),
        "as_team": bool(referral.viewer_on_team),
        "events": selectors.events_for(referral) if shares else [],
        "may_cancel": may_cancel(request.user, referral),
        "answer_form": answer_form if shares else None,
    }


class ReferralDetailView(ReferralAccessMixin, TemplateView):
    """A referral: for its receivers only what it shares, never the plan; for the plan's team
    also the decline's reason and the way back to the plan."""

    template_name = "referrals/referral_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(referral_page_context(self.request, self.referral))
        return ctx


class ReferralAnswerView(ReferralAccessMixin, ServiceFormMixin, FormView):
    """The receivers' answer (404 for everyone else): the referral's page with the form."""

    template_name = "referrals/referral_detail.html"
    form_class = AnswerForm
    receivers_only = True

    def get(self, request, *args, **kwargs):
        return redirect("childplans:referral_detail", referral_pk=self.referral.pk)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["referral"] = self.referral
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(referral_page_context(self.request, self.referral, answer_form=ctx.pop("form")))
        return ctx

    def form_invalid(self, form):
        if not shares_visible(self.referral) or not self.referral.is_open:
            messages.error(self.request, _("Hänvisningen är stängd och kan inte besvaras."))
        return super().form_invalid(form)

    def perform(self, form):
        d = form.cleaned_data
        referral = services.referral_answer(
            referral=self.referral, by=self.request.user, status=d["status"], note=d["note"], reason=d["reason"]
        )
        self.success_message = _("Svaret är skickat till barnets team.")
        return referral

    def get_success_url(self):
        return reverse("childplans:referral_detail", kwargs={"referral_pk": self.referral.pk})


class ReferralCancelView(ReferralAccessMixin, ServiceFormMixin, FormView):
    """The referrer or the plan's contact person takes an open referral back (404 for others)."""

    template_name = "referrals/referral_cancel.html"
    form_class = CancelForm
    cancellers_only = True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["referral"] = self.referral
        return ctx

    def perform(self, form):
        referral = services.referral_cancel(referral=self.referral, by=self.request.user,
                                            note=form.cleaned_data["note"])
        self.success_message = _("Hänvisningen är tillbakatagen. Mottagarna ser bara att den är stängd.")
        return referral

    def get_success_url(self):
        return reverse("childplans:plan_referrals", kwargs={"plan_pk": self.referral.plan_id})


# --- the inbox ----------------------------------------------------------------------------------------


class InboxView(ChildListMixin, TemplateView):
    """Hänvisningar: the referrals to the organisations I receive for, open first. Child data:
    two-step verification (the childplans namespace), one audit row (also for an empty page),
    404 for anyone who receives for no organisation."""

    template_name = "referrals/inbox.html"
    list_name = "referral_inbox"
    audit_empty = True

    def reach(self, request, *args, **kwargs):
        not_allowed = super().reach(request, *args, **kwargs)  # a 405: nothing read, nothing to log
        if not_allowed is not None:
            return not_allowed
        self.organisations = selectors.receiver_organisations(request.user)
        if not self.organisations:
            audit_referral_denied(request, None, "not_a_receiver")
            raise Http404
        return None

    def listed_ids(self, context):
        return selectors.listed_ids(context["rows"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        page, rows = selectors.inbox_page(self.request.user, page_number_from(self.request.GET.get("sida")))
        ctx.update(organisations=self.organisations, page_obj=page, rows=rows,
                   waiting=sum(1 for r in rows if r.waiting))
        return ctx


# --- the flow (no child data) -----------------------------------------------------------------------

TERMS_SHOWN = 4


class _FlowView(TemplateView):
    """Tips and referrals per term, counts under five suppressed. Counts only: no two-step
    verification needed (``childplans.middleware.MFA_EXEMPT_URL_NAMES``)."""

    template_name = "referrals/flow.html"

    def organisations(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        now = current_term()
        terms = [now]
        while len(terms) < TERMS_SHOWN:
            terms.append(previous_term(*terms[-1]))
        chosen = parse_term_key(self.request.GET.get("termin"))
        term, year = chosen if chosen in terms else now
        ctx.update(
            flow=selectors.flow(self.organisations(), term, year),
            term_label=term_label(term, year),
            terms=[{"key": term_key(t, y), "label": term_label(t, y), "current": (t, y) == (term, year)}
                   for t, y in terms],
            suppress_below=selectors.SUPPRESS_BELOW,
        )
        return ctx


class NetworkFlowView(_FlowView):
    """For the network's coordinators and administrators: its member organisations (and, for a
    regional network, those of its local networks)."""

    def dispatch(self, request, *args, **kwargs):
        self.network = get_network_for_user_or_404(request.user, kwargs["network_pk"])
        if self.network.user_role != COORDINATOR and not is_administrator(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def organisations(self):
        # The network and its local networks by their own keys first, then their organisations
        # by the network key's index: an OR across the join to the network scanned every
        # network organisation of the country (docs/performance.md, "National scale").
        networks = Network.objects.filter(Q(pk=self.network.pk) | Q(parent_id=self.network.pk)).values("pk")
        links = NetworkOrganisation.objects.filter(network_id__in=networks)
        return Organisation.objects.filter(pk__in=links.values("organisation_id"))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(network=self.network, heading=self.network.name)
        return ctx


class OrganisationFlowView(_FlowView):
    """For the organisation's own members and administrators."""

    def dispatch(self, request, *args, **kwargs):
        pk = kwargs["organisation_pk"]
        self.organisation = (
            organisations_for_editor(request.user).filter(pk=pk).first() if is_valid_id(pk) else None
        )
        if self.organisation is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def organisations(self):
        return Organisation.objects.filter(pk=self.organisation.pk)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(organisation=self.organisation, heading=str(self.organisation))
        return ctx
