"""Promise 16 by construction (docs/security.md; docs/architecture.md, "Shared pieces live once").

Every form of the project and every form of the admin is derived here, not listed: its model
choices check ids before any query (``portal.forms.IdChoiceField``/``IdMultipleChoiceField``), its
texts have a maximum length, its numbers a maximum, its dates a range (``portal.validators.
DateWithin``), and its error messages name only the placeholders Django fills. The models carry
the same bounds, so a service's ``full_clean`` refuses what the form would. No view, service,
selector or access helper turns request data into a number with ``int()``."""

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.validators import MaxValueValidator
from django.db import models
from django.test import RequestFactory

from portal.admin import AdminInputMixin
from portal.forms import IdChoiceField, IdMultipleChoiceField, formfield_for_dbfield
from portal.validators import date_range_of, max_length_of

ROOT = Path(__file__).resolve().parent.parent
APPS = ("portal", "networks", "meetings", "childplans", "dashboard")
ID_FIELDS = (IdChoiceField, IdMultipleChoiceField)
DATE_FIELDS = (forms.DateField, forms.DateTimeField, forms.SplitDateTimeField)
# Text written by the portal itself, never by a form: an e-mail's pre-rendered body, the plan's
# history (copies of fields that are bounded where they are entered).
SYSTEM_TEXTS = {
    "portal.OutboundEmail.body_text", "portal.OutboundEmail.body_html",
    "childplans.PlanChange.old_value", "childplans.PlanChange.new_value",
}


def _project_modules():
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            name = info.name
            if ".migrations" in name or name.startswith("portal.settings") or name.endswith(".wsgi"):
                continue
            yield importlib.import_module(name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _ours(cls):
    return cls.__module__.split(".")[0] in APPS


def project_forms():
    """Every form class of the project: declared ones and the forms of its formsets."""
    modules = list(_project_modules())
    found = {cls for cls in _subclasses(forms.BaseForm) if _ours(cls)}
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, forms.BaseFormSet) and hasattr(value, "form"):
                found.add(value.form)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


@pytest.fixture(scope="module")
def admin_request():
    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(is_staff=True, is_superuser=True, is_active=True)
    return request


def admin_forms(request):
    """(name, form class) of every registered admin's form and each of its inlines' forms."""
    for model, model_admin in admin.site._registry.items():
        yield f"{model._meta.label} admin", model_admin.get_form(request)
        for inline in model_admin.get_inline_instances(request):
            yield f"{model._meta.label} inline {type(inline).__name__}", inline.get_formset(request).form


def every_form_field(request):
    for cls in project_forms():
        for name, field in cls.base_fields.items():
            yield f"{cls.__module__}.{cls.__qualname__}.{name}", field
    for label, cls in admin_forms(request):
        for name, field in cls.base_fields.items():
            yield f"{label}.{name}", field


def test_the_derivation_finds_the_forms(admin_request):
    """The walk is not empty words: it finds the forms this file is about."""
    names = {f"{c.__module__}.{c.__name__}" for c in project_forms()}
    for expected in ("childplans.forms.ConsentForm", "childplans.networkmap.forms.MeetingForm",
                     "meetings.forms.InviteForm", "networks.directory_forms.ActivitySearchForm",
                     "dashboard.forms.ProfileForm"):
        assert expected in names
    assert len(names) > 50
    labels = {label for label, _form in admin_forms(admin_request)}
    assert "usersessions.UserSession admin" in labels
    assert "networks.Network inline StewardshipInline" in labels


def test_every_model_choice_checks_ids_before_querying(admin_request):
    plain = [
        name for name, field in every_form_field(admin_request)
        if isinstance(field, forms.ModelChoiceField) and not isinstance(field, ID_FIELDS)
    ]
    assert not plain, f"plain ModelChoiceField/ModelMultipleChoiceField (use portal.forms' id fields): {plain}"


