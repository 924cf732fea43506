"""Reads for the referral pages, each in a fixed number of queries whatever the number of
referrals (docs/performance.md: the inbox a list, a referral a detail page). Access is decided
before these are called (``access.py``, ``Referral.objects.visible_to``); the statistics are
counts only, built with aggregate queries, and hold no child data."""

from types import SimpleNamespace

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.urls import reverse

from childplans.selectors import SUPPRESS_BELOW
from networks.models import ActivityTipCount, Organisation, ReferralReceiver
from portal.queries import count_of, counted_page, with_total
from portal.routers import reports_on_replica

from .access import consent_in_force
from .models import Referral, ReferralEvent

Status = Referral.Status
INBOX_PAGE_SIZE = 50
STATUS_LABELS = dict(Status.choices)


def receiver_organisations(user):
    """The organisations ``user`` receives referrals for now. One query."""
    if not (user.is_authenticated and user.is_active and user.pk):
        return []
    return [
        r.organisation
        for r in ReferralReceiver.objects.current().filter(user_id=user.pk).select_related("organisation")
        .order_by("organisation__name", "organisation__unit")
    ]


def detail_url(pk):
    """A referral's page."""
    return reverse("childplans:referral_detail", args=[pk])


def _short(text, n=160):
    if len(text) <= n:
        return text
    return text[:n].rsplit(" ", 1)[0] + "…"


INBOX_FIELDS = (
    "pk", "plan_id", "created_at", "status", "first_name", "age", "help_wanted", "organisation__name",
    "organisation__unit", "activity__title", "consent_in_force", "total",
)


def inbox_page(user, page_number):
    """A page of the referrals ``user`` receives (``Referral.objects.received_by``): open ones
    first, newest first. Each row carries only what the referral shares, and that only while it
    is open and a consent covers the organisation; a closed one shows its status. Plain rows
    (``values``) and one query: the total comes with them (``portal.queries.counted_page``)."""
    referrals = (
        with_total(Referral.objects.received_by(user).annotate(consent_in_force=consent_in_force()))
        .order_by(F("closed_at").desc(nulls_first=True), "-created_at", "-pk")
        .values(*INBOX_FIELDS)
    )
    page = counted_page(referrals, page_number, INBOX_PAGE_SIZE)
    rows = []
    for r in page.object_list:
        is_open = r["status"] in Referral.OPEN_STATUSES
        shown = is_open and r["consent_in_force"]
        rows.append(SimpleNamespace(
            pk=r["pk"], plan_id=r["plan_id"], url=detail_url(r["pk"]),
            created_at=r["created_at"],
            organisation=", ".join(p for p in (r["organisation__name"], r["organisation__unit"]) if p),
            activity=r["activity__title"] or "", status=r["status"],
            status_label=STATUS_LABELS.get(r["status"], r["status"]), is_open=is_open,
            waiting=r["status"] == Status.SENT and shown, shown=shown,
            first_name=r["first_name"] if shown else "", age=r["age"] if shown else None,
            help_short=_short(r["help_wanted"]) if shown else "",
        ))
    page.object_list = rows
    return page, rows


def waiting_for(user, limit=10):
    """Referrals waiting for ``user``'s answer (for Min översikt): ids, dates and where, never the
    child's name. One query."""
    rows = list(
        Referral.objects.received_by(user)
        .filter(status=Status.SENT)
        .annotate(consent_in_force=consent_in_force())
        .filter(consent_in_force=True)
        .order_by("created_at", "pk")
        .values("pk", "plan_id", "created_at", "organisation__name", "organisation__unit", "activity__title")[:limit]
    )
    for row in rows:
        row["url"] = detail_url(row["pk"])
        row["target"] = row["activity__title"] or ", ".join(
            p for p in (row["organisation__name"], row["organisation__unit"]) if p
        )
    return rows


def events_for(referral):
    """The referral's changes, oldest first, with who made them. One query."""
    return list(ReferralEvent.objects.filter(referral=referral).select_related("by").order_by("at", "pk"))


def plan_referrals(plan):
    """The plan's referrals for its team, newest first, with the latest note back. One query."""
    latest_note = ReferralEvent.objects.filter(referral=OuterRef("pk")).exclude(note="").order_by("-at", "-pk")
    rows = list(
        Referral.objects.filter(plan=plan)
        .select_related("organisation", "activity", "referred_by")
        .annotate(latest_note=Subquery(latest_note.values("note")[:1]))
        .order_by("-created_at", "-pk")
    )
    for r in rows:
        r.url = detail_url(r.pk)
    return rows


def plan_referral_counts():
    """Annotations for a plan queryset: how many of its referrals wait for an answer, are
    ongoing, and in all (the plan page shows them without a query of its own)."""
    def of(**filters):
        return count_of(Referral.objects.filter(plan=OuterRef("pk"), **filters))

    return {
        "referrals_waiting": of(status=Status.SENT),
        "referrals_ongoing": of(status__in=[Status.ACCEPTED, Status.STARTED]),
        "referrals_total": of(),
    }


# --- the flow: tips and referrals per term (no child data) ------------------------------------------

MEASURES = ("tips", "referrals", "accepted", "declined", "started")


def _zero():
    return dict.fromkeys(MEASURES, 0)


def _add(into, counts):
    for key in MEASURES:
        into[key] += counts.get(key, 0)


def _cell(value):
    """A count as shown: suppressed (None) under five, zero included."""
    return value if value >= SUPPRESS_BELOW else None


def _present(counts, parts=()):
    """The cells of one row. A total whose parts are shown is suppressed like any cell; when
    exactly one of its parts is suppressed the total is too, so that the part cannot be worked
    out by subtraction."""
    cells = {}
    for key in MEASURES:
        value = _cell(counts[key])
        hidden_parts = sum(1 for p in parts if p[key] < SUPPRESS_BELOW)
        if value is not None and hidden_parts == 1:
            value = None
        cells[key] = value
    return cells


