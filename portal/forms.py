"""Form pieces every app shares.

- **Ids from outside are checked before any query** (docs/security.md, promise 16): every model
  choice in every form is an ``IdChoiceField`` or ``IdMultipleChoiceField``, a number that names
  no choice list (a hidden field, a query parameter) an ``IdField``. A value that cannot be an
  id — not ASCII digits, beyond 64 bits, 0, a NUL byte — gets Django's own "Välj ett giltigt
  alternativ" next to the field and never reaches the database (SQLite raises
  ``OverflowError`` for a number beyond 64 bits, PostgreSQL a data error).
- **Every ModelForm is the portal's** ``ModelForm``: its foreign keys and many-to-many fields
  become the id fields, and its dates carry their model field's range (``portal.bounds``) so
  the message shows next to the field even where the form leaves the model's validation to the
  service. The admin does the same for every registered model (``portal.admin``).
- **A service's ValidationError on a form**: services raise ``ValidationError`` with Swedish
  messages, keyed by field where the error is about one (docs/architecture.md, "Where logic
  lives"); the view shows each next to its field and the rest on top of the form, and nothing
  is changed."""

import unicodedata

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.shortcuts import redirect
from django.utils.encoding import force_str

from .queries import parse_id
from .validators import DateWithin, date_range_of

# Django's own message (translated by Django's catalogue): "Välj ett giltigt alternativ. Det valet
# finns inte bland tillgängliga alternativ." It names no value: a hostile one is never echoed.
INVALID_CHOICE = forms.ModelChoiceField.default_error_messages["invalid_choice"]

DATE_FIELDS = (forms.DateField, forms.DateTimeField, forms.SplitDateTimeField)


def _shown(value, limit=20):
    """``value`` for a custom message's ``%(value)s``: no control or format characters (no NUL,
    no right-to-left override), at most ``limit`` characters."""
    text = "".join(ch for ch in force_str(value) if unicodedata.category(ch)[0] != "C")
    return text if len(text) <= limit else text[:limit] + "…"


class _IdCheck:
    """What both id choice fields check before the queryset is asked."""

    def key_field(self):
        meta = self.queryset.model._meta
        field = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
        while field.is_relation:
            field = field.target_field
        return field

    def possible(self, value):
        """Whether ``value`` can name a row at all (a model instance can)."""
        if isinstance(value, self.queryset.model):
            return True
        field = self.key_field()
        if isinstance(field, models.IntegerField):  # AutoField and BigAutoField too
            return parse_id(value) is not None
        return isinstance(value, str) and "\x00" not in value and len(value) <= (field.max_length or 255)

    def check_key(self, value):
        """Raise ``invalid_choice`` unless ``value`` can name a row at all."""
        if not self.possible(value):
            shown = _shown(value)
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": shown, "pk": shown}
            )


