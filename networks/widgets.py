from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    """A <select> rendered in Python rather than one template include per <option>.

    For long reference lists (290 kommuner grouped by län) on hot pages such as the directory
    search: the template-per-option rendering cost more than the page's queries, and so did
    ``format_html`` per option (its lazy-string checks), hence plain ``html.escape`` here. The
    labels are ordinary strings or lazy translations, both escaped as text."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in (value if isinstance(value, (list, tuple)) else [value]) if v is not None}
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        parts = [f"<select{flatatt(final_attrs)}>"]

        def add_options(choices):
            for key, label in choices:
                key = "" if key is None else str(key)
                mark = " selected" if key in selected else ""
                parts.append(f'<option value="{escape(key)}"{mark}>{escape(str(label), quote=False)}</option>')

        for group, group_choices in self.choices:
            if isinstance(group_choices, (list, tuple)):
                parts.append(f'<optgroup label="{escape(str(group))}">')
                add_options(group_choices)
                parts.append("</optgroup>")
            else:
                add_options([(group, group_choices)])
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308  every key and label escaped above
