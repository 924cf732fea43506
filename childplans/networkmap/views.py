"""Network map pages. They are plan pages: every view declares childplans' ``PlanAccessMixin``
(the plan through ``ChildPlan.objects.visible_to``, 404 for anyone not on the team, one audit
row per request in the same transaction). Sub-objects come from the plan's own rows, so an id
from another plan is a 404. Writes go through ``services``."""


from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from childplans.access import PlanAccessMixin, PlanFormView
from childplans.changes import may_change
from childplans.models import Action, ChildPlan
from portal.models import AuditEvent

from . import services
from .forms import CostlyForm, LeaveForm, MeetingForm, PersonForm, VersionForm
from .models import Closeness, CostlyAction, MapPerson, MapVersion, NetworkMeeting, Quality, Sector
from .svg import map_svg, person_dict

AuditAction = AuditEvent.Action
SECTOR_LABELS = dict(Sector.choices)
CLOSENESS_LABELS = dict(Closeness.choices)
QUALITY_LABELS = dict(Quality.choices)
PHASE_LABELS = dict(MapVersion.Phase.choices)
TOOK_PART_LABELS = dict(MapVersion.ChildTookPart.choices)


def map_plan_queryset():
    """The plan with what the map pages show about its versions and meetings, in one query."""
    versions = MapVersion.objects.filter(plan=OuterRef("pk")).order_by("-saved_on", "-pk")
    meetings = NetworkMeeting.objects.filter(plan=OuterRef("pk")).order_by("-held_on", "-pk")
    version_count = (
        MapVersion.objects.filter(plan=OuterRef("pk")).order_by().values("plan").annotate(n=Count("pk")).values("n")
    )
    return ChildPlan.objects.select_related("child", "owner_organisation", "contact_person").annotate(
        last_version_on=Subquery(versions.values("saved_on")[:1]),
        version_count=Subquery(version_count),
        last_meeting_on=Subquery(meetings.values("held_on")[:1]),
    )


def explored_status(last_meeting_on, last_person_change, last_version_on):
    """What the map pages say about the "network explored" rule (services.is_explored)."""
    last_update_on = services.last_map_update(last_person_change, last_version_on)
    return {
        "explored": services.is_explored(last_meeting_on, last_update_on),
        "last_meeting_on": last_meeting_on,
        "last_update_on": last_update_on,
        "days": services.EXPLORED_WITHIN_DAYS,
    }


def rows_for(people):
    """Rows for the text list beside the map (and the print version)."""
    rows = []
    for p in people:
        d = person_dict(p)
        support = [label for key, label in (("support_practical", _("praktiskt")),
                                            ("support_emotional", _("känslomässigt")),
                                            ("can_step_in", _("kan träda in vid akut behov"))) if d.get(key)]
        rows.append({
            **d,
            "obj": p if isinstance(p, MapPerson) else None,
            "sector_label": SECTOR_LABELS.get(d["sector"], d["sector"]),
            "closeness_label": CLOSENESS_LABELS.get(d["closeness"], d["closeness"]),
            "quality_label": QUALITY_LABELS.get(d["quality"], d["quality"]),
            "support_label": ", ".join(str(s) for s in support),
        })
    rows.sort(key=lambda r: (r["closeness"], list(SECTOR_LABELS).index(r["sector"]), r["name"].lower()))
    return rows


class MapFormView(PlanFormView):
    """A form page of the map (its success URL is the map)."""

    def get_success_url(self):
        return reverse("childplans:map", kwargs={"plan_pk": self.plan.pk})


class MapView(PlanAccessMixin, TemplateView):
    """The map: the SVG, the text list beside it, who has left, and the way on."""

    template_name = "networkmap/map.html"

    def plan_queryset(self):
        return map_plan_queryset()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        people = list(MapPerson.objects.filter(plan=self.plan))
        current = [p for p in people if p.left_on is None]
        left = sorted((p for p in people if p.left_on is not None), key=lambda p: (p.left_on, p.pk), reverse=True)
        last_person = max((p.updated_at for p in people), default=None)
        ctx.update(
            plan=self.plan,
            svg=map_svg(current, title=_("Nätverkskarta")) if current else None,
            rows=rows_for(current),
            left=left,
            can_edit=may_change(self.plan),
            explored=explored_status(self.plan.last_meeting_on, last_person, self.plan.last_version_on),
        )
        return ctx


