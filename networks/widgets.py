from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    """A <select> rendered in Python rather than one template include per <option>.

    For long reference lists (290 kommuner grouped by län) on hot pages such as the directory
    search: the template-per-option rendering cost more than the page's queries."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in (value if isinstance(value, (list, tuple)) else [value]) if v is not None}
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name

        def options(choices):
            return format_html_join(
                "",
                "<option value=\"{}\"{}>{}</option>",
                (
                    (key, mark_safe(" selected") if str(key) in selected else "", label)
                    for key, label in choices
                ),
            )

        parts = []
        for group, group_choices in self.choices:
            if isinstance(group_choices, (list, tuple)):
                parts.append(format_html('<optgroup label="{}">{}</optgroup>', group, options(group_choices)))
            else:
                parts.append(options([(group, group_choices)]))
        return format_html(
            "<select{}>{}</select>", flatatt(final_attrs), format_html_join("", "{}", ((p,) for p in parts))
        )