@reports_on_replica()
def flow(organisations, term, year):
    """Tips and referrals in a term to ``organisations`` (a queryset) and their activities:
    {"organisations": [row with "activities"], "kommuner": [row], "total": row}, every row
    {name, place, cells: {tips, referrals, accepted, declined, started}}, counts under five
    suppressed. Accepted, declined and started count the term's referrals that got so far.
    Three aggregate queries, whatever the number of referrals."""
    ids = organisations.values("pk")
    tips = (
        ActivityTipCount.objects.filter(activity__organisation_id__in=ids, term=term, year=year)
        .values("activity_id", "activity__title", "activity__organisation_id", "activity__kommun__name", "count")
    )
    referrals = (
        Referral.objects.filter(organisation_id__in=ids, term=term, term_year=year)
        .values("organisation_id", "activity_id", "activity__title", "activity__kommun__name")
        .annotate(
            referrals=Count("pk"),
            accepted=Count("pk", filter=Q(accepted_at__isnull=False)),
            declined=Count("pk", filter=Q(declined_at__isnull=False)),
            started=Count("pk", filter=Q(started_at__isnull=False)),
        )
        .order_by()
    )
    by_org = {}

    def org_entry(pk):
        return by_org.setdefault(pk, {"activities": {}, "own": _zero()})

    def activity_entry(org, pk, title, kommun):
        return org["activities"].setdefault(pk, {"title": title, "kommun": kommun or "", "counts": _zero()})

    for row in tips:
        org = org_entry(row["activity__organisation_id"])
        entry = activity_entry(org, row["activity_id"], row["activity__title"], row["activity__kommun__name"])
        entry["counts"]["tips"] += row["count"]
    for row in referrals:
        org = org_entry(row["organisation_id"])
        counts = {k: row[k] for k in MEASURES if k != "tips"}
        if row["activity_id"] is None:
            _add(org["own"], counts)
        else:
            entry = activity_entry(org, row["activity_id"], row["activity__title"], row["activity__kommun__name"])
            _add(entry["counts"], counts)
    names = {
        o["pk"]: o
        for o in Organisation.objects.filter(pk__in=list(by_org)).values("pk", "name", "unit", "kind", "kommun__name")
    }
    kommuner, total, result = {}, _zero(), []
    for pk, org in by_org.items():
        meta = names.get(pk)
        if meta is None:
            continue
        parts = [a["counts"] for a in org["activities"].values()]
        if any(org["own"].values()):
            parts.append(org["own"])
        org_total = _zero()
        for part in parts:
            _add(org_total, part)
        org_kommun = meta["kommun__name"] or ""
        activities = sorted(org["activities"].values(), key=lambda a: a["title"].lower())
        for a in activities:
            _add(kommuner.setdefault(a["kommun"] or org_kommun, _zero()), a["counts"])
        if any(org["own"].values()):
            _add(kommuner.setdefault(org_kommun, _zero()), org["own"])
        _add(total, org_total)
        rows = [SimpleNamespace(name=a["title"], cells=_present(a["counts"])) for a in activities]
        if any(org["own"].values()):
            rows.append(SimpleNamespace(name=None, cells=_present(org["own"])))
        result.append(SimpleNamespace(
            name=", ".join(p for p in (meta["name"], meta["unit"]) if p), kind=Organisation.Kind(meta["kind"]).label,
            place=org_kommun, cells=_present(org_total, parts), activities=rows,
        ))
    result.sort(key=lambda o: o.name.lower())
    kommun_rows = [
        SimpleNamespace(name=name, cells=_present(counts)) for name, counts in sorted(kommuner.items())
    ]
    return {
        "organisations": result,
        "kommuner": kommun_rows,
        "total": _present(total, list(kommuner.values())),
        "empty": not by_org,
    }


def kinds_in_lan(lan_id, term, year):
    """For the regional overview: per kind of organisation, the term's tips and referrals to
    organisations in the län, counts under five suppressed. Two aggregate queries."""
    referrals = dict(
        Referral.objects.filter(organisation__lan_id=lan_id, term=term, term_year=year)
        .values("organisation__kind").annotate(n=Count("pk")).order_by().values_list("organisation__kind", "n")
    )
    tips = dict(
        ActivityTipCount.objects.filter(activity__organisation__lan_id=lan_id, term=term, year=year)
        .values("activity__organisation__kind").annotate(n=Sum("count")).order_by()
        .values_list("activity__organisation__kind", "n")
    )
    return [
        SimpleNamespace(kind=kind, label=label, tips=_cell(tips.get(kind) or 0),
                        referrals=_cell(referrals.get(kind) or 0))
        for kind, label in Organisation.Kind.choices
        if tips.get(kind) or referrals.get(kind)
    ]


def dashboard_referrals_context(user, limit=10):
    """Context for ``referrals/_dashboard_waiting.html``: the referrals waiting for the user's
    answer. For Min översikt, behind two-step verification; a read: the page writes the audit
    row that names them and their plans (``listed_ids``)."""
    return {"referrals_waiting": waiting_for(user, limit=limit)}


def listed_ids(rows):
    """``{"referral_ids": ..., "plan_ids": ...}`` of referral rows (dicts or objects with ``pk`` and
    ``plan_id``) a page lists: for its one audit row (``childplans.access.audit_list``)."""
    def get(row, name):
        return row[name] if isinstance(row, dict) else getattr(row, name)

    return {"referral_ids": [get(r, "pk") for r in rows], "plan_ids": sorted({get(r, "plan_id") for r in rows})}
