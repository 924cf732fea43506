"""``{% link "namespace:name" id … %}``: the URL ``{% url %}`` gives for integer ids, made by
``portal.links.link_maker`` (the route reversed once per process). For pages that link to a
plan's many parts on every request. A builtin (settings TEMPLATES), no ``{% load %}`` needed."""

from django import template

from portal.links import link_maker

register = template.Library()


@register.simple_tag
def link(viewname, *ids):
    return link_maker(viewname, len(ids))(*ids)
