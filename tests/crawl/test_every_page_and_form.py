"""Every page and every form, as every persona of the demo, from the outside
(docs/security.md promises 15 and 16; issue 18 sections 2 and 4).

The crawler (tests/crawl/crawler.py) logs in as each persona of the demo data and follows every
link it is shown, from "Min översikt" on, a few pages of each route; the links of the demo's
e-mails (invitations, answers, team meetings) open the public pages behind their tokens. Then:

- **A GET changes nothing**: no page writes anything but the session and read rows of the audit
  log; a page under a child's plan (or a referral) writes exactly one read row.
- **No input reaches a 500**: every form found is posted with a table of hostile values in each
  field in turn (the other fields as the page filled them in; of the table, the values that can
  make a difference to a field of that kind: ``RELEVANT``), every GET filter and query
  parameter gets the same values, and every id in a path gets a 20-digit and a zero id. No answer
  is a server error; a refused form changes nothing and, when the same form with plausible values
  is accepted, says what is wrong next to the field; what is accepted is possible (a choice
  among the options, a date within bounds, a text within its limit); `<script>` is never echoed
  unescaped; a `next` never leads off the site.
- **Every route is reached**: the routes come from the URL resolver; one no persona reaches
  fails here until it is reached or listed in ``UNREACHED`` with the reason and the test that
  covers it instead.

Each request runs in a savepoint that is rolled back, so every request sees the demo as loaded.
The same tests run on SQLite and on PostgreSQL (`.ci/run` runs this folder on both; on SQLite,
after PostgreSQL, the forms get only the values whose answer the database decides:
``DATABASE_DECIDES``)."""

import os
import re
import zlib
from collections import Counter
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.urls import NoReverseMatch, resolve, reverse

from portal import routes
from portal.models import OutboundEmail
from portal.outbox import build_message
from portal.queries import MAX_ID
from tests.childplans.conftest import reauthenticate
from tests.portal.test_routes import ROUTES as ALL_ROUTES

from .conftest import PERSONAS, client_as
from .crawler import READ_ACTIONS, crawl, error_texts, errors_shown, local_url, route_class, send

pytestmark = [pytest.mark.django_db, pytest.mark.both_databases]

# Routes no crawl reaches by following links, and where they are tested instead.
UNREACHED = {
    "account_confirm_email": "disabled (portal.routes.DISABLED): no confirmation key is ever made; "
    "its 404 is tests/portal/test_routes.py's",
    # issue 20: the crawled demo has no identity provider (the demo's runs under ./portal.sh run
    # only); a real one is logged in through end to end in the tests named
    "openid_connect_login": "tests/childplans/test_federated_login.py, tests/e2e/test_federated_login.py",
    "openid_connect_callback": "tests/childplans/test_federated_login.py (strong, weak, refused, replayed, "
    "another browser's, tampered, expired)",
    "saml_login": "tests/childplans/test_saml_login.py, tests/e2e/test_federated_login.py",
    "saml_acs": "tests/childplans/test_saml_login.py (strong, weak, missing, refused, tampered, unsigned, "
    "wrong audience and destination, expired, replayed, another browser's, unsolicited)",
    "saml_finish_acs": "tests/childplans/test_saml_login.py",
    "saml_metadata": "tests/childplans/test_saml_login.py",
    "saml_sls": "allauth's single logout (the portal does not ask IdPs to log out); its marking is "
    "tests/portal/test_routes.py's",
    # issue 21: the crawler opens one page per route with the first object its links give, a
    # coming meeting without minutes; publishing is walked through the pages, for the coordinator
    # and every wrong user, in the tests named
    "meeting_minutes_publish": "tests/meetings/test_minutes_publish.py, tests/meetings/test_access.py (the twin "
    "table), tests/e2e/test_meetings_flow.py",
}


