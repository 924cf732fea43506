"""Who names an organisation's receivers of referrals (*mottagare*), and who they are.

The receivers of an organisation are named and removed by:

- the organisation's own members (``OrganisationMembership``): they know who answers;
- the coordinators of every network the organisation is a member organisation of: the network
  is where a missing receiver is noticed (they get the reminder, ``receivers_missing_remind``);
- administrators.

Anyone else gets 404 for the page, the same as for an organisation that does not exist. Who
*is* a receiver is read through ``ReferralReceiver.objects.current()``: a receiver who left the
organisation, or whose account was deactivated, receives nothing from the next request on."""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from portal.queries import is_valid_id

from .access import is_administrator
from .models import (
    NetworkMembership,
    NetworkOrganisation,
    Organisation,
    OrganisationMembership,
    ReferralReceiver,
)

COORDINATOR = NetworkMembership.Role.COORDINATOR


def organisations_managed_by(user):
    """The organisations whose receivers ``user`` may name (a queryset)."""
    qs = Organisation.objects.all()
    if is_administrator(user):
        return qs
    if not (user.is_authenticated and user.is_active):
        return qs.none()
    own = OrganisationMembership.objects.filter(user_id=user.pk, organisation_id=OuterRef("pk"))
    coordinated = NetworkOrganisation.objects.filter(
        organisation_id=OuterRef("pk"),
        network__memberships__user_id=user.pk,
        network__memberships__role=COORDINATOR,
    )
    return qs.filter(Q(Exists(own)) | Q(Exists(coordinated)))


def get_organisation_for_receivers_or_404(user, pk):
    """The organisation if ``user`` may name its receivers; Http404 otherwise. One query."""
    if not is_valid_id(pk):
        raise Http404
    organisation = (
        organisations_managed_by(user).select_related("kommun", "lan").filter(pk=pk).first()
    )
    if organisation is None:
        raise Http404
    return organisation


def current_receivers(organisation):
    """The organisation's current receivers with their person, by name. One query."""
    return list(
        ReferralReceiver.objects.current()
        .filter(organisation=organisation)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__email")
    )


def has_receivers(organisation_id):
    return ReferralReceiver.objects.current().filter(organisation_id=organisation_id).exists()
