"""Outbox renderers for plan e-mails (docs/security.md 7): built at send time from ids, and they
carry NO child data — a fixed sentence and a link with the plan's id, nothing else. If the
thing the e-mail is about no longer applies (plan closed, review held, action done, handover
answered), nothing is sent."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from portal.notices import Category
from portal.outbox import register

from .models import Action, ChildPlan, Consent, ContactHandover, Review


def _url(name, **kwargs):
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse(name, kwargs=kwargs)


def _message(recipient, subject, text, url):
    with translation.override(settings.LANGUAGE_CODE):
        ctx = {"subject": subject, "text": text, "url": url}
        subject = " ".join(render_to_string("emails/plan_notice_subject.txt", ctx).split())
        body = render_to_string("emails/plan_notice.txt", ctx)
        html = render_to_string("emails/plan_notice.html", ctx)
    msg = EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    msg.attach_alternative(html, "text/html")
    return msg


def _pk(row):
    return int(row.object_key.split(":", 1)[1])


@register("plan_handover_requested", notice=Category.HANDOVERS, urgent=True)  # to be answered
def render_handover_requested(row):
    handover = ContactHandover.objects.filter(pk=_pk(row)).first()
    if handover is None or not handover.is_pending:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        return _message(
            row.recipient,
            _("Du har ombetts att bli kontaktperson för ett barns plan"),
            _("Planens kontaktperson vill lämna över rollen till dig. Överlämningen gäller först när "
              "du har accepterat den i portalen."),
            _url("childplans:plan_detail", plan_pk=handover.plan_id),
        )


@register("plan_handover_accepted", notice=Category.HANDOVERS)
def render_handover_accepted(row):
    handover = ContactHandover.objects.filter(pk=_pk(row)).first()
    if handover is None or handover.accepted_at is None:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        return _message(
            row.recipient,
            _("Ny kontaktperson för ett barns plan"),
            _("Överlämningen av kontaktpersonsrollen är accepterad och gäller från och med nu."),
            _url("childplans:plan_detail", plan_pk=handover.plan_id),
        )


@register("plan_review_due", notice=Category.REVIEWS)
def render_review_due(row):
    review = Review.objects.filter(pk=_pk(row)).select_related("plan").first()
    if (
        review is None
        or review.status != Review.Status.PLANNED
        or review.plan.status != ChildPlan.Status.ACTIVE
    ):
        return None
    with translation.override(settings.LANGUAGE_CODE):
        return _message(
            row.recipient,
            _("Påminnelse: uppföljning av ett barns plan"),
            _("En uppföljning som du är kontaktperson för närmar sig (%(date)s).") % {"date": review.date},
            _url("childplans:reviews", plan_pk=review.plan_id),
        )


@register("plan_action_assigned", notice=Category.ACTIONS)
def render_action_assigned(row):
    action = Action.objects.filter(pk=_pk(row)).select_related("plan").first()
    if action is None or not action.is_open or action.plan.status != ChildPlan.Status.ACTIVE:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        return _message(
            row.recipient,
            _("En insats som du ansvarar för är ny eller ändrad"),
            _("Någon i teamet har lagt till eller ändrat en insats som du ansvarar för i ett barns plan."),
            _url("childplans:my_actions"),
        )


@register("plan_action_due", notice=Category.ACTIONS)
def render_action_due(row):
    action = Action.objects.filter(pk=_pk(row)).select_related("plan").first()
    if action is None or not action.is_open or action.plan.status != ChildPlan.Status.ACTIVE:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        return _message(
            row.recipient,
            _("Påminnelse: en insats du ansvarar för"),
            _("En insats som du ansvarar för ska vara klar senast %(date)s.") % {"date": action.due_on},
            _url("childplans:my_actions"),
        )


@register("plan_consent_ending", notice=Category.CONSENTS)
def render_consent_ending(row):
    """To the contact person, before a consent ends (childplans.tasks.consent_reminders): the
    plan's number, the end date and a link — no child data. Not sent if the consent is no longer
    in force (renewed, withdrawn, ended) or the plan is closed."""
    consent = (
        Consent.objects.in_force().filter(pk=_pk(row), plan__status=ChildPlan.Status.ACTIVE)
        .values("plan_id", "valid_until").first()
    )
    if consent is None:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        return _message(
            row.recipient,
            _("Påminnelse: ett samtycke upphör snart"),
            _("Ett samtycke i plan %(plan)s gäller till och med %(date)s. Förnya det med vårdnadshavaren "
              "i tid, annars förlorar teamets andra organisationer åtkomsten dagen efter.")
            % {"plan": consent["plan_id"], "date": consent["valid_until"].isoformat()},
            _url("childplans:consents", plan_pk=consent["plan_id"]),
        )