def excused_admin_route(name):
    """An admin page of one row of a model the demo has no row of, or an add page of a model
    no one may add to: its generic view is the same as every other model's."""
    from django.contrib import admin
    from django.test import RequestFactory

    match = re.match(r"admin:(\w+?)_(\w+)_(change|delete|history|add)$", name)
    if not match:
        return False
    for model, model_admin in admin.site._registry.items():
        if (model._meta.app_label, model._meta.model_name) == match.group(1, 2):
            request = RequestFactory().get("/")
            request.user = client_user(PERSONAS["administrator"])
            if match.group(3) == "add":
                return not model_admin.has_add_permission(request)
            if match.group(3) == "delete" and not model_admin.has_delete_permission(request):
                return True
            return not model._default_manager.exists()
    return False

HOSTILE = [
    ("20-digit id", "9" * 20),
    ("-1", "-1"),
    ("0", "0"),
    ("abc", "abc"),
    ("empty", ""),
    ("10,000 characters", "x" * 10_000),
    ("NUL byte", "a\x00b"),
    ("year 0001", "0001-01-01"),
    ("year 9999", "9999-12-31"),
    ("<script>", "<script>alert(1)</script>"),
    ("RTL override", "\u202etxt.exe"),
]
SCRIPT = b"<script>alert(1)</script>"


# Which of the table can make a difference to a field of each kind; the others are refused by the
# same code as one that is tried (an id-like "abc" in a text is just a text; a date in a select is
# just another value not among the options). A kind not named here gets the whole table.
CHOICE = ("20-digit id", "-1", "0", "abc", "empty", "NUL byte", "<script>")
TEXT = ("empty", "10,000 characters", "NUL byte", "<script>", "RTL override")
DATE = ("20-digit id", "abc", "empty", "NUL byte", "year 0001", "year 9999")
NUMBER = ("20-digit id", "-1", "0", "abc", "empty", "NUL byte")
RELEVANT = {
    "select": CHOICE, "radio": CHOICE, "checkbox": CHOICE,
    "text": TEXT, "textarea": TEXT, "email": TEXT, "url": TEXT, "tel": TEXT, "search": TEXT, "password": TEXT,
    "date": DATE, "datetime-local": DATE, "time": DATE,
    "number": NUMBER,
}
# The values whose answer the database decides: a number beyond a column (SQLite raises
# OverflowError past 64 bits, PostgreSQL "out of range" past its column), a negative one against
# a CHECK, a NUL byte (PostgreSQL refuses it in text, SQLite keeps it), a text longer than a
# column (PostgreSQL refuses it, SQLite keeps it). Every other value is refused or kept by Python
# — the forms, the validators — the same way on both. `.ci/run`'s second pass, on SQLite after
# the whole suite on PostgreSQL, sets HOSTILE_DATABASE_VALUES_ONLY and posts only these; a run on
# SQLite alone (no PostgreSQL on the machine) posts the whole table.
DATABASE_DECIDES = ("20-digit id", "-1", "NUL byte", "10,000 characters")
DATABASE_VALUES_ONLY = os.environ.get("HOSTILE_DATABASE_VALUES_ONLY") == "1"


def hostile_values(field=None):
    relevant = RELEVANT.get(field.kind) if field is not None and not field.kind == "hidden" else None
    if field is not None and field.kind == "checkbox" and not field.multiple:
        relevant = ("empty", "abc", "NUL byte")  # a box is ticked or not: any value is "ticked"
    for label, value in HOSTILE:
        if relevant is not None and label not in relevant:
            continue
        if DATABASE_VALUES_ONLY and label not in DATABASE_DECIDES:
            continue
        if field is not None and field.kind == "datetime-local" and label.startswith("year"):
            value += "T10:00"
        yield label, value


# --- the crawls, once per persona per module ----------------------------------------------------


def parameterless_pages():
    """Every route that takes no parameter (the route table's own start pages: health, the
    indicators, the account pages …), for each persona to open."""
    pages = []
    for route in ALL_ROUTES:
        if route.name:
            try:
                pages.append(reverse(route.name))
            except NoReverseMatch:
                pass  # it takes parameters: a link leads there
    return pages


