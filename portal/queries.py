"""Small query pieces every app uses, built with the ORM's public API."""

from django.db.models import F, Func, IntegerField, Subquery


def count_of(queryset):
    """The number of rows of ``queryset`` as a column of the outer query: a correlated
    ``(SELECT COUNT(*) …)`` subquery. ``queryset`` is filtered on an ``OuterRef``, e.g.
    ``count_of(NetworkMembership.objects.filter(network=OuterRef("pk")))``. An aggregate
    without GROUP BY always gives one row, so the count is 0, never NULL, when nothing
    matches."""
    counted = queryset.order_by().annotate(
        _count=Func(F("pk"), function="COUNT", output_field=IntegerField())
    ).values("_count")
    return Subquery(counted, output_field=IntegerField())


def is_valid_id(value):
    """Whether ``value`` (from a URL's ``<int:…>``) fits an id column. A larger number names no
    row; asking the database for it would fail (PostgreSQL) instead of finding nothing."""
    return isinstance(value, int) and 0 < value < 2**63
