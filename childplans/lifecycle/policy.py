"""The retention rule, in one place: when a plan falls due for gallring, and why it is kept.

Every path — the nightly run, its re-check inside the plan's lock, the dry run, the plan's
gallring date on its page — asks ``decide``/``due_plans`` here (docs/lifecycle.md).

- The rule is chosen by the owning organisation's kind (``GALLRING_RULES``, "*" otherwise).
- The last entry is the latest of: the plan's last recorded change (``PlanChange``), the day
  it was closed and the day it was opened.
- SoL 2001:453 12 kap. 1 §: removed ``years`` after the last entry; with
  ``end_of_following_year`` the plan is due on 31 December of the year after the one in which
  the duty arose (the latest day the law allows), otherwise on the anniversary itself.
- Only closed plans fall due. A plan under a legal hold in force, a plan with a kept reason
  category (``GALLRING_KEPT_REASON_CATEGORIES``) and, where the owning organisation keeps the
  research sample (``OrganisationRetention``), a child born on one of
  ``GALLRING_RESEARCH_BIRTH_DAYS`` are never due."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from childplans.models import ChildPlan

from .models import LegalHold, OrganisationRetention

KEPT_HOLD = "legal_hold"
KEPT_CATEGORY = "kept_category"
KEPT_RESEARCH = "research_sample"
OPEN = "open"


@dataclass(frozen=True)
class Rule:
    key: str
    years: int
    end_of_following_year: bool
    source: str

    def due_on(self, last_entry):
        """The day the plan falls due, ``last_entry`` being its last entry (a date)."""
        try:
            anniversary = last_entry.replace(year=last_entry.year + self.years)
        except ValueError:  # 29 February
            anniversary = last_entry.replace(year=last_entry.year + self.years, day=28)
        if self.end_of_following_year:
            return datetime.date(anniversary.year + 1, 12, 31)
        return anniversary


def rules():
    """``{kind or "*": Rule}`` from ``GALLRING_RULES``."""
    found = {}
    for key, spec in settings.GALLRING_RULES.items():
        found[key] = Rule(
            key=key, years=int(spec["years"]), end_of_following_year=bool(spec.get("end_of_following_year", True)),
            source=spec.get("source", ""),
        )
    return found


def rule_for(kind):
    table = rules()
    return table.get(kind) or table["*"]


@dataclass(frozen=True)
class Decision:
    plan_id: int
    rule: Rule
    last_entry: datetime.date
    due_on: datetime.date | None  # None: never (open, kept)
    kept: str = ""  # why it is not due: OPEN, KEPT_HOLD, KEPT_CATEGORY, KEPT_RESEARCH

    def is_due(self, today):
        return self.due_on is not None and not self.kept and today >= self.due_on


def annotated(queryset=None):
    """Plans with what ``decide`` needs, in one query: last change, hold, kept category,
    research-sample organisation."""
    qs = queryset if queryset is not None else ChildPlan.objects.all()
    kept_names = list(settings.GALLRING_KEPT_REASON_CATEGORIES)
    through = ChildPlan.reason_categories.through
    return qs.annotate(
        gallring_last_change=Max("changes__at"),
        gallring_held=Exists(LegalHold.objects.filter(plan=OuterRef("pk"), lifted_at__isnull=True)),
        gallring_kept_category=Exists(
            through.objects.filter(childplan=OuterRef("pk"), reasoncategory__name__in=kept_names)
        ),
        gallring_research_org=Exists(
            OrganisationRetention.objects.filter(organisation=OuterRef("owner_organisation"), research_sample=True)
        ),
    ).select_related("owner_organisation", "child")


def decide(plan):
    """The decision for one plan from ``annotated()`` (the one rule)."""
    rule = rule_for(plan.owner_organisation.kind)
    entries = [plan.opened_on]
    if plan.closed_on:
        entries.append(plan.closed_on)
    if plan.gallring_last_change:
        entries.append(timezone.localdate(plan.gallring_last_change))
    last = max(entries)
    kept = ""
    if not plan.is_closed:
        kept = OPEN
    elif plan.gallring_held:
        kept = KEPT_HOLD
    elif plan.gallring_kept_category:
        kept = KEPT_CATEGORY
    elif plan.gallring_research_org and plan.child.birth_date.day in settings.GALLRING_RESEARCH_BIRTH_DAYS:
        kept = KEPT_RESEARCH
    return Decision(plan.pk, rule, last, None if kept else rule.due_on(last), kept)


def decision_for(plan_id):
    plan = annotated(ChildPlan.objects.filter(pk=plan_id)).first()
    return decide(plan) if plan is not None else None


def candidates(until):
    """Closed plans that may fall due by ``until`` (a date): a plan cannot be due before its
    closing day plus the shortest rule's years, so the rest is never read."""
    shortest = min(rule.years for rule in rules().values())
    try:
        latest_closed = until.replace(year=until.year - shortest)
    except ValueError:
        latest_closed = until.replace(year=until.year - shortest, day=28)
    return ChildPlan.objects.filter(status=ChildPlan.Status.CLOSED, closed_on__lte=latest_closed)


def due_plans(until):
    """Decisions of every plan due on or before ``until``, ordered by plan number."""
    found = []
    for plan in annotated(candidates(until)).order_by("pk").iterator(chunk_size=500):
        decision = decide(plan)
        if decision.is_due(until):
            found.append(decision)
    return found