def email_links():
    """The links in the demo's e-mails, as their recipients get them (tokens made at render time)."""
    links = set()
    for row in OutboundEmail.objects.order_by("pk"):
        message = build_message(row)
        if message is None:  # no longer to be sent (a cancelled meeting's reminder, …)
            continue
        texts = [message.body] + [content for content, _mime in getattr(message, "alternatives", [])]
        for text in texts:
            for url in re.findall(r"https?://[^\s\"'<>]+", str(text)):
                local = local_url(url.replace("&amp;", "&"))
                if local:
                    links.add(local)
    return sorted(links)


@pytest.fixture(scope="module")
def crawls(demo_world):
    """persona -> Crawl, each made the first time a test asks for it."""
    done = {}

    def get(persona):
        """A client freshly logged in for this test (a session made in an earlier test was rolled
        back with it) and the persona's crawl, made once."""
        client = client_as(persona)
        if persona not in done:
            seeds = [*demo_world.get(persona, []), "/", *parameterless_pages()]
            if PERSONAS[persona] is None:
                seeds += email_links()
            done[persona] = crawl(client, persona, seeds)
        return client, done[persona]

    return get


def report(problems, what):
    shown = "\n".join(problems[:80])
    more = f"\n… and {len(problems) - 80} more" if len(problems) > 80 else ""
    return f"{len(problems)} {what}:\n{shown}{more}"


# --- a GET changes nothing ----------------------------------------------------------------------


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_a_get_changes_nothing(crawls, persona):
    _client, result = crawls(persona)
    problems = []
    for a in result.answers:
        if a.status >= 500:
            problems.append(f"server error: {a.describe()}")
        elif a.wrote:
            problems.append(f"a GET wrote: {a.describe()}")
        elif route_class(a.route) in (routes.CHILD, routes.REFERRAL) and a.status == 200:
            reads = [x for x in a.audit_actions if x in READ_ACTIONS]
            if len(reads) != 1:
                problems.append(f"a child-data page wrote {len(reads)} read rows, not one: {a.describe()}")
    assert result.answers, f"{persona}: the crawl found no page"
    assert not problems, report(problems, f"problems as {persona}")


def test_every_route_is_reached(crawls):
    reached = set()
    for persona in PERSONAS:
        reached |= crawls(persona)[1].reached()
    known = {r.key for r in ALL_ROUTES if r.name}
    missing = sorted(r for r in known - reached - set(UNREACHED) if not excused_admin_route(r))
    assert not missing, (
        f"no persona of the demo reaches these routes by following links: {missing}. Give the demo "
        "data what leads there, or list the route in UNREACHED with the test that covers it."
    )
    stale = sorted(set(UNREACHED) & reached)
    assert not stale, f"UNREACHED lists routes the crawl reaches: {stale}"


# --- no input reaches a 500 -------------------------------------------------------------------

POSTED = set()  # forms already posted in this run, by kind (the first persona who has it)


def form_kind(form):
    route = form.route
    if route.startswith("admin:"):
        # admin:<app>_<model>_<view>: one changelist, delete and history form stands for all
        # models; each model's add/change form is its own (its fields differ).
        view = route.rsplit("_", 1)[-1]
        view = "form" if view in ("add", "change") else view
        return ("admin", view, tuple(sorted(form.fields)))
    return (route, tuple(sorted(re.sub(r"\d+", "#", n) for n in form.fields)))


ADMIN_CHOICES = set()  # the admin's choice fields tried: (name, kind, options)


def tried_in_another_admin_form(form, field):
    """A choice in an admin form (a user, an organisation, a plan …) is refused or taken by the
    same field (``portal.admin.AdminInputMixin``'s id fields: is it one of the options?) in every
    admin form that offers the same options under the same name: it is tried in the first."""
    if not form.route.startswith("admin:") or field.kind not in ("select", "radio", "checkbox"):
        return False
    key = (re.sub(r"\d+", "#", field.name), field.kind, field.multiple, tuple(field.options))
    if key in ADMIN_CHOICES:
        return True
    ADMIN_CHOICES.add(key)
    return False


