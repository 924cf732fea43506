"""The child's data for a registerutdrag, read generically from the models (no list by hand).

Every model of ``graph.child_data_models()`` is read with one query (its keys joined), for ALL
the child's plans — never by anything but the child's own plans and the child itself, so no
other child's row can come in. Fields are described by the models' own verbose names (the
Swedish headings); secrets (token hashes) are left out. The access log is the audit table's
rows that carry the child's number or one of its plans' numbers (``graph.id_references``):
who — or, for staff with protected identity or with ``REGISTERUTDRAG_HIDE_STAFF_NAMES``, which
organisation and role — read or changed what, when."""

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from childplans.models import Child, ChildPlan, TeamMember
from portal.models import AuditEvent

from ..graph import child_data_models, id_references

# Fields never handed out: an answer link's hash is a key, not data about the child.
SECRET_FIELD = re.compile(r"(hash|token|secret|password)", re.IGNORECASE)

# The order the document shows the tables in (readability only: a model not named here comes
# after these, so nothing is ever left out by this list).
DISPLAY_ORDER = (
    "childplans.Child", "childplans.Guardian", "childplans.ChildPlan", "childplans.ChildPlan_reason_categories",
    "childplans.PlanChange", "childplans.Consent", "childplans.ConsentOrganisation", "childplans.TeamMember",
    "childplans.ContactHandover", "childplans.Assessment", "childplans.PlanVoice", "childplans.Goal",
    "childplans.Action", "childplans.Review", "childplans.ChronologyEntry",
)


@dataclass
class Column:
    name: str
    heading: str
    field: object


@dataclass
class Table:
    label: str  # "childplans.Consent"
    heading: str  # the model's verbose_name_plural
    root: str  # "child" or "plan"
    columns: list
    rows: list = field(default_factory=list)  # [{"plan": id|None, "json": {...}, "text": [...]}]

    @property
    def slug(self):
        return self.label.replace(".", "_").lower()


@dataclass
class Extract:
    child: object
    plans: list
    tables: list
    access_log: list
    made_at: datetime
    recipient: str
    made_by: str  # organisation and role of the one who made it, never a name


def columns_of(model):
    """The model's fields as columns: every concrete field but secrets, headed by its verbose
    name (a field added later appears without anyone listing it)."""
    return [
        Column(f.name, str(f.verbose_name), f)
        for f in model._meta.concrete_fields
        if not SECRET_FIELD.search(f.name)
    ]


def person_label(user):
    """A staff member as the extract names them: by name, or — protected identity — not."""
    if user is None:
        return ""
    if getattr(user, "protected_identity", False):
        return _("(skyddad identitet)")
    return user.display_name


def related_label(obj):
    if obj is None:
        return ""
    if isinstance(obj, get_user_model()):
        return person_label(obj)
    user = getattr(obj, "user", None) if any(f.name == "user" for f in obj._meta.concrete_fields) else None
    if isinstance(user, get_user_model()) and user.protected_identity:
        return _("(skyddad identitet)")
    return str(obj)


def _local(value):
    if isinstance(value, datetime):
        return timezone.localtime(value) if timezone.is_aware(value) else value
    return value


def json_value(f, obj):
    if f.is_relation:
        return getattr(obj, f.attname)
    value = getattr(obj, f.attname)
    if isinstance(value, (datetime, date)):
        return _local(value).isoformat()
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    if hasattr(value, "hex") and not isinstance(value, (int, float, str)):  # UUID
        return str(value)
    if isinstance(value, (str, int, float, bool, list, dict)) or value is None:
        return value
    return str(value)


def text_value(f, obj):
    """The value as the document and the CSV show it, in Swedish."""
    if f.is_relation:
        return related_label(getattr(obj, f.name)) if getattr(obj, f.attname) is not None else ""
    value = getattr(obj, f.attname)
    if value is None:
        return ""
    if f.choices:
        return str(getattr(obj, f"get_{f.name}_display")())
    if isinstance(value, bool):
        return _("ja") if value else _("nej")
    if isinstance(value, datetime):
        return f"{_local(value):%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _related_paths(model):
    """Keys to join so a row's labels need no further query: its own keys, and theirs (a team
    member named by its person and organisation)."""
    paths = []
    for f in model._meta.concrete_fields:
        if not f.is_relation:
            continue
        paths.append(f.name)
        for g in f.related_model._meta.concrete_fields:
            if g.is_relation and g.related_model is not f.related_model:
                paths.append(f"{f.name}__{g.name}")
    return paths


