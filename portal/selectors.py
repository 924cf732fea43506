"""Reads for the dashboard (Min översikt)."""

from django.db.models import Count

from networks.models import Activity, NetworkMembership, OrganisationMembership


def dashboard_context(user):
    memberships = list(
        NetworkMembership.objects.filter(user=user)
        .select_related("network", "network__kommun", "network__lan", "organisation")
        .annotate(member_count=Count("network__memberships", distinct=True))
        .order_by("network__kind", "network__name")
    )
    org_ids = list(OrganisationMembership.objects.filter(user=user).values_list("organisation_id", flat=True))
    activity_count = Activity.objects.filter(organisation_id__in=org_ids).count() if org_ids else 0
    coordinates = [m for m in memberships if m.role == NetworkMembership.Role.COORDINATOR]
    return {
        "memberships": memberships,
        "coordinates": coordinates,
        "has_organisation": bool(org_ids),
        "activity_count": activity_count,
    }
