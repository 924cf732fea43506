"""Kept HTML: a rendered part of a page kept in Django's cache framework, for output that is
the same for everyone allowed to see the page (docs/performance.md, "Kept HTML").

The rules every kept part follows, written beside each one:

- What it shows is the same for every viewer who may open the page: nothing per person, no
  CSRF token, no child data. The view checks access before it asks for the kept part; a kept
  part never decides who sees what.
- It is forgotten by the services that change what it shows, each calling ``forget(...)``
  explicitly (grep for the part's name), never by model signals, which bulk writes and
  ``.update()`` skip. ``forget`` deletes at once and again after the transaction commits, so a
  request that rendered the old data in between cannot keep it.
- A timeout bounds what the services cannot see (the clock; a change made in the admin).
- A test per write path shows the change on the next request (tests/*/test_kept_*.py)."""

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.utils.translation import get_language

CACHE_ALIAS = "kept"


def _key(name, *vary_on):
    return ":".join(["kept", name, get_language() or settings.LANGUAGE_CODE, *map(str, vary_on)])


def kept(name, vary_on, render, timeout):
    """The kept HTML of part ``name`` for ``vary_on`` (a tuple of ids), or ``render()`` kept
    for ``timeout`` seconds. One cache round trip when it is kept."""
    cache = caches[CACHE_ALIAS]
    key = _key(name, *vary_on)
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, timeout)
    return html


def forget(name, *vary_on):
    """What part ``name`` (for ``vary_on``, in every language) shows has changed: render it
    afresh from the next request on."""
    keys = []
    for code, _label in settings.LANGUAGES:
        keys.append(":".join(["kept", name, code, *map(str, vary_on)]))
    cache = caches[CACHE_ALIAS]
    cache.delete_many(keys)
    transaction.on_commit(lambda: caches[CACHE_ALIAS].delete_many(keys))