def _rows(entry, child, plan_ids):
    """``entry``'s rows of this child, each with the plan it belongs to."""
    manager = entry.model._default_manager
    if entry.root is Child:
        qs = manager.filter(pk=child.pk) if not entry.lookup else manager.filter(**{entry.lookup: child})
        qs = qs.annotate(extract_plan=models.Value(None, output_field=models.BigIntegerField()))
    elif not entry.lookup:
        qs = manager.filter(pk__in=plan_ids).annotate(extract_plan=F("pk"))
    elif entry.certain:
        qs = manager.filter(**{f"{entry.lookup}__in": plan_ids}).annotate(extract_plan=F(entry.lookup))
    else:
        condition = Q()
        for lookup in entry.lookups:
            condition |= Q(**{f"{lookup}__in": plan_ids})
        qs = manager.filter(condition).distinct().annotate(
            extract_plan=models.functions.Coalesce(*[F(lookup) for lookup in entry.lookups])
        )
    return qs.select_related(*_related_paths(entry.model)).order_by("extract_plan", "pk")


def ordered_models():
    found = child_data_models()
    rank = {label: i for i, label in enumerate(DISPLAY_ORDER)}
    return sorted(found, key=lambda e: (rank.get(e.label, len(rank)), e.label))


def protected_names(plan_ids):
    """The names and addresses of the staff with protected identity who worked with the child's
    plans (on a team, as contact person): the history's free text names people too ("Anders
    Petersson (Katedralskolan) tillagd"), so they are replaced in every text of the extract."""
    users = get_user_model().objects.filter(
        Q(plan_teams__plan__in=plan_ids) | Q(pk__in=ChildPlan.objects.filter(pk__in=plan_ids).values("contact_person")),
        protected_identity=True,
    ).distinct()
    names = set()
    for user in users:
        names |= {n for n in (user.get_full_name(), user.email) if n}
    return sorted(names, key=len, reverse=True)


def scrubber(names):
    if not names:
        return lambda value: value
    pattern = re.compile("|".join(re.escape(n) for n in names))
    hidden = _("(skyddad identitet)")

    def scrub(value):
        return pattern.sub(hidden, value) if isinstance(value, str) else value

    return scrub


def heading_of(model):
    """The table's Swedish heading: the model's verbose name in plural; for a many-to-many
    table Django made, its owner's and its field's ("Barnets plan: kategorier")."""
    owner = model._meta.auto_created
    if owner:
        for f in owner._meta.many_to_many:
            if f.remote_field.through is model:
                return f"{str(owner._meta.verbose_name).capitalize()}: {f.verbose_name}"
    return str(model._meta.verbose_name_plural).capitalize()


def tables_for(child, plan_ids):
    scrub = scrubber(protected_names(plan_ids))
    tables = []
    for entry in ordered_models():
        columns = columns_of(entry.model)
        table = Table(
            label=entry.label,
            heading=heading_of(entry.model),
            root="child" if entry.root is Child else "plan",
            columns=columns,
        )
        for obj in _rows(entry, child, plan_ids):
            data = {c.name: scrub(json_value(c.field, obj)) for c in columns}
            for c in columns:
                if c.field.is_relation or c.field.choices:
                    data[f"{c.name}_text"] = scrub(text_value(c.field, obj))
            texts = [scrub(text_value(c.field, obj)) for c in columns]
            table.rows.append({"plan": obj.extract_plan, "json": data, "text": texts})
        tables.append(table)
    return tables


# --- the access log ------------------------------------------------------------------------------

def audit_filter(child, plan_ids):
    """The audit rows about this child: every integer column that names a plan or a child
    (``graph.id_references``) matched against the child's own numbers."""
    condition = Q()
    for model, name, root in id_references():
        if model is not AuditEvent:
            continue
        condition |= Q(**{f"{name}__in": plan_ids}) if root is ChildPlan else Q(**{name: child.pk})
    return condition


