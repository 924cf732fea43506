"""The child-plan indicators (counts per kommun, no child data; groups under ``SUPPRESS_BELOW``
suppressed): who may see them, what is counted, and how the page gets the figures.

Counting reads every active plan and held review of the country (1.3 s at national size,
docs/performance.md), so the beat counts (``count_figures``, every
``INDICATORS_REFRESH_SECONDS``) and the page shows the newest ``IndicatorFigures`` with the time
they were counted. Only when there are none younger than ``INDICATORS_MAX_AGE_SECONDS`` (a new
installation, a stopped beat) does the page count for itself, the counts kept until the
services forget them (``INDICATORS_TABLE``). With several län the page shows every län's totals
or one län with its kommuner (``arrange`` gives each län the ``code`` that ``?lan=`` names it by)."""

from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from django.db import transaction
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
)
from django.utils import timezone
from django.utils.text import slugify

from networks.models import NetworkMembership
from portal.routers import reports_on_replica

from .models import (
    ChildPlan,
    Consent,
    ConsentPurpose,
    IndicatorFigures,
    Review,
)

# The indicators page's kept table (portal/kept.py) counts active plans and held reviews: the
# services that change either forget it.
INDICATORS_TABLE = "childplans.indicators"

SUPPRESS_BELOW = 5


def may_see_indicators(user, *, memberships=None):
    """Who may open the indicators (counts, no child data): administrators and the coordinators
    of any network. The page and the way to it on Min översikt ask this. ``memberships``: every
    network membership of ``user``, when the caller has read them already (Min översikt lists
    them): the same answer without a query."""
    if user.is_staff:
        return True
    if memberships is not None:
        return any(m.role == NetworkMembership.Role.COORDINATOR for m in memberships)
    return NetworkMembership.objects.filter(user=user, role=NetworkMembership.Role.COORDINATOR).exists()
# The indicators table is kept HTML (portal/kept.py); the services that change what it counts
# forget it (INDICATORS_TABLE).
INDICATORS_TIMEOUT = 600


def _share(part, whole):
    if whole < SUPPRESS_BELOW:
        return None
    return round(100 * part / whole)


def indicators_timeout():
    """How long the kept table may be kept: ``INDICATORS_TIMEOUT``, but never past midnight —
    which plans count depends on the consents in force today (issue 19)."""
    now = timezone.localtime()
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, min(INDICATORS_TIMEOUT, int((midnight - now).total_seconds())))


def counted_in_statistics():
    """For a plan queryset: a consent in force on the plan covers counted statistics
    (``ConsentPurpose.STATISTICS``, issue 19). Only such plans are counted in the indicators."""
    return Exists(Consent.objects.for_purpose(ConsentPurpose.STATISTICS).filter(plan_id=OuterRef("pk")))


@reports_on_replica()
def indicators_left_out():
    """How many active plans the indicators leave out: no consent in force covers statistics."""
    return ChildPlan.objects.filter(status=ChildPlan.Status.ACTIVE).exclude(counted_in_statistics()).count()


@reports_on_replica()
def count_groups():
    """Per län and kommun (of the owning organisation): active plans, and of the held reviews
    how many, how many where the child took part and how many where the guardians know the
    plan — of the plans whose consent in force covers statistics (``counted_in_statistics``).
    Raw counts as plain dicts, nothing suppressed yet (``arrange`` does that): what
    ``IndicatorFigures`` keeps. Counts only: no child data."""
    plans = (
        ChildPlan.objects.filter(status=ChildPlan.Status.ACTIVE)
        .filter(counted_in_statistics())
        .values("owner_organisation__lan__code", "owner_organisation__lan__name", "owner_organisation__kommun__name")
        .annotate(n=Count("pk"))
    )
    counted = ChildPlan.objects.filter(counted_in_statistics())
    reviews = (
        Review.objects.filter(status=Review.Status.HELD, plan__in=counted)
        .values(
            "plan__owner_organisation__lan__code",
            "plan__owner_organisation__lan__name",
            "plan__owner_organisation__kommun__name",
        )
        .annotate(
            n=Count("pk"),
            child=Count("pk", filter=Q(child_took_part=Review.ChildTookPart.YES)),
            guardians=Count("pk", filter=Q(guardians_know_plan=True)),
        )
    )
    groups = {}

    def group(code, lan, kommun):
        key = (lan or "", kommun or "")
        if key not in groups:
            groups[key] = {"lan_code": code or "", "lan": lan or "", "kommun": kommun or "", "plans": 0,
                           "reviews": 0, "child": 0, "guardians": 0}
        return groups[key]

    for row in plans:
        o = "owner_organisation__"
        group(row[o + "lan__code"], row[o + "lan__name"], row[o + "kommun__name"])["plans"] += row["n"]
    for row in reviews:
        o = "plan__owner_organisation__"
        g = group(row[o + "lan__code"], row[o + "lan__name"], row[o + "kommun__name"])
        g["reviews"] += row["n"]
        g["child"] += row["child"]
        g["guardians"] += row["guardians"]
    return [groups[key] for key in sorted(groups)]


