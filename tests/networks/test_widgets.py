import re

from django import forms

from networks.widgets import FastSelect

CHOICES = [("", "Alla kommuner"), ("Kronobergs län", [(1, "Växjö"), (2, "Ljungby")]), ("A & B", [(3, "<Åmål>")])]


def _options(html):
    return re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', html)


def test_fast_select_renders_like_djangos_select():
    attrs = {"id": "id_kommun", "class": "form-select"}
    fast = FastSelect(choices=CHOICES).render("kommun", 2, attrs)
    django = forms.Select(choices=CHOICES).render("kommun", 2, attrs)
    assert _options(fast) == [
        ("", "", "Alla kommuner"), ("1", "", "Växjö"), ("2", " selected", "Ljungby"), ("3", "", "&lt;Åmål&gt;"),
    ]
    assert [v for v, _s, _l in _options(fast)] == re.findall(r'<option value="([^"]*)"', django)
    assert 'id="id_kommun"' in fast and 'name="kommun"' in fast and 'class="form-select"' in fast
    assert '<optgroup label="A &amp; B">' in fast


def test_fast_select_without_value_selects_nothing():
    assert " selected" not in FastSelect(choices=CHOICES).render("kommun", None)
