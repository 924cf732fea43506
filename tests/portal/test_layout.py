"""The page layout (templates/base.html): rendered for each request, with the viewer's name,
rights, language and the current page."""

import pytest
from django.test import Client
from django.urls import reverse

from .. import factories as f

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_each_viewer_sees_their_own_name_and_rights():
    staff = f.UserFactory(first_name="Astrid", last_name="Admin", is_staff=True)
    member = f.UserFactory(first_name="Bo", last_name="Medlem")
    url = reverse("dashboard")
    first = _client(staff).get(url).content.decode()
    second = _client(member).get(url).content.decode()
    assert "Astrid Admin" in first and reverse("admin:index") in first
    assert "Bo Medlem" in second and "Astrid" not in second
    assert reverse("admin:index") not in second
    again = _client(staff).get(url).content.decode()
    assert again.count('class="nav-link active"') == 1


def test_the_current_page_is_marked_in_the_menu():
    client = _client(f.UserFactory())
    for name in ("dashboard", "network_list", "directory_search"):
        html = client.get(reverse(name)).content.decode()
        link = f'href="{reverse(name)}"'
        marked = [line for line in html.splitlines() if 'aria-current="page"' in line and "nav-link" in line]
        assert len(marked) == 1 and link in marked[0], name


def test_each_language_has_its_own_layout():
    client = _client(f.UserFactory())
    assert "Min översikt" in client.get(reverse("dashboard")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("dashboard")).content.decode()
    assert "Min översikt" not in english and "Log out" in english


def test_log_out_and_the_language_switch_still_post_with_a_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(f.UserFactory())
    html = client.get(reverse("dashboard")).content.decode()
    assert html.count('name="csrfmiddlewaretoken"') == 2  # the log-out form and the language form
    assert 'form="logout-form"' in html and 'id="logout-form"' in html