class IdChoiceField(_IdCheck, forms.ModelChoiceField):
    """A ``ModelChoiceField`` that refuses a value that cannot be an id before any query."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = self.prepare_value(value)  # a model instance: its key
        self.check_key(value)
        return super().to_python(value)

    def bound_data(self, data, initial):
        """A form shown again after an error does not give a value that cannot be an id back to
        its widget: the admin's widgets would look it up (an overflow again), and it is not
        echoed into the page."""
        data = super().bound_data(data, initial)
        return data if data in self.empty_values or self.possible(data) else None


class IdMultipleChoiceField(_IdCheck, forms.ModelMultipleChoiceField):
    """A ``ModelMultipleChoiceField`` that refuses a value that cannot be an id before any query
    (Django's own asks ``pk__in`` first, which overflows on SQLite). Its message names no value."""

    default_error_messages = {"invalid_choice": INVALID_CHOICE, "invalid_pk_value": INVALID_CHOICE}

    def clean(self, value):
        value = self.prepare_value(value)
        if isinstance(value, (list, tuple)):
            for item in value:
                self.check_key(item)
        return super().clean(value)

    def bound_data(self, data, initial):
        """As ``IdChoiceField.bound_data``: only the values that can be ids go back to the widget."""
        data = super().bound_data(data, initial)
        if isinstance(data, (list, tuple)):
            return [item for item in data if self.possible(item)]
        return data


class IdField(forms.Field):
    """An id that names no choice list (a hidden field, a query parameter): an ``int`` that
    fits an id column, or ``invalid_choice``. The view still finds the row through its
    visibility rule; this only makes sure the question can be asked."""

    widget = forms.HiddenInput
    default_error_messages = {"invalid_choice": INVALID_CHOICE}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        number = parse_id(value)
        if number is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return number


class IdListField(forms.Field):
    """Ids from checkboxes a page renders itself (``<input type="checkbox" name="invitee">`` in
    a table): a list of ``int``, or ``invalid_choice`` if any value cannot be an id."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid_choice": INVALID_CHOICE}

    def to_python(self, value):
        if value in self.empty_values:
            return []
        values = value if isinstance(value, (list, tuple)) else [value]
        ids = [parse_id(item) for item in values]
        if None in ids:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return ids


def id_from(data, name):
    """The id in ``data[name]`` (``request.GET`` or ``request.POST``) or None when it is missing
    or cannot be an id: for a value that only preselects something (``?parent=7``), where a bad
    one is simply not used. A filter whose bad value deserves a message is a form field
    (``IdField``, ``IdChoiceField``) instead."""
    return parse_id(data.get(name))


def bounded(form_field, db_field):
    """``form_field`` with the bounds of its model field ``db_field``, so the message shows next
    to the field whoever validates the model afterwards: a date's range (``any`` for a date
    nobody enters by hand, such as a row's timestamp in the admin), a number's smallest and
    largest value (the column's range; Django puts it on the model field only)."""
    if isinstance(form_field, DATE_FIELDS) and date_range_of(form_field) is None:
        form_field.validators.append(date_range_of(db_field) or DateWithin("any"))
    if isinstance(form_field, forms.IntegerField):
        for kind in (MinValueValidator, MaxValueValidator):
            if not any(isinstance(v, kind) for v in form_field.validators):
                form_field.validators += [v for v in db_field.validators if isinstance(v, kind)]
    return form_field


def formfield_for_dbfield(db_field, **kwargs):
    """The form field of a model field in every portal ModelForm: foreign keys and many-to-many
    fields as the id fields (a ``field_classes`` entry must be one of them or a subclass), dates
    within their range. Text lengths come with the model field's ``max_length``."""
    if isinstance(db_field, models.ForeignKey):
        kwargs.setdefault("form_class", IdChoiceField)
    elif isinstance(db_field, models.ManyToManyField):
        kwargs.setdefault("form_class", IdMultipleChoiceField)
    form_field = db_field.formfield(**kwargs)
    return form_field if form_field is None else bounded(form_field, db_field)


class ModelForm(forms.ModelForm):
    """The portal's ModelForm. A subclass's ``Meta`` inherits this one's
    (``class Meta(ModelForm.Meta)``), which carries ``formfield_callback``;
    tests/test_architecture_input.py fails on a ModelForm without it."""

    class Meta:
        formfield_callback = formfield_for_dbfield


def apply_validation_error(form, exc, field_map=None):
    """Put ``exc``'s messages next to the matching form fields; ``field_map`` renames a
    service's field to the form's. Messages for no field of the form go on top of it."""
    field_map = field_map or {}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field_map.get(field, field)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def error_text(exc):
    """A ValidationError as one line, for a message shown after a redirect."""
    return " ".join(force_str(m) for m in exc.messages)


class ServiceFormMixin:
    """For a ``FormView`` whose valid form calls a service: ``perform(form)`` runs in a
    transaction; a ``ValidationError`` rolls it back and shows the form again with the
    messages (``service_field_map`` renames fields); otherwise the view redirects to
    ``get_success_url()`` with ``success_message``."""

    success_message = ""
    service_field_map = None

    def perform(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.result = self.perform(form)
        except ValidationError as exc:
            apply_validation_error(form, exc, self.service_field_map)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())
