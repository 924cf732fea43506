"""Rendered fragments of shared, read-mostly pages, cached with a generation per scope.

The network pages, the regional overview and the directory are read far more often than they
change, by many people who see the same thing, and rendering their tables costs several times
the page's queries (PERFORMANCE.md budgets). So their big parts are rendered once and kept in
the ``fragments`` cache:

- A fragment is kept with its scope's *generation*, under a key made of the language and
  whatever the fragment varies on (network, page number, the viewer's role variant, the set
  of networks the viewer may open …). Access is always checked by the view before a fragment is looked up: a cached
  fragment never decides who sees what, it only saves rendering what this viewer may see.
- Any change to a model the scope shows bumps the generation (``bump``, wired to the models'
  save/delete signals in the apps' ``ready``), so the next request renders afresh (a fragment
  of an older generation counts as missing and is overwritten). The bump happens at once and
  again after the transaction commits, so a fragment rendered from the old data in between is
  not kept either (a fragment is kept with the generation read *before* it was rendered). A missing generation (cache
  flushed or evicted) starts at a random number, never at one used before.
- A short timeout bounds what depends on the clock (the next meeting becomes the last one).
- Fragments must hold nothing per session: ``render`` refuses a fragment with a CSRF token
  (forms in fragments point at one token-carrying form outside them with ``form=``).
- Child data never goes through here. The child plans' indicators do: they are counts per
  kommun with groups under five suppressed, the same for everyone who may see the page.

The cache must be shared by every process that serves pages (Redis in production and in the
benchmark settings): a bump in one gunicorn worker must reach the others. The embedded default
(one runserver process) and the tests keep fragments in local memory."""

import hashlib
import re
import secrets

from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

CACHE_ALIAS = "fragments"
TIMEOUT = 300  # seconds; what depends on the clock is at most this old

NETWORKS = "networks"  # networks, members, organisations, stewardship, meetings shown on them
DIRECTORY = "directory"  # activities, organisations, kommuner
INDICATORS = "indicators"  # the child plans' indicators: counts per kommun, no child data


def _cache():
    return caches[CACHE_ALIAS]


def _generation_key(scope):
    return f"fragment-generation:{scope}"


def generation(scope):
    cache = _cache()
    key = _generation_key(scope)
    value = cache.get(key)
    if value is None:
        cache.add(key, secrets.randbits(52), timeout=None)
        value = cache.get(key)
    return value


def _bump_now(scope):
    cache = _cache()
    key = _generation_key(scope)
    try:
        cache.incr(key)
    except ValueError:  # missing: a fresh random start can never repeat an old generation
        cache.set(key, secrets.randbits(52), timeout=None)


def bump(*scopes):
    """The data a scope shows has changed: its fragments are rendered afresh from now on."""
    for scope in scopes:
        _bump_now(scope)
        transaction.on_commit(lambda scope=scope: _bump_now(scope))


def render(request, scope, name, vary_on, template_name, build_context):
    """The fragment ``name`` for ``vary_on`` from the cache, or rendered from
    ``build_context()`` (called only then) with ``template_name`` and kept. One round trip to
    the cache on a hit: the scope's generation and the fragment come in one ``get_many``, and
    a fragment kept under an older generation counts as missing."""
    return render_many(request, scope, [(name, vary_on, template_name, build_context)])[0]


def render_many(request, scope, fragments):
    """Several fragments of one scope, ``[(name, vary_on, template_name, build_context), …]``,
    with one round trip to the cache when all are kept; a list of their HTML, in order."""
    cache = _cache()
    language = get_language()
    keys = [
        f"fragment:{scope}:{name}:{hashlib.sha256(repr((language, *vary_on)).encode()).hexdigest()}"
        for name, vary_on, _template, _build in fragments
    ]
    generation_key = _generation_key(scope)
    found = cache.get_many([generation_key, *keys])
    current = found.get(generation_key)
    if current is None:
        current = generation(scope)
    result = []
    for key, (name, _vary_on, template_name, build_context) in zip(keys, fragments, strict=True):
        kept = found.get(key)
        if kept is not None and kept[0] == current:
            html = kept[1]
        else:
            html = _compact(render_to_string(template_name, build_context(), request))
            if "csrfmiddlewaretoken" in html:
                raise ImproperlyConfigured(f"fragment {name!r} holds a CSRF token; it must not be cached")
            cache.set(key, (current, html), TIMEOUT)
        result.append(mark_safe(html))  # noqa: S308  rendered by the template engine, autoescaped
    return result


_INDENT = re.compile(r"\n[ \t]+")


def _compact(html):
    """The template's indentation left out (a third of a long table's bytes): rendered once,
    sent many times. Whitespace between words and tags stays (a newline), so the page reads
    the same; a fragment with <pre> or <textarea>, where spaces count, is kept as it is."""
    if "<pre" in html or "<textarea" in html:
        return html
    return _INDENT.sub("\n", html)


def connect(scope, *models, ignore_fields=frozenset()):
    """Bump ``scope`` whenever one of ``models`` is saved or deleted. A save whose
    ``update_fields`` lie within ``ignore_fields`` (e.g. a user's last login) bumps nothing."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    def on_save(sender, update_fields=None, raw=False, **kwargs):
        if update_fields and set(update_fields) <= ignore_fields:
            return
        bump(scope)

    def on_change(sender, **kwargs):
        bump(scope)

    for model in models:
        uid = f"fragments:{scope}:{model._meta.label}"
        post_save.connect(on_save, sender=model, weak=False, dispatch_uid=uid + ":save")
        post_delete.connect(on_change, sender=model, weak=False, dispatch_uid=uid + ":delete")
        for field in model._meta.many_to_many:
            m2m_changed.connect(on_change, sender=field.remote_field.through, weak=False,
                                dispatch_uid=f"{uid}:{field.name}:m2m")
