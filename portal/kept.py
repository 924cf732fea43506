"""Kept HTML: a rendered part of a page kept in Django's cache framework, for output that is
the same for everyone allowed to see the page (docs/performance.md, "Kept HTML").

The rules every kept part follows, written beside each one:

- What it shows is the same for every viewer who may open the page: nothing per person, no
  CSRF token, no child data. The view checks access before it asks for the kept part; a kept
  part never decides who sees what.
- It is forgotten by the services that change what it shows, each calling ``forget(...)`` or
  ``forget_scope(...)`` explicitly (grep for the part's name), never by model signals, which
  bulk writes and ``.update()`` skip. Forgetting happens at once and again after the
  transaction commits, so a request that rendered the old data in between cannot keep it.
- A timeout bounds what no service sees (the clock; a change made in the admin).
- A test per write path shows the change on the next request.

Two kinds of key:

- ``kept(name, vary_on, render, timeout)``: one part per ``vary_on``, forgotten with
  ``forget(name, *vary_on)``.
- ``kept(..., scope=...)``: many parts under one scope (every page of one network's member list,
  every search of the directory), all forgotten at once with ``forget_scope(scope)``. The scope
  has a *generation* in the cache; a part is kept with the generation read before it was
  rendered and counts as missing once the generation has moved on. A lost generation (the cache
  was emptied) starts at a random number, never at one used before. One round trip to the cache
  reads the generation and the part together."""

import secrets

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.utils.translation import get_language

CACHE_ALIAS = "kept"


def _cache():
    return caches[CACHE_ALIAS]


def _key(name, language, vary_on):
    return ":".join(["kept", name, language, *map(str, vary_on)])


def _generation_key(scope):
    return f"kept-generation:{scope}"


def kept(name, vary_on, render, timeout, *, scope=None):
    """The kept HTML of part ``name`` for ``vary_on`` (ids and codes) in the current language,
    or ``render()`` kept for ``timeout`` seconds."""
    cache = _cache()
    key = _key(name, get_language() or settings.LANGUAGE_CODE, vary_on)
    if scope is None:
        html = cache.get(key)
        if html is None:
            html = render()
            cache.set(key, html, timeout)
        return html
    generation_key = _generation_key(scope)
    found = cache.get_many([generation_key, key])
    generation = found.get(generation_key)
    if generation is None:
        cache.add(generation_key, secrets.randbits(52), timeout=None)
        generation = cache.get(generation_key)
    entry = found.get(key)
    if entry is not None and entry[0] == generation:
        return entry[1]
    html = render()
    cache.set(key, (generation, html), timeout)
    return html


def forget(name, *vary_on):
    """What part ``name`` (for ``vary_on``, in every language) shows has changed."""
    keys = [_key(name, code, vary_on) for code, _label in settings.LANGUAGES]
    _cache().delete_many(keys)
    transaction.on_commit(lambda: _cache().delete_many(keys))


def forget_scope(*scopes):
    """What every part under these scopes shows has changed: their generations move on."""
    for scope in scopes:
        _next_generation(scope)
        transaction.on_commit(lambda scope=scope: _next_generation(scope))


def _next_generation(scope):
    cache = _cache()
    key = _generation_key(scope)
    try:
        cache.incr(key)
    except ValueError:  # missing: a fresh random start can never repeat an old generation
        cache.set(key, secrets.randbits(52), timeout=None)
