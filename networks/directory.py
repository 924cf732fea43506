"""Verksamhetskatalogen: searching the directory of activities, and who may change an activity.

Search: on PostgreSQL, full-text search with the Swedish configuration, ranked (title weighs
most, then description, then "så hänvisar du en familj"). The vector is a stored generated
column with the GIN index ``activity_search_sv`` (migration 0005), so neither matching nor
ranking recomputes it; ``tests/networks/test_directory.py`` checks the index with EXPLAIN. On SQLite a plain
fallback: every word must occur in one of the three fields.

The search page reads its results through ``SearchResults``: at most
``DIRECTORY_SEARCH_MAX_RESULTS`` matches are counted and paged through (a common word matches
most of a national directory), and a page's rows are picked on the activity table alone before
their organisation and kommun are joined (docs/performance.md, "The directory at national size").

Changes: an activity is changed by the people who belong to its organisation
(``OrganisationMembership``) and by administrators; anyone else gets 404."""

import re

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, F, Q
from django.db.models.expressions import Expression
from django.http import Http404
from django.shortcuts import get_object_or_404

from .access import is_administrator
from .models import Activity, Kommun, Organisation, OrganisationMembership

SEARCH_CONFIG = "swedish"

# A stored generated tsvector column (migration 0005, PostgreSQL only) with a GIN index
# ``activity_search_sv``: title weighs most (A), then description (B), then how to refer (C).
SEARCH_DOCUMENT_COLUMN = "search_document"
# The title alone (migration 0009), with its own GIN index ``activity_title_sv``: the
# activities whose title has every word are found without reading the others.
TITLE_DOCUMENT_COLUMN = "title_document"

_WORD_RE = re.compile(r"\w+", re.UNICODE)


def _uses_full_text_search():
    return connection.vendor == "postgresql"


class SearchDocument(Expression):
    """A stored, indexed tsvector column (``column``) of the query's own activity table. Named
    through the query's alias, so it stays right in a subquery (where the table is ``U0``):
    SQL naming the table itself would point at the outer query there."""

    output_field = SearchVectorField()

    def __init__(self, column=SEARCH_DOCUMENT_COLUMN):
        super().__init__()
        self.column = column

    def as_sql(self, compiler, connection):
        table = Activity._meta.db_table
        alias = next(
            name
            for name, join in compiler.query.alias_map.items()
            if join.join_type is None and join.table_name == table
        )
        return f"{compiler.quote_name_unless_alias(alias)}.{connection.ops.quote_name(self.column)}", []


def full_text_query(q):
    """The words of ``q`` as a Swedish full-text query (web search syntax: "-ord", "fras")."""
    return SearchQuery(q, config=SEARCH_CONFIG, search_type="websearch")


def search_vector():
    """The stored, indexed tsvector column, for ``.alias()``/``.annotate()``."""
    return SearchDocument()


def listing_rows(activities):
    """The activities of one page of results as a list, each with ``category_label`` and
    ``organisation_kind_label`` read from the choices once per page: ``get_FOO_display`` builds
    a dict of every choice, translating each label, on every call (docs/performance.md)."""
    categories = {value: str(label) for value, label in Activity.Category.choices}
    kinds = {value: str(label) for value, label in Organisation.Kind.choices}
    rows = list(activities)
    for activity in rows:
        activity.category_label = categories.get(activity.category, activity.category)
        activity.organisation_kind_label = kinds.get(activity.organisation.kind, activity.organisation.kind)
    return rows


def _filtered(*, kommun=None, category="", organisation_kind="", age=None, organisation=None):
    qs = Activity.objects.select_related("organisation", "kommun", "kommun__lan")
    if kommun:
        qs = qs.filter(kommun=kommun)
    if category:
        qs = qs.filter(category=category)
    if organisation_kind:
        qs = qs.filter(organisation__kind=organisation_kind)
    if organisation:
        qs = qs.filter(organisation=organisation)
    if age is not None:
        qs = qs.filter(Q(age_from__isnull=True) | Q(age_from__lte=age)).filter(
            Q(age_to__isnull=True) | Q(age_to__gte=age)
        )
    return qs


def _ranked(qs, query, *, matching):
    """``qs`` ranked for ``query``: titles with every word first, then by rank, then by title.
    ``matching``: the condition that makes a row a match (the whole document, or the title)."""
    return (
        qs.alias(search=search_vector(), title_search=SearchDocument(TITLE_DOCUMENT_COLUMN))
        .filter(matching)
        .alias(title_match=ExpressionWrapper(Q(title_search=query), output_field=BooleanField()))
        .annotate(rank=SearchRank(F("search"), query))
        .order_by("-title_match", "-rank", "title", "pk")
    )


def search_activities(*, q="", **filters):
    """Activities matching the filters, best match first (by title when there are no words).
    Filters: ``kommun``, ``category``, ``organisation_kind``, ``age``, ``organisation``.

    ``kommun`` and ``organisation`` may be model instances or primary keys; ``age`` an int.
    The queryset selects the organisation and the kommun (with its län) for listing."""
    qs = _filtered(**filters)
    q = (q or "").strip()
    if not _WORD_RE.search(q):  # nothing to search for, only punctuation
        return qs.order_by("title", "pk")

    if _uses_full_text_search():
        query = full_text_query(q)
        return _ranked(qs, query, matching=Q(search=query))

    # SQLite: LIKE folds only ASCII case, so also try the word lower-cased and capitalised
    # ("förälder" finds "Föräldragrupp").
    for word in _WORD_RE.findall(q):
        variants = {word, word.lower(), word[:1].upper() + word[1:].lower()}
        match = Q()
        for variant in variants:
            match |= (
                Q(title__icontains=variant)
                | Q(description__icontains=variant)
                | Q(how_to_refer__icontains=variant)
            )
        qs = qs.filter(match)
    return qs.order_by("title", "pk")