class MapPrintView(MapView):
    template_name = "networkmap/print.html"
    read_action = AuditAction.PRINT

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["today"] = timezone.localdate()
        return ctx


class PersonAddView(MapFormView):
    template_name = "networkmap/person_form.html"
    form_class = PersonForm
    change_action = AuditAction.CREATE

    def perform(self, form):
        return services.person_add(plan=self.plan, by=self.request.user, **form.cleaned_data)

    success_message = property(lambda self: _("Personen är tillagd på kartan."))


class PersonObjectMixin:
    def get_person(self):
        if not hasattr(self, "person"):
            self.person = get_object_or_404(MapPerson, plan=self.plan, pk=self.kwargs["person_pk"])
        return self.person

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["person"] = self.get_person()
        return ctx


class PersonUpdateView(PersonObjectMixin, PersonAddView):
    change_action = AuditAction.UPDATE

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_person()
        return kwargs

    def perform(self, form):
        return services.person_update(plan=self.plan, person=self.person, by=self.request.user,
                                      **form.cleaned_data)

    success_message = property(lambda self: _("Uppgifterna är sparade."))


class PersonLeaveView(PersonObjectMixin, MapFormView):
    template_name = "networkmap/person_leave.html"
    form_class = LeaveForm
    plan_form = False

    def get_form_kwargs(self):
        self.get_person()
        return super().get_form_kwargs()

    def perform(self, form):
        return services.person_leave(plan=self.plan, person=self.person, by=self.request.user,
                                     left_on=form.cleaned_data["left_on"], note=form.cleaned_data["note"])

    success_message = property(lambda self: _("Personen finns kvar i historiken men visas inte längre på kartan."))


class PersonRemoveView(PersonObjectMixin, MapFormView):
    template_name = "networkmap/person_remove.html"
    plan_form = False
    change_action = AuditAction.DELETE

    def get_form_class(self):
        from django import forms

        return forms.Form

    def get_form_kwargs(self):
        self.get_person()
        return super().get_form_kwargs()

    def perform(self, form):
        self.audit_object = self.person  # the audit row names the deleted row's id
        services.person_remove(plan=self.plan, person=self.person, by=self.request.user)
        self.person.pk = self.kwargs["person_pk"]
        return None

    success_message = property(lambda self: _("Personen är borttagen från kartan."))


class VersionsView(MapFormView):
    """The saved versions, a form to save the current map as a new version, and the way to
    compare two."""

    template_name = "networkmap/versions.html"
    form_class = VersionForm
    change_action = AuditAction.CREATE
    writes = "post"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        versions = list(
            MapVersion.objects.filter(plan=self.plan).select_related("saved_by").order_by("-saved_on", "-pk")
        )
        for v in versions:
            v.count = len(v.people)
        ctx["versions"] = versions
        return ctx

    def perform(self, form):
        return services.version_save(plan=self.plan, by=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("childplans:map_versions", kwargs={"plan_pk": self.plan.pk})

    success_message = property(lambda self: _("Kartan är sparad som en ny version."))


CURRENT = "nu"


class CompareView(PlanAccessMixin, TemplateView):
    """Two versions side by side (``?a=<id>&b=<id or "nu">``, the current map): who was added,
    who moved closer or further, who left."""

    template_name = "networkmap/compare.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        choices = list(
            MapVersion.objects.filter(plan=self.plan).order_by("-saved_on", "-pk")
            .values("pk", "phase", "saved_on", "child_took_part")
        )
        for c in choices:
            c["label"] = f"{c['saved_on']:%Y-%m-%d} – {PHASE_LABELS.get(c['phase'], c['phase'])}"
        pk_of = {str(c["pk"]): c["pk"] for c in choices}  # the versions the query string may name

        a = self.request.GET.get("a")
        b = self.request.GET.get("b")
        if a not in pk_of:
            a = str(choices[1]["pk"]) if len(choices) > 1 else (str(choices[0]["pk"]) if choices else None)
        if b not in pk_of and b != CURRENT:
            b = str(choices[0]["pk"]) if len(choices) > 1 else CURRENT
        wanted = [pk_of[x] for x in (a, b) if x and x != CURRENT]
        loaded = {v.pk: v for v in MapVersion.objects.filter(plan=self.plan, pk__in=wanted)} if wanted else {}
        sides = []
        for key, value in (("a", a), ("b", b)):
            if value is None:
                sides.append(None)
                continue
            if value == CURRENT:
                people = services.snapshot_of(MapPerson.objects.filter(plan=self.plan, left_on__isnull=True))
                label = _("Kartan nu")
                version = None
            else:
                version = loaded[pk_of[value]]
                people = version.people
                label = f"{version.saved_on:%Y-%m-%d} – {version.get_phase_display()}"
            sides.append({
                "key": key, "value": value, "label": label, "version": version, "rows": rows_for(people),
                "people": people,
                "svg": map_svg(people, title_id=f"map-title-{key}", title=label) if people else None,
            })
        diff = None
        if sides[0] and sides[1]:
            diff = services.compare(sides[0]["people"], sides[1]["people"])
            for group in diff.values():
                for row in group:
                    row["closeness_label"] = CLOSENESS_LABELS.get(row["closeness"])
                    if "closeness_before" in row:
                        row["closeness_before_label"] = CLOSENESS_LABELS.get(row["closeness_before"])
        ctx.update(plan=self.plan, choices=choices, a=a, b=b, current=CURRENT, sides=sides, diff=diff,
                   took_part=TOOK_PART_LABELS)
        return ctx


