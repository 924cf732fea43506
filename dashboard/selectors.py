"""Reads for the dashboard (Min översikt): my networks, my role in each, and what I can do next.

A fixed number of queries whatever the number of networks (docs/performance.md: at most 15 per
dashboard request, auth included): one for my memberships with the counts as subqueries, one
prefetch for the current and coming stewardships, one for my organisations with their activity
counts."""

from dataclasses import dataclass

from django.db.models import OuterRef, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from networks.access import is_administrator
from networks.models import (
    Activity,
    Network,
    NetworkMembership,
    NetworkOrganisation,
    OrganisationMembership,
    Stewardship,
)
from portal.queries import built_once, count_of

FEW_MEMBERS = 3
FEW_ORGANISATIONS = 3


@dataclass
class NextStep:
    """One suggestion under "Vad kan jag göra nu?"."""

    text: str
    url: str
    link_text: str
    kind: str
    network: object = None


def my_memberships(user):
    """My network memberships with network, area, counts and current/coming stewardships."""
    if not user.pk:
        return []
    today = timezone.localdate()
    memberships = list(built_once("dashboard.memberships", _memberships).filter(user=user))
    periods = {}
    if memberships:
        open_periods = (
            Stewardship.objects.filter(network_id__in={m.network_id for m in memberships})
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
            .select_related("organisation", "contact_person")
            .order_by("starts_on")
        )
        for period in open_periods:
            periods.setdefault(period.network_id, []).append(period)
    for m in memberships:
        network_periods = periods.get(m.network_id, [])
        current = [s for s in network_periods if s.starts_on <= today]
        coming = [s for s in network_periods if s.starts_on > today]
        m.current_stewardship = current[-1] if current else None
        m.coming_stewardship = coming[0] if coming else None
        m.is_coordinator = m.role == NetworkMembership.Role.COORDINATOR
        m.is_regional = m.network.kind == Network.Kind.REGIONAL
    return memberships


def _memberships():
    """Memberships with their network's counts: the same for every viewer, built once per
    process (portal.queries.built_once); whose they are is filtered per request."""
    return (
        NetworkMembership.objects.select_related("network", "network__kommun", "network__lan", "organisation")
        .annotate(
            member_count=count_of(NetworkMembership.objects.filter(network=OuterRef("network_id"))),
            organisation_count=count_of(NetworkOrganisation.objects.filter(network=OuterRef("network_id"))),
        )
        .order_by("-network__kind", "network__name")  # "regional" before "local"
    )


def _organisations():
    return (
        OrganisationMembership.objects.select_related("organisation")
        .annotate(activity_count=count_of(Activity.objects.filter(organisation=OuterRef("organisation_id"))))
        .order_by("organisation__name", "organisation__unit")
    )


def my_organisations(user):
    """The organisations I belong to, with how many activities each has in the directory."""
    if not user.pk:
        return []
    return list(built_once("dashboard.organisations", _organisations).filter(user=user))


def _url(name, *args, **query):
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def _coordinator_steps(m):
    """What a coordinator of ``m.network`` could do next."""
    network = m.network
    names = {"network": network.name, "count": m.member_count, "lan": network.lan.name}
    if m.member_count < FEW_MEMBERS:
        text = ngettext(
            "%(network)s har bara %(count)d medlem. Bjud in fler.",
            "%(network)s har bara %(count)d medlemmar. Bjud in fler.",
            m.member_count,
        )
        yield NextStep(
            kind="invite",
            text=text % names,
            url=_url("network_member_invite", network.pk),
            link_text=_("Bjud in medlemmar"),
            network=network,
        )
    if m.organisation_count < FEW_ORGANISATIONS:
        text = ngettext(
            "%(network)s har %(count)d medlemsorganisation. Lägg till fler.",
            "%(network)s har %(count)d medlemsorganisationer. Lägg till fler.",
            m.organisation_count,
        )
        yield NextStep(
            kind="organisations",
            text=text % {**names, "count": m.organisation_count},
            url=_url("network_organisation_add", network.pk),
            link_text=_("Lägg till organisationer"),
            network=network,
        )
    if m.current_stewardship is None and m.coming_stewardship is None:
        yield NextStep(
            kind="stewardship",
            text=_("Ingen är utsedd att driva %(network)s vidare just nu.") % names,
            url=_url("network_stewardship", network.pk),
            link_text=_("Bestäm vem som driver nätverket"),
            network=network,
        )
    if m.is_regional:
        yield NextStep(
            kind="overview",
            text=_("Se vilka kommuner i %(lan)s som har ett lokalt nätverk och hur de mår.")
            % names,
            url=_url("network_overview", network.pk),
            link_text=_("Öppna länsöversikten"),
            network=network,
        )
        yield NextStep(
            kind="create_local",
            text=_("Hjälp en kommun i %(lan)s att starta ett lokalt nätverk.") % names,
            url=_url("network_create", parent=network.pk),
            link_text=_("Skapa ett lokalt nätverk"),
            network=network,
        )


