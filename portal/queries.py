"""Small query pieces every app uses, built with the ORM's public API."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Func, IntegerField, Subquery, Window


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


MAX_ID = 2**63 - 1  # the largest value of a 64-bit id column (PostgreSQL bigint, SQLite INTEGER)
_ID_DIGITS = len(str(MAX_ID))


def is_valid_id(value):
    """Whether ``value`` (from a URL's ``<id:…>``) fits an id column. A larger number names no
    row; asking the database for it would fail (PostgreSQL) instead of finding nothing."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def parse_id(value):
    """``value`` as an id that fits an id column, or None: an ``int`` from 1 to ``MAX_ID``, or a
    string of ASCII digits naming one. Anything else — a sign, a space, a decimal point, a
    superscript or other Unicode digit that ``str.isdigit`` accepts, a NUL byte, twenty digits —
    is None, decided before any query (SQLite raises ``OverflowError`` for a number beyond 64
    bits, ``int()`` a ``ValueError`` for "²"). The one parser of ids from outside: forms' id
    fields (``portal.forms``), ``<id:…>`` URL values (``IdConverter``), query parameters."""
    if isinstance(value, str):
        if not (0 < len(value) <= _ID_DIGITS and value.isascii() and value.isdigit()):
            return None
        value = int(value)
    return value if is_valid_id(value) else None


class IdConverter:
    """``<id:name>`` in a URL: an id that fits an id column, as an ``int`` (registered by
    ``PortalConfig.ready``). Every id in a path uses it, so no view ever receives a number the
    database cannot hold: more digits than an id has, or a value beyond ``MAX_ID``, is no match
    (404) before any view runs (tests/test_architecture_input.py: no ``<int:…>`` in any URLconf)."""

    regex = f"[0-9]{{1,{_ID_DIGITS}}}"

    def to_python(self, value):
        pk = parse_id(value)
        if pk is None:
            raise ValueError(value)  # the resolver treats it as no match
        return pk

    def to_url(self, value):
        return str(int(value))


def with_total(queryset, name="total"):
    """``queryset`` with the number of rows it matches in every row (``name``): a window count,
    so a page of it and its total come in one query (``counted_page``)."""
    return queryset.annotate(**{name: Window(Count("pk"))})


def counted_page(queryset, page_number, per_page, *, total="total"):
    """Page ``page_number`` of ``queryset`` — made by ``with_total`` (model instances or
    ``values`` rows) — as a ``Page`` of a list. One query: the total comes with the rows, so the
    paginator makes no ``COUNT(*)`` of its own. A page past the last shows the last (one or two
    more queries, only then); a number below 1 shows the first."""

    def rows_of(number):
        start = (number - 1) * per_page
        return list(queryset[start : start + per_page])

    def total_of(rows):
        if not rows:
            return 0
        return rows[0][total] if isinstance(rows[0], dict) else getattr(rows[0], total)

    page_number = max(1, page_number)
    rows = rows_of(page_number)
    if not rows and page_number > 1:
        first = rows_of(1)
        page_number = max(1, -(-total_of(first) // per_page))
        rows = first if page_number == 1 else rows_of(page_number)
    paginator = Paginator(queryset, per_page)
    paginator.count = total_of(rows)  # counted with the rows (a cached_property, set here)
    return Page(rows, page_number, paginator)


_BUILT = {}


def built_once(key, build):
    """A copy of the queryset ``build()`` makes, built the first time ``key`` is asked for in
    this process and copied (``.all()``) for every later request.

    Building a queryset with many subquery annotations costs more than running it (resolving
    each ``OuterRef``; docs/performance.md, "Less query building"). Only what depends on nothing
    of the request may be built once: never the user, the clock (``timezone.localdate()``), a
    setting that tests change, or data read from the database. Who may see what is always added
    afresh to the copy (docs/security.md, promise 5: ``visible_to`` is built per request), and
    so is every condition that depends on today. The stored queryset is never evaluated, so no
    rows are ever kept; two threads building it at once both build it, which is harmless."""
    queryset = _BUILT.get(key)
    if queryset is None:
        queryset = _BUILT[key] = build()
    return queryset.all()
