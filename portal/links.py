"""Links to many rows of one kind on a page, reversed once per page.

A ``{% url %}`` per row of a long list (50 members, 50 organisations, 49 local networks on a
regional network's page) costs a ``reverse()`` each: the resolver walks its patterns every
time. ``href_for`` reverses the URL once with a placeholder id and builds every row's link by
putting the row's id in its place — the same string ``reverse()`` gives (the ``id`` converter
writes an id as its decimal digits, portal/queries.py ``IdConverter``). Build it per page (in
the view or the selector the page calls), never per process: ``reverse()`` depends on the
request's script prefix (docs/performance.md, "Less work per request")."""

from django.urls import reverse

# An id that fits the ``id`` converter and that no URL of the portal carries by itself.
PLACEHOLDER = "9081726354"


def href_for(viewname, *args):
    """A function ``pk -> reverse(viewname, args=[*args, pk])`` that reverses only once.

    The row's id must be the URL's last argument. Falls back to one ``reverse()`` per row if
    the placeholder does not appear exactly once in the reversed URL."""
    url = reverse(viewname, args=[*args, PLACEHOLDER])
    if url.count(PLACEHOLDER) != 1:
        return lambda pk: reverse(viewname, args=[*args, pk])
    head, _, tail = url.partition(PLACEHOLDER)
    return lambda pk: f"{head}{int(pk)}{tail}"