def test_every_model_form_is_the_portals():
    """A ModelForm whose Meta does not inherit ``portal.forms.ModelForm.Meta`` would make its
    foreign keys plain ModelChoiceFields and its dates unbounded."""
    loose = [
        f"{cls.__module__}.{cls.__qualname__}" for cls in project_forms()
        if issubclass(cls, forms.BaseModelForm) and cls._meta.model is not None
        and cls._meta.formfield_callback is not formfield_for_dbfield
    ]
    assert not loose, f"ModelForms without portal.forms.ModelForm.Meta: {loose}"


def test_no_model_choice_field_is_made_outside_portal_forms():
    """Fields made in ``__init__`` escape ``base_fields``: the source may not name Django's
    model choice fields anywhere but in the one module that wraps them."""
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path == ROOT / "portal" / "forms.py":
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
                if name in ("ModelChoiceField", "ModelMultipleChoiceField"):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, found


def test_every_admin_checks_its_input_like_the_forms(admin_request):
    loose = []
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, AdminInputMixin):
            loose.append(model._meta.label)
        loose += [f"{model._meta.label} {i.__name__}" for i in model_admin.inlines if not issubclass(i, AdminInputMixin)]
    assert not loose, f"admins without portal.admin.AdminInputMixin: {loose}"


def test_every_text_field_has_a_maximum(admin_request):
    loose = [
        name for name, field in every_form_field(admin_request)
        if isinstance(field, forms.CharField) and not isinstance(field, forms.ModelChoiceField)
        and field.max_length is None and not isinstance(field.widget, forms.PasswordInput)
    ]
    assert not loose, f"text fields without max_length: {loose}"


def test_no_text_field_is_made_without_a_maximum():
    """Text fields made in ``__init__`` (an area's notes, an agenda point's notes) too."""
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and isinstance(node.func.value, ast.Name) and node.func.value.id == "forms"
                        and node.func.attr in ("CharField", "EmailField", "URLField", "SlugField")
                        and not any(k.arg == "max_length" for k in node.keywords)):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, f"forms.CharField & co. without max_length=: {found}"


def test_every_number_field_has_a_maximum(admin_request):
    loose = [
        name for name, field in every_form_field(admin_request)
        if isinstance(field, forms.IntegerField)
        and not any(isinstance(v, MaxValueValidator) for v in field.validators)
    ]
    assert not loose, f"number fields without a maximum: {loose}"


def test_every_date_field_has_a_range(admin_request):
    loose = [
        name for name, field in every_form_field(admin_request)
        if isinstance(field, DATE_FIELDS) and date_range_of(field) is None
    ]
    assert not loose, f"date fields without portal.validators.DateWithin: {loose}"


def _project_models():
    from django.apps import apps

    return [m for m in apps.get_models() if m.__module__.split(".")[0] in APPS]


def test_every_text_column_is_bounded_at_the_model_too():
    """``TextField(max_length=…)`` limits only its form field; the validator makes ``full_clean``
    (every service) refuse a longer text as well."""
    loose = []
    for model in _project_models():
        for field in model._meta.concrete_fields:
            label = f"{model._meta.label}.{field.name}"
            if not isinstance(field, (models.CharField, models.TextField)) or label in SYSTEM_TEXTS:
                continue
            if field.max_length is None or max_length_of(field) != field.max_length:
                loose.append(label)
    assert not loose, f"text columns without max_length and a MaxLengthValidator of it: {loose}"


def test_every_date_a_form_asks_for_is_bounded_at_the_model_too():
    """The model field behind a ModelForm's date has the same range, for the services'
    ``full_clean``; dates of the plain forms are in tests/portal/test_hostile_input.py's table."""
    loose = []
    for cls in project_forms():
        model = getattr(getattr(cls, "_meta", None), "model", None)
        if model is None:
            continue
        for name, field in cls.base_fields.items():
            if isinstance(field, DATE_FIELDS):
                db_field = model._meta.get_field(name)
                if date_range_of(db_field) is None:
                    loose.append(f"{model._meta.label}.{name}")
    assert not loose, loose


