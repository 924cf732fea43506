from django import template

from portal.assurance import level_label

register = template.Library()


@register.filter
def session_assurance_label(user_session):
    """How an allauth ``UserSession`` logged in (portal.assurance), for "Mina inloggningar"."""
    data = (user_session.data or {}).get("assurance") if isinstance(user_session.data, dict) else None
    return level_label(data.get("level") if isinstance(data, dict) else None)
