"""Fixtures for the team meeting tests: the full plan of tests/childplans/conftest.py (contact
person from social services, the school's teacher, the guardian with an e-mail address) and a
deacon from the church on the team (the guardian's consent covers the church too)."""

import pytest
from django.utils import timezone

from childplans import services as plan_services
from childplans.models import Consent

from ..conftest import person


@pytest.fixture
def deacon(db, full_plan, contact, church, guardian):
    plan = full_plan["plan"]
    plan_services.consent_record(
        plan=plan, by=contact, guardian=guardian, given_on=timezone.localdate(), method=Consent.Method.VERBAL,
        purposes="Stöd på fritiden.", organisations=[church],
    )
    user = person("diakon@pastorat.se", church, first_name="Dagny", last_name="Diakon")
    plan_services.team_add(plan=plan, by=contact, user=user, organisation=church, part="Stödsamordnare",
                           is_supporter=True)
    return user


def body_of(message):
    """Everything a reader of ``message`` sees: subject, text, HTML and attachments."""
    parts = [message.subject, message.body]
    parts += [content for content, _mime in getattr(message, "alternatives", [])]
    for attachment in message.attachments:
        payload = attachment.get_payload(decode=True) if hasattr(attachment, "get_payload") else attachment[1]
        parts.append(payload.decode() if isinstance(payload, bytes) else str(payload))
    return "\n".join(parts)


def calendar_of(message):
    for attachment in message.attachments:
        if hasattr(attachment, "get_content_type") and attachment.get_content_type() == "text/calendar":
            return attachment.get_payload(decode=True), attachment.get_param("method")
    return None, None