PLACEHOLDER = re.compile(r"%\((\w+)\)")


def _placeholders(message):
    return set(PLACEHOLDER.findall(str(message)))


def _filled(field, code):
    """The placeholders Django fills for ``code``: those of Django's own message for it (and the
    id fields fill ``value`` and ``pk`` for ``invalid_choice``)."""
    allowed = set()
    for cls in type(field).__mro__:
        if cls.__module__.startswith("django.") and code in vars(cls).get("default_error_messages", {}):
            allowed |= _placeholders(vars(cls)["default_error_messages"][code])
    if isinstance(field, ID_FIELDS) and code == "invalid_choice":
        allowed |= {"value", "pk"}
    return allowed


def test_error_messages_name_only_what_django_fills(admin_request):
    """A message with ``%(value)s`` for a code Django fills with ``pk`` raised KeyError on the
    network meeting form (a non-number among the participants)."""
    wrong = []
    for name, field in every_form_field(admin_request):
        for code, message in field.error_messages.items():
            extra = _placeholders(message) - _filled(field, code)
            if extra:
                wrong.append(f"{name} {code}: {sorted(extra)}")
    assert not wrong, wrong


def test_error_messages_set_in_code_name_no_placeholder():
    """Messages put on a field in ``__init__`` (``field.error_messages[code] = …``) cannot be
    checked against their field's class here; they name no placeholder at all."""
    found = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if (isinstance(node, ast.Assign) and len(node.targets) == 1
                        and isinstance(node.targets[0], ast.Subscript)
                        and isinstance(node.targets[0].value, ast.Attribute)
                        and node.targets[0].value.attr == "error_messages"):
                    text = ast.get_source_segment(path.read_text(), node.value) or ""
                    if PLACEHOLDER.search(text):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, found


# --- no int() on request data ------------------------------------------------------------------

# Attributes that are request data wherever they appear (request.GET, self.kwargs, …).
SOURCES = {"GET", "POST", "COOKIES", "META", "FILES", "body", "headers", "kwargs", "args", "data"}
CONVERSIONS = {"int", "float"}


def _scanned_files():
    """Views, services, selectors and access helpers: where request data arrives."""
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT).parts
            if "migrations" in parts:
                continue
            if "views" in parts or path.stem in ("views", "services", "selectors", "access") or "services" in parts:
                yield path


class _Taint:
    """Which expressions of one function carry request data: its parameters (a view's URL
    values, a service's arguments), anything read from a request attribute in ``SOURCES``, what
    is assigned or iterated from those, and what a method or function makes of them. An
    attribute of such a value (``person.closeness``, ``plan.pk``) is the model's, not the
    request's."""

    def __init__(self, function):
        self.names = {a.arg for a in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs)}
        self.names |= {a.arg for a in (function.args.vararg, function.args.kwarg) if a}
        self.names -= {"self", "cls"}
        changed = True
        while changed:
            changed = False
            for node in ast.walk(function):
                targets, value = [], None
                if isinstance(node, ast.Assign):
                    targets, value = node.targets, node.value
                elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
                    targets, value = [node.target], node.value
                elif isinstance(node, (ast.For, ast.comprehension)):
                    targets, value = [node.target], node.iter
                elif isinstance(node, ast.NamedExpr):
                    targets, value = [node.target], node.value
                if value is not None and self.carries(value):
                    for target in targets:
                        for name in ast.walk(target):
                            if isinstance(name, ast.Name) and name.id not in self.names:
                                self.names.add(name.id)
                                changed = True

    def carries(self, node):
        if isinstance(node, ast.Name):
            return node.id in self.names
        if isinstance(node, ast.Attribute):
            return node.attr in SOURCES
        if isinstance(node, ast.Subscript):
            return self.carries(node.value)
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id == "getattr":
                return False
            if isinstance(func, ast.Attribute) and self.carries(func.value):
                return True  # .get(), .strip(), .split() of request data
            return any(self.carries(a) for a in (*node.args, *(k.value for k in node.keywords)))
        if isinstance(node, (ast.BinOp, ast.BoolOp, ast.IfExp, ast.JoinedStr, ast.FormattedValue, ast.Starred,
                             ast.Tuple, ast.List)):
            return any(self.carries(child) for child in ast.iter_child_nodes(node))
        return False