class AcuteView(PlanAccessMixin, TemplateView):
    """Vem kan träda in nu? The people who can step in acutely, closest first, with phone numbers."""

    template_name = "networkmap/acute.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        people = list(
            MapPerson.objects.filter(plan=self.plan, can_step_in=True, left_on__isnull=True)
            .order_by("closeness", "name", "pk")
        )
        ctx.update(plan=self.plan, rows=rows_for(people), people=people)
        return ctx


class MeetingsView(PlanAccessMixin, TemplateView):
    template_name = "networkmap/meetings.html"

    def plan_queryset(self):
        return map_plan_queryset()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        meetings = list(
            NetworkMeeting.objects.filter(plan=self.plan).select_related("support_person", "recorded_by")
            .prefetch_related(
                Prefetch("participants", queryset=MapPerson.objects.order_by("closeness", "name")),
                Prefetch("actions", queryset=Action.objects.order_by("due_on", "pk")),
                Prefetch("invitees_chosen_by_child", queryset=MapPerson.objects.order_by("name")),
            )
        )
        costly = list(CostlyAction.objects.filter(plan=self.plan).select_related("action", "marked_by"))
        ctx.update(plan=self.plan, meetings=meetings, costly=costly)
        return ctx


class MeetingAddView(MapFormView):
    template_name = "networkmap/meeting_form.html"
    form_class = MeetingForm
    change_action = AuditAction.CREATE

    def perform(self, form):
        return services.meeting_record(plan=self.plan, by=self.request.user, **form.cleaned_data)

    def get_success_url(self):
        return reverse("childplans:map_meetings", kwargs={"plan_pk": self.plan.pk})

    success_message = property(lambda self: _("Mötet är antecknat."))


class CostlyView(MapFormView):
    """Before a costly action (e.g. placement outside the home): has the network been explored?
    Mark an action as costly; without an explored network a reason is required."""

    template_name = "networkmap/costly.html"
    form_class = CostlyForm
    change_action = AuditAction.CREATE
    writes = "post"

    def plan_queryset(self):
        return map_plan_queryset()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        last_person = (
            MapPerson.objects.filter(plan=self.plan).order_by("-updated_at")
            .values_list("updated_at", flat=True).first()
        )
        ctx["explored"] = explored_status(self.plan.last_meeting_on, last_person, self.plan.last_version_on)
        ctx["costly"] = list(CostlyAction.objects.filter(plan=self.plan).select_related("action", "marked_by"))
        return ctx

    def perform(self, form):
        return services.action_mark_costly(plan=self.plan, action=form.cleaned_data["action"],
                                           by=self.request.user, reason=form.cleaned_data["reason"])

    def get_success_url(self):
        return reverse("childplans:map_costly", kwargs={"plan_pk": self.plan.pk})

    success_message = property(lambda self: _("Insatsen är markerad som kostsam."))