def distinct_fields(form):
    """The fields to try, one of each repeated kind: point_1 … point_16 are one, and so are the
    eight areas' trygg_need … delaktig_need (the same field, once per area, with the same
    options)."""
    seen = set()
    for name, field in form.fields.items():
        if name == "csrfmiddlewaretoken" or name.startswith("initial-") or "__prefix__" in name:
            continue  # the token; the admin's copies of initial values; its empty row's template (ignored)
        generic = re.sub(r"\d+", "#", name)
        prefix, _sep, suffix = generic.partition("_")
        repeated = [n for n in form.fields if n != name and n.partition("_")[2] == suffix]
        if suffix and len(repeated) >= 2 and all(form.fields[n].kind == field.kind for n in repeated):
            generic = "*_" + suffix
        key = (generic, field.kind, tuple(field.options))
        if key not in seen:
            seen.add(key)
            yield field


def impossible(field, label, value):
    """Why accepting ``value`` in ``field`` cannot be right, or ""."""
    if field.kind in ("select", "radio") or (field.kind == "checkbox" and field.multiple):
        if value not in field.options:
            return "an impossible choice was accepted"
    elif field.kind in ("date", "datetime-local") and label.startswith("year"):
        return "an implausible date was accepted"
    elif field.kind in ("text", "textarea", "email", "url", "tel", "search") and label == "10,000 characters":
        return "a text with no length limit was accepted"
    elif field.kind in ("text", "textarea", "email", "url", "tel", "search") and label == "NUL byte":
        return "a NUL byte was accepted"
    return ""


def off_site(location):
    parts = urlsplit(location)
    return bool(parts.netloc) and parts.netloc != "testserver"


def check_answer(problems, form, field, label, answer, baseline_accepted):
    where = f"{form.action} [{form.route}] field {field.name!r} ({field.kind}) = {label}"
    if answer.status >= 500:
        problems.append(f"server error: {where}: {answer.error or answer.status}")
        return
    if SCRIPT in answer.body:
        problems.append(f"<script> echoed unescaped: {where}")
    if answer.is_redirect and off_site(answer.location):
        problems.append(f"redirects off the site to {answer.location[:80]}: {where}")
    if not accepted(answer):
        if answer.wrote:
            problems.append(f"refused but wrote {sorted(set(answer.tables))} {answer.change_rows}: {where}")
        if baseline_accepted and answer.status == 200:
            invalid, any_error = errors_shown(answer.body)
            if field.kind == "hidden":
                if not any_error:
                    problems.append(f"refused without a word: {where}")
            elif field.name not in invalid and not same_row_marked(field.name, invalid):
                problems.append(f"refused without an error next to the field: {where}: shown {error_texts(answer.body)}")
        return
    if answer.wrote:
        why = impossible(field, label, answer_value(label, field))
        if why:
            problems.append(f"{why}: {where}")


def accepted(answer):
    """The form was taken: a redirect after the POST, or a page that says it is done (a
    meeting's one-click answer shows its thanks at once) — it wrote, and shows no error."""
    if answer.is_redirect:
        return True
    return answer.status == 200 and bool(answer.wrote) and not errors_shown(answer.body)[1]


def same_row_marked(name, invalid):
    """A formset row (``form-0-…``) refused for another of its fields: a value typed into an
    empty row makes the row's required fields required, and the error stands next to those."""
    row, sep, _field = name.rpartition("-")
    return bool(sep) and any(other.startswith(row + "-") for other in invalid)


def to_login(answer):
    return answer.is_redirect and urlsplit(answer.location).path == reverse("account_login")


def assert_still_logged_in(persona, statuses, logged_out):
    """The hostile requests reached the pages as the persona, not a log-in page: a test whose
    client had lost its session would send them all to the log-in and prove nothing."""
    if PERSONAS[persona] is not None and sum(statuses.values()):
        assert logged_out == 0, f"{logged_out} hostile requests as {persona} were sent to the log-in page"
        assert statuses[200] + statuses[404] > 0, statuses


def answer_value(label, field):
    return dict(hostile_values(field))[label]


# The administrator reaches every admin form: their hostile posts are the longest test of the
# suite, so they are shared out over parts that parallel workers run side by side (each part a
# fixed share of the form kinds; tests/conftest.py groups the tests by persona and part).
FORM_PARTS = {"administrator": 4}