# The value of ``?lan=`` for the group of plans whose organisation has no län.
UNKNOWN_LAN = "okant"


def arrange(groups):
    """``count_groups``'s rows as the page shows them: per län its total and its kommuner, a
    group under ``SUPPRESS_BELOW`` plans or reviews suppressed (None). Each län carries the
    ``code`` that ``?lan=`` names it by (figures counted before the codes were kept: its name as
    a slug)."""
    lans = {}
    for g in sorted(groups, key=lambda g: (g["lan"], g["kommun"])):
        total = lans.setdefault(
            g["lan"],
            {"lan": g["lan"], "code": g.get("lan_code") or slugify(g["lan"]) or UNKNOWN_LAN, "plans": 0, "reviews": 0,
             "child": 0, "guardians": 0, "kommuner": []},
        )
        for k in ("plans", "reviews", "child", "guardians"):
            total[k] += g[k]
        total["kommuner"].append(g)

    result = []
    for lan in sorted(lans):
        total = lans[lan]
        result.append(
            SimpleNamespace(
                code=total["code"],
                total=_present({**total, "kommun": ""}),
                kommuner=[_present(g) for g in total["kommuner"] if g["kommun"]],
            )
        )
    return result


def _present(g):
    return SimpleNamespace(
        name=g.get("kommun") or g.get("lan") or "",
        plans=g["plans"] if g["plans"] >= SUPPRESS_BELOW else None,
        reviews=g["reviews"] if g["reviews"] >= SUPPRESS_BELOW else None,
        child_share=_share(g["child"], g["reviews"]),
        guardians_share=_share(g["guardians"], g["reviews"]),
    )


def country_total(groups):
    """The whole country's figures from ``count_groups``'s rows, suppressed as a group is."""
    total = {k: sum(g[k] for g in groups) for k in ("plans", "reviews", "child", "guardians")}
    return _present({**total, "lan": "", "kommun": ""})


def indicators():
    """The indicators counted now, arranged for the page (``arrange(count_groups())``)."""
    return arrange(count_groups())


def count_figures():
    """Count the indicators now and keep them as the newest ``IndicatorFigures`` (the beat's
    ``indicators-refresh``, every ``INDICATORS_REFRESH_SECONDS``); the older figures go. The
    counting reads through the replica where there is one (``reports_on_replica``)."""
    counted_at = timezone.now()
    groups, left_out = count_groups(), indicators_left_out()
    with transaction.atomic():
        figures = IndicatorFigures.objects.create(counted_at=counted_at, groups=groups, left_out=left_out)
        IndicatorFigures.objects.filter(counted_at__lt=counted_at).delete()
    return figures


def newest_figures():
    """The newest counted figures, or None when there are none younger than
    ``INDICATORS_MAX_AGE_SECONDS`` (the beat has stopped, or has not run yet): then the page
    counts for itself."""
    since = timezone.now() - timedelta(seconds=settings.INDICATORS_MAX_AGE_SECONDS)
    return IndicatorFigures.objects.filter(counted_at__gte=since).order_by("-counted_at").first()
