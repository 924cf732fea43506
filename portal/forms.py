"""Form helpers every app's views share: a service's ValidationError put on the form.

Services raise ``ValidationError`` with Swedish messages, keyed by field where the error is
about one (docs/architecture.md, "Where logic lives"); the view shows each next to its field
and the rest on top of the form, and nothing is changed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils.encoding import force_str


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