def form_part(kind, parts):
    return zlib.crc32(repr(kind).encode()) % parts


@pytest.mark.parametrize(
    ("persona", "part"),
    [(persona, part) for persona in PERSONAS for part in range(FORM_PARTS.get(persona, 1))],
    ids=lambda value: str(value),
)
def test_hostile_values_in_every_form(crawls, persona, part):
    client, result = crawls(persona)
    user_email = PERSONAS[persona]
    parts = FORM_PARTS.get(persona, 1)
    problems, posts, kinds = [], 0, 0
    statuses, logged_out = Counter(), 0
    for form in result.forms:
        if form.method != "post" or not form.route:
            continue
        kind = form_kind(form)
        if kind in POSTED or form_part(kind, parts) != part:
            continue
        POSTED.add(kind)
        kinds += 1
        if user_email is not None:
            reauthenticate(client, client_user(user_email))
        baseline = send(client, "post", form.action, form.data())
        posts += 1
        if baseline.status >= 500:
            problems.append(f"server error with the page's own values: {baseline.describe()}")
            continue
        baseline_accepted = accepted(baseline)
        for field in distinct_fields(form):
            if tried_in_another_admin_form(form, field):
                continue
            for label, value in hostile_values(field):
                data = form.data()
                data[field.name] = [value] if field.multiple else value
                answer = send(client, "post", form.action, data)
                posts += 1
                statuses[answer.status] += 1
                logged_out += to_login(answer)
                check_answer(problems, form, field, label, answer, baseline_accepted)
    print(f"\n{persona} (part {part + 1} of {parts}): {kinds} forms, {posts} posts; hostile answers by status: {dict(sorted(statuses.items()))}")
    assert_still_logged_in(persona, statuses, logged_out)
    assert not problems, report(problems, f"problems as {persona}")


def client_user(email):
    from portal.models import User

    return User.objects.get(email=email)


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_hostile_values_in_every_query_parameter_and_path_id(crawls, persona):
    client, result = crawls(persona)
    problems, gets = [], 0
    statuses, logged_out = Counter(), 0
    tried = set()
    for a in result.answers:
        if a.status != 200 or not a.route:
            continue
        parts = urlsplit(a.url)
        params = parse_qsl(parts.query, keep_blank_values=True)
        for i, (name, _value) in enumerate(params):
            if (a.route, name) in tried:
                continue
            tried.add((a.route, name))
            for label, value in hostile_values():
                changed = params[:i] + [(name, value)] + params[i + 1 :]
                answer = send(client, "get", f"{parts.path}?{urlencode(changed)}")
                gets += 1
                statuses[answer.status] += 1
                logged_out += to_login(answer)
                if answer.status >= 500:
                    problems.append(f"server error: {a.route} ?{name}={label}: {answer.error}")
                elif answer.wrote:
                    problems.append(f"a GET wrote: {a.route} ?{name}={label}: {answer.describe()}")
        match = resolve(parts.path)
        for name, value in match.kwargs.items():
            if not isinstance(value, int) or (a.route, name) in tried:
                continue
            tried.add((a.route, name))
            largest = reverse(match.view_name, kwargs={**match.kwargs, name: MAX_ID})
            for wrong in (10**20 - 1, MAX_ID + 1, 0):
                # no route reverses to an id no column holds (IdConverter): it is typed in
                url = largest.replace(str(MAX_ID), str(wrong), 1)
                answer = send(client, "get", url)
                gets += 1
                statuses[answer.status] += 1
                logged_out += to_login(answer)
                if answer.status >= 500:
                    problems.append(f"server error: {url} [{a.route}]: {answer.error}")
                elif answer.wrote:
                    problems.append(f"a GET wrote: {answer.describe()}")
    print(f"\n{persona}: {gets} GETs with hostile parameters; answers by status: {dict(sorted(statuses.items()))}")
    assert_still_logged_in(persona, statuses, logged_out)
    assert not problems, report(problems, f"problems as {persona}")