def _organisation_steps(om):
    """Publish in the directory, or keep what is there up to date."""
    organisation = om.organisation
    names = {"organisation": organisation, "count": om.activity_count}
    if om.activity_count == 0:
        yield NextStep(
            kind="publish",
            text=_(
                "%(organisation)s har ingen verksamhet i katalogen än. Berätta vad ni "
                "erbjuder familjer, så kan andra hänvisa till er."
            )
            % names,
            url=_url("activity_create", organisation=organisation.pk),
            link_text=_("Publicera en verksamhet"),
        )
    else:
        text = ngettext(
            "%(organisation)s har %(count)d verksamhet i katalogen. Håll den aktuell.",
            "%(organisation)s har %(count)d verksamheter i katalogen. Håll dem aktuella.",
            om.activity_count,
        )
        yield NextStep(
            kind="own_activities",
            text=text % names,
            url=_url("directory_search", organisation=organisation.pk),
            link_text=_("Visa organisationens verksamheter"),
        )


def referral_steps(waiting):
    """Referrals waiting for my answer first under "Vad kan jag göra nu?" (no child names)."""
    if not waiting:
        return []
    text = ngettext(
        "%(count)d hänvisning till din organisation väntar på svar.",
        "%(count)d hänvisningar till din organisation väntar på svar.",
        len(waiting),
    )
    return [NextStep(kind="referrals_waiting", text=text % {"count": len(waiting)},
                     url=_url("childplans:referral_inbox"), link_text=_("Öppna Hänvisningar"))]


def plan_steps(plan_work, overdue_actions):
    """Plan work first under "Vad kan jag göra nu?": handovers waiting for my answer, reviews
    due in the plans I am the contact person of, my overdue actions. Plan numbers only: the
    dashboard never shows a child's name."""
    steps = []
    for handover in plan_work["handovers"]:
        steps.append(NextStep(
            kind="handover",
            text=_("Du har blivit ombedd att ta över som kontaktperson för plan %(pk)s.") % {"pk": handover["plan_id"]},
            url=_url("childplans:handover_respond", handover["plan_id"]),
            link_text=_("Svara på överlämningen"),
        ))
    for review in plan_work["reviews_due"]:
        names = {"pk": review["plan_id"], "date": formats.date_format(review["date"], "j F")}
        text = (_("Uppföljningen av plan %(pk)s skulle ha hållits %(date)s.") if review["overdue"]
                else _("Plan %(pk)s ska följas upp %(date)s."))
        steps.append(NextStep(
            kind="review_due", text=text % names, url=_url("childplans:reviews", review["plan_id"]),
            link_text=_("Förbered uppföljningen"),
        ))
    for consent in plan_work.get("consents_ending", ()):
        names = {"pk": consent["plan_id"], "date": formats.date_format(consent["valid_until"], "j F")}
        steps.append(NextStep(
            kind="consent_ending",
            text=_("Ett samtycke i plan %(pk)s upphör efter %(date)s.") % names,
            url=_url("childplans:consents", consent["plan_id"]),
            link_text=_("Förnya samtycket"),
        ))
    if overdue_actions:
        steps.append(NextStep(
            kind="overdue_actions",
            text=ngettext("%(count)d av dina insatser är försenad.", "%(count)d av dina insatser är försenade.",
                          overdue_actions) % {"count": overdue_actions},
            url=_url("childplans:my_actions"),
            link_text=_("Se Mina insatser"),
        ))
    return steps


def next_steps(user, memberships, organisations):
    """Concrete suggestions with links, derived from the data already loaded (no queries)."""
    steps = []
    for m in memberships:
        if m.is_coordinator:
            steps.extend(_coordinator_steps(m))
    for om in organisations:
        steps.extend(_organisation_steps(om))
    steps.append(
        NextStep(
            kind="search",
            text=_("Hitta vad kommuner, kyrkor, föreningar och andra erbjuder barn och familjer."),
            url=_url("directory_search"),
            link_text=_("Sök i verksamhetskatalogen"),
        )
    )
    if is_administrator(user):
        steps.append(
            NextStep(
                kind="admin",
                text=_("Län, kommuner, organisationer och konton sköts i administrationen."),
                url=_url("admin:index"),
                link_text=_("Öppna administrationen"),
            )
        )
    return steps


def dashboard_context(user):
    memberships = my_memberships(user)
    organisations = my_organisations(user)
    return {
        "memberships": memberships,
        "organisations": organisations,
        "next_steps": next_steps(user, memberships, organisations),
        "has_networks": bool(memberships),
        "is_administrator": is_administrator(user),
    }
