"""Verksamhetskatalogen pages: search, detail, publish, change and remove an activity.

Every logged-in user may search and read the directory. An activity is published and changed
by the people who belong to its organisation (and administrators); for anyone else the
change pages answer 404, the same as for an activity that does not exist."""

import hashlib

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, TemplateView

from portal.forms import ServiceFormMixin, id_from
from portal.kept import kept

from .. import services
from ..access import is_administrator
from ..directory import (
    can_edit_activity,
    get_activity_for_editor_or_404,
    listing_rows,
    organisations_for_editor,
    search_results,
)
from ..directory_forms import ActivityForm, ActivitySearchForm
from ..kept import DIRECTORY_RESULTS, DIRECTORY_SCOPE, DIRECTORY_TIMEOUT
from ..models import Activity, Organisation

PAGE_SIZE = 50
# What the search page reads from its query string (the form's fields and the page).
SEARCH_PARAMETERS = ("q", "kommun", "category", "organisation_kind", "age", "organisation", "page")


class ActivitySearchView(TemplateView):
    template_name = "networks/directory_search.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        # Kept HTML (networks/kept.py DIRECTORY_RESULTS): per search, the same for everyone.
        params = tuple((name, tuple(self.request.GET.getlist(name))) for name in SEARCH_PARAMETERS
                       if name in self.request.GET)
        ctx["results_html"] = kept(
            DIRECTORY_RESULTS, (hashlib.sha256(repr(params).encode()).hexdigest(),),
            lambda: render_to_string("networks/_directory_results.html", self.results_context()),
            DIRECTORY_TIMEOUT, scope=DIRECTORY_SCOPE,
        )
        ctx["can_publish"] = is_administrator(user) or organisations_for_editor(user).exists()
        return ctx

    def results_context(self):
        form = ActivitySearchForm(self.request.GET or None)
        arguments = form.search_arguments()
        results = search_results(**arguments)
        # A page past the last (or not a number) shows the last (or the first): never a 500.
        paginator = Paginator(results, PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("page"))
        page.object_list = rows = listing_rows(page.object_list)
        organisation = None
        if arguments["organisation"]:
            # From the first result when there is one (selected with it): no extra query.
            if rows:
                organisation = rows[0].organisation
            else:
                organisation = Organisation.objects.filter(pk=arguments["organisation"]).first()
        # Links keep the search's own parameters only.
        search_query = QueryDict(mutable=True)
        for name in SEARCH_PARAMETERS:
            if name in self.request.GET:
                search_query.setlist(name, self.request.GET.getlist(name))
        return {
            "form": form,
            "search_query": search_query,
            "page_obj": page,
            "activities": page.object_list,
            "paginator": paginator,
            "more_than_limit": results.more,
            "result_limit": results.limit,
            "ranked": results.ranked,
            "searched": form.is_bound,
            "filtered_organisation": organisation,
        }


class ActivityDetailView(DetailView):
    template_name = "networks/activity_detail.html"
    context_object_name = "activity"
    queryset = Activity.objects.select_related("organisation", "kommun", "kommun__lan")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_edit"] = can_edit_activity(self.request.user, self.object)
        return ctx


class _ActivityEditMixin(ServiceFormMixin):
    """Shared by create and update: the organisations the user may choose among."""

    form_class = ActivityForm
    template_name = "networks/activity_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["organisations"] = organisations_for_editor(self.request.user)
        return kwargs

    def get_success_url(self):
        return reverse("activity_detail", args=[self.result.pk])


class ActivityCreateView(_ActivityEditMixin, FormView):
    def dispatch(self, request, *args, **kwargs):
        if not is_administrator(request.user) and not organisations_for_editor(request.user).exists():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        """The organisation named in ?organisation= (if it is one of mine), else my only one;
        the kommun defaults to that organisation's."""
        initial = super().get_initial()
        organisations = organisations_for_editor(self.request.user)
        organisation = None
        wanted = id_from(self.request.GET, "organisation")
        if wanted is not None:
            organisation = organisations.filter(pk=wanted).first()
        if organisation is None and not is_administrator(self.request.user):
            mine = list(organisations[:2])
            if len(mine) == 1:
                organisation = mine[0]
        if organisation is not None:
            initial["organisation"] = organisation.pk
            initial["kommun"] = organisation.kommun_id
        return initial

    def perform(self, form):
        self.success_message = _("Verksamheten är publicerad i katalogen.")
        return services.activity_create(by=self.request.user, **form.cleaned_data)


class ActivityUpdateView(_ActivityEditMixin, FormView):
    def dispatch(self, request, *args, **kwargs):
        self.activity = get_activity_for_editor_or_404(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.activity
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["activity"] = ctx["object"] = self.activity
        return ctx

    def perform(self, form):
        self.success_message = _("Ändringarna är sparade.")
        return services.activity_update(activity=self.activity, by=self.request.user, **form.cleaned_data)


class ActivityDeleteView(ServiceFormMixin, FormView):
    template_name = "networks/activity_confirm_delete.html"
    form_class = forms.Form

    def dispatch(self, request, *args, **kwargs):
        self.activity = get_activity_for_editor_or_404(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["activity"] = self.activity
        return ctx

    def perform(self, form):
        self.success_message = _("”%(title)s” är borttagen ur katalogen.") % {"title": self.activity.title}
        services.activity_delete(activity=self.activity, by=self.request.user)

    def get_success_url(self):
        return reverse("directory_search")
