"""My private calendar feed: create, renew or revoke it, and the feed itself (public: the
token is the key)."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from .. import ics, services
from ..models import CalendarFeed, Invitation, hash_token


class CalendarFeedSettingsView(TemplateView):
    """Create, renew or revoke my private calendar feed. The URL is shown once."""

    template_name = "meetings/calendar_feed.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["feed"] = CalendarFeed.objects.filter(user=self.request.user).first()
        ctx["feed_url"] = self.request.session.pop("calendar_feed_url", None)
        return ctx

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(user=request.user)
            messages.success(
                request, _("Kalenderlänken är avstängd. Kalendrar som prenumererade på den får inga fler möten.")
            )
        else:
            raw = services.calendar_feed_renew(user=request.user)
            request.session["calendar_feed_url"] = settings.PORTAL_BASE_URL.rstrip("/") + reverse(
                "calendar_feed", kwargs={"token": raw}
            )
            messages.success(request, _("En ny kalenderlänk är skapad. En tidigare länk fungerar inte längre."))
        return redirect("calendar_feed_settings")


@login_not_required
@never_cache
def calendar_feed(request, token):
    """The private feed: every meeting I am invited to, from 90 days back. Public route; the
    token is the key."""
    if len(token) > 100:
        raise Http404
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=hash_token(token)).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    since = timezone.now() - timedelta(days=90)
    invitations = list(
        Invitation.objects.filter(user=feed.user, meeting__ends_at__gte=since)
        .select_related("meeting", "meeting__network")
        .order_by("meeting__starts_at")
    )
    with transaction.atomic():
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    body = ics.feed_ics([(i.meeting, i) for i in invitations], name=_("Barnstödsportalen – mina möten"))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")
