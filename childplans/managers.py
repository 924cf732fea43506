"""The one way to child data (docs/security.md 3-4): ``ChildPlan.objects.visible_to(user)``.

A plan is visible to a user who is a CURRENT member of its team, who still belongs to the
organisation they are on the team for, and — when that organisation is not the plan's owning
organisation — whose organisation is covered by a consent that has not been withdrawn. It is
evaluated in the query on every request: nothing is cached, so removing a member,
withdrawing consent or leaving the organisation takes effect on the next request.
Staff users, superusers and network coordinators get no special access."""

from django.db import models
from django.db.models import Exists, F, OuterRef, Q

from networks.models import OrganisationMembership


def current_membership_filter(user):
    """TeamMember rows (for ``OuterRef("pk")`` = the plan) that give ``user`` access now."""
    from .models import ConsentOrganisation, TeamMember  # models imports this module

    consent_covers = ConsentOrganisation.objects.filter(
        consent__plan_id=OuterRef("plan_id"),
        organisation_id=OuterRef("organisation_id"),
        consent__withdrawn_on__isnull=True,
    )
    still_in_organisation = OrganisationMembership.objects.filter(
        user_id=OuterRef("user_id"), organisation_id=OuterRef("organisation_id")
    )
    return (
        TeamMember.objects.filter(plan_id=OuterRef("pk"), user_id=user.pk, removed_at__isnull=True)
        .filter(Q(organisation_id=OuterRef("owner_organisation_id")) | Exists(consent_covers))
        .filter(Exists(still_in_organisation))
    )


def members_with_access():
    """TeamMember rows that give their user access to their plan now, for many members at once
    (the same rule as ``current_membership_filter``, which the plan pages use per user; a test
    holds the two together). For work done on the team's behalf outside a request — who still
    gets a team meeting's reminders, whose answer link still works."""
    from .models import ConsentOrganisation, TeamMember  # models imports this module

    consent_covers = ConsentOrganisation.objects.filter(
        consent__plan_id=OuterRef("plan_id"),
        organisation_id=OuterRef("organisation_id"),
        consent__withdrawn_on__isnull=True,
    )
    still_in_organisation = OrganisationMembership.objects.filter(
        user_id=OuterRef("user_id"), organisation_id=OuterRef("organisation_id")
    )
    return (
        TeamMember.objects.filter(removed_at__isnull=True, user__is_active=True)
        .filter(Q(organisation_id=F("plan__owner_organisation_id")) | Exists(consent_covers))
        .filter(Exists(still_in_organisation))
    )


class ChildPlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active or not user.pk:
            return self.none()
        return self.filter(Exists(current_membership_filter(user)))

    def active(self):
        return self.filter(status=self.model.Status.ACTIVE)


ChildPlanManager = models.Manager.from_queryset(ChildPlanQuerySet)
