"""Who may see a referral, and the audit row every referral request writes (docs/security.md,
promises 3, 5 and 14).

- ``get_referral_for_user_or_404(user, pk, queryset)``: the referral through
  ``Referral.objects.visible_to(user)`` — its receivers (the current mottagare of the receiving
  organisation) and the plan's team; the same 404 for "does not exist" and "not yours".
- ``ReferralAccessMixin``: every page of one referral declares it; it is built on the plan's
  base of every child-data page (``childplans.access.ChildDataMixin``). It loads
  ``self.referral`` (404 and a DENIED audit row otherwise), applies the view's declared rule
  (``receivers_only``: the answer; ``cancellers_only``: taking it back — the referrer and the
  plan's contact person), and runs the view and renders the response inside one transaction
  together with exactly ONE audit row carrying the plan's and the child's ids, so the
  referral's reads and changes are in the plan's access log; if that insert fails the request
  fails.
- What a receiver may read of a referral is decided here too (``shares_visible``): what it
  shares, only while it is open and a consent covers the organisation; after that only its
  status. The team always sees what it sent."""

from django.db.models import Case, CharField, Exists, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Concat
from django.http import Http404

from childplans.access import ChildDataMixin
from childplans.changes import audit_plan
from childplans.models import ConsentOrganisation, TeamMember
from portal.audit import audit_record
from portal.models import AuditEvent
from portal.queries import is_valid_id

from .models import Referral

AuditAction = AuditEvent.Action


def consent_in_force():
    """For a referral queryset: whether a consent in force on the plan covers the receiving
    organisation for referral (decided in the query, on every request)."""
    return Exists(
        ConsentOrganisation.objects.for_referral().filter(
            consent__plan_id=OuterRef("plan_id"), organisation_id=OuterRef("organisation_id")
        )
    )


def referral_queryset(user):
    """A referral with what its pages show: the organisation, the activity, the referrer and
    their organisation, whether a consent is in force, and the ids the audit row needs. The
    plan itself is not loaded: only its child's and contact person's ids and its status."""
    my_team_org = TeamMember.objects.current().filter(plan_id=OuterRef("plan_id"), user_id=user.pk).annotate(
        label=Case(
            When(organisation__unit="", then=F("organisation__name")),
            default=Concat(F("organisation__name"), Value(", "), F("organisation__unit")),
            output_field=CharField(),
        )
    )
    return Referral.objects.select_related(
        "organisation", "activity", "referred_by", "referrer_organisation"
    ).annotate(
        consent_in_force=consent_in_force(),
        plan_child_id=F("plan__child_id"),
        plan_contact_person_id=F("plan__contact_person_id"),
        plan_status=F("plan__status"),
        viewer_team_organisation=Subquery(my_team_org.values("label")[:1]),
    )


def get_referral_for_user_or_404(user, pk, queryset=None):
    """The referral ``pk`` if ``user`` may see it now; Http404 otherwise (also if it does not
    exist). Built by the ORM on every request."""
    if not is_valid_id(pk):
        raise Http404
    qs = queryset if queryset is not None else Referral.objects.all()
    referral = qs.visible_to(user).filter(pk=pk).first()
    if referral is None:
        raise Http404
    return referral


def shares_visible(referral):
    """Whether the page may show what the referral shares: to the team always; to a receiver
    only while the referral is open and a consent covers the organisation (after a withdrawal
    the receiver sees only that it was withdrawn)."""
    if referral.viewer_on_team:
        return True
    return referral.is_open and bool(getattr(referral, "consent_in_force", False))


def may_cancel(user, referral):
    return (
        referral.viewer_on_team and referral.is_open
        and user.pk in (referral.referred_by_id, getattr(referral, "plan_contact_person_id", None))
    )


def audit_referral_denied(request, referral_id, reason):
    return audit_record(
        action=AuditAction.DENIED,
        request=request,
        detail={
            "path_name": getattr(getattr(request, "resolver_match", None), "view_name", ""),
            "reason": reason,
            "referral_id": referral_id if is_valid_id(referral_id) else None,
        },
    )


class ReferralAccessMixin(ChildDataMixin):
    """Declared by every page of one referral; reads ``referral_pk`` from the URL. A child-data
    page like the plan's (``childplans.access.ChildDataMixin``: one transaction, one audit row
    — with the plan's and the child's ids, so the referral's reads and changes are in the plan's
    access log — and no-store).

    - ``receivers_only``: only the referral's receivers may use the route (the answer);
    - ``cancellers_only``: only the referrer and the plan's contact person, on the team (taking
      it back);
    - ``read_action`` / ``change_action``: what the audit row says (VIEW for a read or a form
      shown again, UPDATE for a POST that ends in a redirect).
    Everyone the rule leaves out gets the same 404 as for a referral they may not see. A method
    the page does not answer gets 405 before anything is read (nothing to log)."""

    receivers_only = False
    cancellers_only = False
    referral = None

    def reach(self, request, *args, **kwargs):
        not_allowed = self.method_not_allowed(request, *args, **kwargs)
        if not_allowed is not None:
            return not_allowed
        pk = kwargs.get("referral_pk")
        try:
            self.referral = get_referral_for_user_or_404(request.user, pk, referral_queryset(request.user))
        except Http404:
            audit_referral_denied(request, pk, "not_visible")
            raise
        referral = self.referral
        if (self.receivers_only and not referral.viewer_receives) or (
            self.cancellers_only and not may_cancel(request.user, referral)
        ):
            audit_referral_denied(request, pk, "not_allowed")
            raise Http404
        return None

    def write_audit(self, request, action, response):
        referral = self.referral
        as_receiver = referral.viewer_receives
        audit_plan(
            action=action,
            request=request,
            plan_id=referral.plan_id,
            child_id=referral.plan_child_id,
            obj=referral,
            organisation=str(referral.organisation) if as_receiver else (referral.viewer_team_organisation or ""),
            detail={"referral_id": referral.pk, "as": "receiver" if as_receiver else "team"},
        )

    def audit_denied_inside(self, request):
        audit_referral_denied(request, self.referral.pk, "not_found")