def access_log_rows(child, plans):
    """The access log of the child's plans and the child, oldest first: when, who (or which
    organisation and role), what. Denied attempts showed nothing and are not in it (as the
    plan's own access log, ``childplans.selectors.access_log_for``)."""
    plan_ids = [p.pk for p in plans]
    events = list(
        AuditEvent.objects.filter(audit_filter(child, plan_ids))
        .exclude(action=AuditEvent.Action.DENIED)
        .order_by("at", "pk")
        .values("pk", "at", "user_id", "organisation_label", "action", "event", "object_type", "object_id", "plan_id")
    )
    user_ids = {e["user_id"] for e in events if e["user_id"]}
    users = get_user_model().objects.in_bulk(user_ids) if user_ids else {}
    roles = _roles(plans)
    hide_all = getattr(settings, "REGISTERUTDRAG_HIDE_STAFF_NAMES", False)
    actions = dict(AuditEvent.Action.choices)
    type_names = {}
    rows = []
    for e in events:
        user = users.get(e["user_id"])
        role, team_organisation = _role_of(roles, e, user)
        organisation = e["organisation_label"] or team_organisation
        if user is None:
            who = _("(okänd användare)") if e["user_id"] else _("(systemet)")
        elif hide_all or user.protected_identity:
            who = ", ".join(part for part in (str(role), organisation) if part) or _("(personal)")
        else:
            who = user.display_name
        at = _local(e["at"])
        rows.append(
            {
                "id": e["pk"],
                "at": at,
                "at_text": f"{at:%Y-%m-%d %H:%M:%S}",
                "who": who,
                "organisation": organisation,
                "role": str(role),
                "action": e["action"],
                "action_text": str(actions.get(e["action"], e["action"])),
                "what": _what(type_names, e),
                "plan": e["plan_id"],
            }
        )
    return rows


def _roles(plans):
    """(plan id, user id) -> (role, organisation), from the plans' contact persons and their
    teams (past and present): what the access log says when its row names no organisation."""
    roles = {}
    members = TeamMember.objects.filter(plan__in=[p.pk for p in plans]).select_related("organisation").order_by("pk")
    for member in members:
        roles.setdefault((member.plan_id, member.user_id), (member.part or _("medlem i barnteamet"), str(member.organisation)))
    for plan in plans:
        organisation = roles.get((plan.pk, plan.contact_person_id), ("", str(plan.owner_organisation)))[1]
        roles[(plan.pk, plan.contact_person_id)] = (_("kontaktperson"), organisation)
    return roles


def _role_of(roles, event, user):
    """(role, organisation from the team) of ``user`` for the audit row ``event``."""
    if user is None:
        return "", ""
    found = roles.get((event["plan_id"], user.pk))
    if found:
        return found
    if event["object_type"].startswith("referrals."):
        return _("mottagare av hänvisning"), ""
    if user.is_staff:
        return _("administratör"), ""
    return _("personal"), ""


def _what(cache, event):
    label = event["object_type"]
    if label not in cache:
        try:
            cache[label] = str(apps.get_model(label)._meta.verbose_name)
        except (LookupError, ValueError):
            cache[label] = label
    parts = [cache[label]] if label else []
    if event["object_id"]:
        parts.append(f"nr {event['object_id']}")
    if event["event"]:
        parts.append(f"({event['event']})")
    return " ".join(parts)


def collect(*, plan, recipient, made_by):
    """Everything about ``plan``'s child: all its plans (not only ``plan``), every table of the
    graph, the access log."""
    child = plan.child
    plans = list(ChildPlan.objects.filter(child=child).select_related("owner_organisation").order_by("opened_on", "pk"))
    plan_ids = [p.pk for p in plans]
    return Extract(
        child=child,
        plans=plans,
        tables=tables_for(child, plan_ids),
        access_log=access_log_rows(child, plans),
        made_at=timezone.localtime(),
        recipient=recipient,
        made_by=made_by,
    )