def int_on_request_data(source):
    found = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        taint = _Taint(function)
        for node in ast.walk(function):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CONVERSIONS
                    and any(taint.carries(a) for a in node.args)):
                found.append(node.lineno)
    return found


@pytest.mark.parametrize(
    "source",
    [
        "def get(self, request):\n    return int(request.GET.get('page', 1))",
        "def post(self, request, *args, **kwargs):\n    pk = request.POST.get('x')\n    return int(pk)",
        "def get(self):\n    return int(self.kwargs['pk'])",
        "def view(request, uidb64):\n    return int(force_str(urlsafe_base64_decode(uidb64)))",
        "def invite(*, meeting, user_ids):\n    return {int(pk) for pk in user_ids}",
        "def get(self):\n    raw = self.request.GET.get('a', '')\n    return int(raw) if raw.isdigit() else None",
    ],
)
def test_the_int_check_finds_int_on_request_data(source):
    assert int_on_request_data(source)


def test_the_int_check_leaves_model_values_alone():
    assert not int_on_request_data("def snapshot(people):\n    return [int(p.closeness) for p in people]")
    assert not int_on_request_data("def f(rows):\n    return [int(getattr(r, 'n')) for r in rows]")


def test_no_int_on_request_data():
    """Ids come through ``portal.forms`` (``IdField``, ``IdListField``, the id choice fields,
    ``id_from``) and numbers through form fields with a maximum; ``int()`` on a query parameter,
    a posted value or a URL value raises ValueError for "abc" and "²", and a number beyond 64
    bits overflows SQLite."""
    found = []
    for path in _scanned_files():
        found += [f"{path.relative_to(ROOT)}:{line}" for line in int_on_request_data(path.read_text())]
    assert not found, f"int()/float() on request data: {found}"


def _url_patterns(resolver, prefix=""):
    from django.urls import URLResolver

    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _url_patterns(entry, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def test_every_id_in_a_path_is_checked_before_any_view():
    """No route of ours takes ``<int:…>``: a path id is ``<id:…>`` (``portal.queries.IdConverter``),
    so twenty digits, or a number beyond a 64-bit column, is a 404 before any view runs. The
    admin's own routes take ``<path:object_id>`` and are checked by ``AdminInputMixin``."""
    from django.urls import get_resolver
    from django.urls.converters import IntConverter

    from portal.queries import IdConverter

    ours = [(route, entry) for route, entry in _url_patterns(get_resolver()) if not route.startswith("admin/")]
    assert len(ours) > 100
    with_ids = 0
    for route, entry in ours:
        converters = entry.pattern.converters.values()
        assert not any(isinstance(c, IntConverter) for c in converters), route
        with_ids += any(isinstance(c, IdConverter) for c in converters)
    assert with_ids > 50


@pytest.mark.parametrize("value", ["99999999999999999999", "9223372036854775808", "0", "00"])
def test_a_path_id_no_column_can_hold_is_a_404(client, value, db):
    from django.urls import resolve
    from django.urls.exceptions import Resolver404

    assert resolve("/natverk/1/organisationer/9223372036854775807/").kwargs["organisation_pk"] == 2**63 - 1
    with pytest.raises(Resolver404):
        resolve(f"/natverk/1/organisationer/{value}/")
    client.force_login(get_user_model().objects.create_user(email="x@example.se", password="x"))
    assert client.get(f"/natverk/1/organisationer/{value}/").status_code == 404