class SearchResults:
    """The matches of one search, for Django's ``Paginator``, with work bounded by ``limit``
    whatever the number of matches:

    - ``count()`` counts at most ``limit + 1`` matches (``more`` says whether there are more
      than ``limit``) and the pages end at ``limit``: the best ``limit`` matches are shown;
    - ranked (full-text search) with more than ``limit`` matches, the activities whose title
      has every word come first (``title_matches``, served by the title's own index): they are
      ranked among themselves, and the other matches only for a page that reaches past them.
      A common word fills the first ``limit`` places from the titles without ranking the whole
      directory. A page's rows are picked on the activity table alone, then read with their
      organisation and kommun: the joins are for one page, not for every match. (A ranked
      search also counts its titles, to ``limit + 1``: 3 queries, whatever the data.)
    - otherwise at most ``limit`` matches are ranked, or the order is the title index's: the
      page is one query.

    ``ranked``: the order is best match first (full-text search), not by title."""

    def __init__(self, activities, limit, *, title_matches=None, other_matches=None):
        self._activities = activities  # ordered, with the listing's select_related
        # Ranked: callables for the same, title has every word / the rest (built when asked).
        self._title_matches = title_matches
        self._other_matches = other_matches
        self.limit = limit
        self.ranked = title_matches is not None
        self._matches = self._in_titles = None

    @staticmethod
    def _capped(activities, limit):
        return activities.order_by().values("pk")[: limit + 1].count()

    def _capped_matches(self):
        if self._matches is None:
            self._matches = self._capped(self._activities, self.limit)
            if self.ranked:
                # Counted with the matches, needed or not, so that a search makes the same
                # queries whether or not it matches more than ``limit`` (flat as data grows).
                self._in_titles = self._capped(self._title_matches(), self.limit)
        return self._matches

    def count(self):
        return min(self._capped_matches(), self.limit)

    @property
    def more(self):
        """More than ``limit`` activities match."""
        return self._capped_matches() > self.limit

    def __len__(self):
        return self.count()

    def __getitem__(self, key):
        if not isinstance(key, slice) or key.step is not None:
            raise TypeError("SearchResults takes a slice of rows")
        start = max(0, key.start or 0)
        stop = self.limit if key.stop is None else min(key.stop, self.limit)
        if stop <= start:
            return self._activities.none()
        if not (self.ranked and self.more):
            # At most ``limit`` matches, or in title order (the title index): one query.
            return self._activities[start:stop]
        titles, others = self._title_matches().values("pk"), self._other_matches().values("pk")
        in_titles = self._in_titles
        if stop <= in_titles:
            picked = Q(pk__in=titles[start:stop])
        elif start >= in_titles:
            picked = Q(pk__in=others[start - in_titles : stop - in_titles])
        else:
            picked = Q(pk__in=titles[start:in_titles]) | Q(pk__in=others[: stop - in_titles])
        return self._activities.filter(picked)


def search_results(*, limit=None, q="", **filters):
    """``search_activities(q=q, **filters)`` as ``SearchResults``: at most ``limit`` (default
    ``settings.DIRECTORY_SEARCH_MAX_RESULTS``) matches counted and shown."""
    if limit is None:
        limit = settings.DIRECTORY_SEARCH_MAX_RESULTS
    activities = search_activities(q=q, **filters)
    q = (q or "").strip()
    if not (_uses_full_text_search() and _WORD_RE.search(q)):
        return SearchResults(activities, limit)
    query = full_text_query(q)
    in_title = Q(title_search=query)

    def titles():
        if "-" in q:  # may say "not this word" (web search syntax): the title alone cannot tell
            return activities.filter(in_title)
        # A title with every word makes the whole document match: its index alone serves.
        return _ranked(_filtered(**filters), query, matching=in_title)

    return SearchResults(
        activities, limit, title_matches=titles, other_matches=lambda: activities.exclude(in_title)
    )


def kommun_choices(empty_label):
    """Every kommun grouped by län, for a <select> with <optgroup>s (one query)."""
    groups = {}
    rows = Kommun.objects.order_by("lan__code", "name").values_list("pk", "name", "lan__name")
    for pk, name, lan_name in rows:
        groups.setdefault(lan_name, []).append((pk, name))
    return [("", empty_label), *groups.items()]


# --- Who may change an activity ------------------------------------------------------------


def organisations_for_editor(user):
    """The organisations whose activities ``user`` may publish and change."""
    qs = Organisation.objects.select_related("kommun")
    if is_administrator(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    return qs.filter(organisationmembership__user=user)


def can_edit_activity(user, activity):
    if is_administrator(user):
        return True
    if not user.is_authenticated:
        return False
    return OrganisationMembership.objects.filter(
        user=user, organisation_id=activity.organisation_id
    ).exists()


def get_activity_for_editor_or_404(user, pk):
    """The activity if ``user`` may change it; 404 alike for "does not exist" and "not yours"."""
    activity = get_object_or_404(
        Activity.objects.select_related("organisation", "kommun", "kommun__lan"), pk=pk
    )
    if not can_edit_activity(user, activity):
        raise Http404
    return activity
