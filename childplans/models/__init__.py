"""Barnets plan (docs/architecture.md; issue 4): one plan per child, a consent-bound team, a wellbeing
assessment over the eight GIRFEC areas, goals and actions, reviews, history and chronology.

Child data is need-to-know. Every child-scoped object is reached only through
``ChildPlan.objects.visible_to(user)`` (see ``managers.py``); nothing here is registered in
the Django admin except the non-identifying settings models (``PlanKeepingKind``,
``ReasonCategory``)."""

from .consent import (  # noqa: F401
    Consent,
    ConsentOrganisation,
    ConsentPurpose,
)
from .figures import IndicatorFigures  # noqa: F401
from .plan import (  # noqa: F401
    NEED_RANK,
    Area,
    Child,
    ChildPlan,
    ContactHandover,
    Guardian,
    Need,
    PlanKeepingKind,
    ReasonCategory,
    TeamMember,
)
from .work import (  # noqa: F401
    Action,
    Assessment,
    ChronologyEntry,
    Goal,
    PlanChange,
    PlanVoice,
    Review,
)
