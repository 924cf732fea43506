"""Writes to plans, split by concept — opening (the child, the guardians), consent, the team,
the work on the plan (assessments, goals, actions), reviews and closing; the rest of the code
calls them by this package (``services.consent_record``). Keyword-only arguments and the acting user (``by``); ``full_clean``;
``transaction.atomic``; ``ValidationError`` with a Swedish message, and then nothing is
changed. Every change is a change to a plan (``childplans/changes.py``): it is refused on a plan
that may no longer change, and written to the plan's history (``PlanChange``: who, what, old and
new value). The request's audit row is written by the page's base view around the view, in the
same transaction. E-mails go through the outbox and carry only a link (docs/security.md 7)."""

from .consent import (
    LEGACY_PURPOSES,
    PURPOSE_REFUSED,
    consent_check_until,
    consent_covers,
    consent_default_until,
    consent_latest_until,
    consent_record,
    consent_renew,
    consent_withdraw,
    purpose_covered,
    require_purpose,
)
from .opening import (
    CHILD_FIELDS,
    GUARDIAN_FIELDS,
    child_update,
    guardian_add,
    guardian_update,
    organisation_may_keep_plans,
    plan_keeping_organisations,
    plan_open,
)
from .reviews import (
    REVIEW_FIELDS,
    chronology_add,
    plan_close,
    review_plan,
    review_record,
)
from .team import (
    handover_accept,
    handover_cancel,
    handover_request,
    team_add,
    team_remove,
)
from .work import (
    ACTION_FIELDS,
    GOAL_FIELDS,
    action_add,
    action_complete,
    action_update,
    assessment_record,
    goal_add,
    movement,
    voice_save,
)

__all__ = [
    "ACTION_FIELDS",
    "CHILD_FIELDS",
    "GOAL_FIELDS",
    "GUARDIAN_FIELDS",
    "LEGACY_PURPOSES",
    "PURPOSE_REFUSED",
    "REVIEW_FIELDS",
    "action_add",
    "action_complete",
    "action_update",
    "assessment_record",
    "child_update",
    "chronology_add",
    "consent_check_until",
    "consent_covers",
    "consent_default_until",
    "consent_latest_until",
    "consent_record",
    "consent_renew",
    "consent_withdraw",
    "goal_add",
    "guardian_add",
    "guardian_update",
    "handover_accept",
    "handover_cancel",
    "handover_request",
    "movement",
    "organisation_may_keep_plans",
    "plan_close",
    "plan_keeping_organisations",
    "plan_open",
    "purpose_covered",
    "require_purpose",
    "review_plan",
    "review_record",
    "team_add",
    "team_remove",
    "voice_save",
]
