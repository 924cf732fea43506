"""A crawler over the portal as one persona: every page reachable by following links from the
start pages, every form on them, and every request made inside a savepoint that is rolled back
afterwards, so each request sees the same data (the demo's) and nothing one request does leaks
into the next.

For each request it records what the database was asked to write (``Writes``: the INSERT,
UPDATE and DELETE statements, by table) and the audit rows it added, so the tests can say
"a GET changes nothing" (docs/security.md promise 15) and "bad input changes nothing"
(promise 16) from the outside, whatever the view does inside."""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from django.db import connection, transaction
from django.urls import Resolver404, resolve

from portal import routes
from portal.models import AuditEvent

# --- what a request wrote ---------------------------------------------------------------------

_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?([\w.]+)"?', re.I)

# Tables a request may write without changing anything the user asked for: the session (idle
# timeout, messages) and allauth's list of the user's sessions (last seen). The audit log is
# checked row by row (only read kinds).
SESSION_TABLES = frozenset({"django_session", "usersessions_usersession"})
# Bookkeeping of the one who asks, on the one route that keeps it: when a calendar app last
# fetched the private feed (shown on the feed's settings page).
BOOKKEEPING = {"calendar_feed": frozenset({"meetings_calendarfeed"})}
AUDIT_TABLE = AuditEvent._meta.db_table
READ_ACTIONS = frozenset(
    {AuditEvent.Action.VIEW, AuditEvent.Action.PRINT, AuditEvent.Action.EXPORT, AuditEvent.Action.DENIED}
)
# Refusals the log must keep (docs/security.md 5c): a failed log-in or second step changes nothing.
REFUSALS = frozenset({AuditEvent.Action.DENIED, AuditEvent.Action.LOGIN_FAILED, AuditEvent.Action.MFA_FAILED})


class Writes:
    """``connection.execute_wrapper``: the tables each write statement touches."""

    def __init__(self):
        self.tables = []

    def __call__(self, execute, sql, params, many, context):
        match = _WRITE.match(sql)
        if match:
            self.tables.append(match.group(1).split(".")[-1].strip('"'))
        return execute(sql, params, many, context)


@dataclass
class Answer:
    """One request and what it did."""

    method: str
    url: str
    route: str
    status: int
    location: str = ""
    body: bytes = b""
    content_type: str = ""
    error: str = ""  # an exception the view raised (the test client re-raises it)
    tables: list = field(default_factory=list)  # tables written, besides sessions and audit
    audit_actions: list = field(default_factory=list)

    @property
    def is_redirect(self):
        return 300 <= self.status < 400

    @property
    def change_rows(self):
        """Audit rows of a change (not a read or a refusal)."""
        return [a for a in self.audit_actions if a not in READ_ACTIONS | REFUSALS]

    @property
    def wrote(self):
        """Anything written besides the session and read rows of the audit log."""
        return bool(self.tables or self.change_rows)

    def describe(self):
        what = f"{self.method} {self.url[:160]} [{self.route}] -> {self.status}"
        if self.error:
            what += f" {self.error}"
        if self.tables:
            what += f" wrote {sorted(set(self.tables))}"
        if self.change_rows:
            what += f" audit {self.change_rows}"
        return what


def route_of(path):
    """The URL pattern's namespaced name, e.g. "childplans:plan_detail", or "" if none."""
    try:
        return resolve(path).view_name
    except Resolver404:
        return ""


def route_class(route):
    return routes.classify(route) if route else None


def send(client, method, url, data=None):
    """One request inside a savepoint that is rolled back, with the client's cookies kept as they
    were (a log-out or a new session key in a rolled-back request must not follow the client)."""
    cookies = client.cookies
    client.cookies = type(cookies)(cookies)  # a copy; the old one is put back afterwards
    last_audit = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    writes = Writes()
    path = urlsplit(url).path
    answer = Answer(method=method, url=url, route=route_of(path), status=0)
    sid = transaction.savepoint()
    try:
        with connection.execute_wrapper(writes):
            try:
                if method == "get":
                    response = client.get(url)
                else:
                    response = client.post(url, data or {})
                answer.status = response.status_code
                answer.location = response.get("Location", "")
                answer.content_type = response.get("Content-Type", "")
                if not getattr(response, "streaming", False):
                    answer.body = response.content
            except Exception as exc:  # noqa: BLE001 — the test reports it as a server error
                answer.status = 500
                answer.error = f"{type(exc).__name__}: {str(exc)[:200]}"
        if not answer.error:
            answer.audit_actions = list(
                AuditEvent.objects.filter(pk__gt=last_audit).order_by("pk").values_list("action", flat=True)
            )
    finally:
        transaction.savepoint_rollback(sid)
        client.cookies = cookies
    kept = SESSION_TABLES | BOOKKEEPING.get(answer.route, frozenset()) | {AUDIT_TABLE}
    answer.tables = [t for t in writes.tables if t not in kept]
    return answer


# --- what a page holds ------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, select, radio, checkbox, hidden, date, datetime-local, number, ...
    values: list = field(default_factory=list)  # the values it would submit as the page stands
    options: list = field(default_factory=list)  # select options / radio and checkbox values
    multiple: bool = False
    required: bool = False


@dataclass
class Form:
    page: str  # the URL of the page the form is on
    action: str
    method: str
    fields: dict = field(default_factory=dict)
    submit: tuple | None = None  # (name, value) of the first named submit button

    @property
    def route(self):
        return route_of(urlsplit(self.action).path)

    def data(self):
        """What the form submits as the page stands (empty required text filled in plausibly)."""
        data = {}
        for f in self.fields.values():
            values = f.values or plausible(f)
            if f.kind == "checkbox" and not f.multiple:
                values = f.values  # unticked boxes send nothing
            if values:
                data[f.name] = values if len(values) > 1 or f.multiple else values[0]
        if self.submit:
            data.setdefault(self.submit[0], self.submit[1])
        return data


def plausible(f):
    """A value a careful user would type into an empty field."""
    from django.utils import timezone

    today = timezone.localdate()
    if f.kind in ("select", "radio") and f.options:
        chosen = [v for v in f.options if v != ""]
        return chosen[:1]
    if f.kind == "checkbox":
        return f.options[:1] if f.multiple else []
    if not f.required:
        return []
    if f.kind == "date":
        return [today.isoformat()]
    if f.kind == "datetime-local":
        return [f"{(today.replace(day=1) if today.day > 27 else today).isoformat()}T10:00"]
    if f.kind == "time":
        return ["10:00"]
    if f.kind == "number":
        return ["1"]
    if f.kind == "email":
        return ["test@exempel.se"]
    if f.kind == "url":
        return ["https://exempel.se"]
    if f.kind == "tel":
        return ["070-174 06 50"]
    if f.kind in ("hidden", "password"):
        return []
    return ["Test"]


class PageParser(HTMLParser):
    """Links and forms of one HTML page (the standard library's parser; pages are ours)."""

    def __init__(self, url):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.links = []
        self.forms = []
        self._form = None
        self._select = None
        self._textarea = None

    def _field(self, name, kind, *, multiple=False, required=False):
        form = self._form
        if form is None or not name:
            return None
        f = form.fields.get(name)
        if f is None:
            f = form.fields[name] = Field(name=name, kind=kind, multiple=multiple, required=required)
        elif kind in ("checkbox",) and f.kind == "checkbox":
            f.multiple = True  # a group of boxes with one name
        return f

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.url, a["href"]))
        elif tag == "form":
            self._form = Form(
                page=self.url,
                action=urljoin(self.url, a.get("action") or self.url),
                method=(a.get("method") or "get").lower(),
            )
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            name = a.get("name")
            if kind in ("submit", "button", "image", "reset"):
                if name and self._form.submit is None:
                    self._form.submit = (name, a.get("value", ""))
                return
            if kind == "file":
                return
            f = self._field(name, kind, required="required" in a)
            if f is None:
                return
            if kind in ("checkbox", "radio"):
                f.options.append(a.get("value", "on"))
                if "checked" in a:
                    f.values.append(a.get("value", "on"))
            else:
                f.values = [a.get("value", "")] if a.get("value") else []
        elif tag == "button":
            name = a.get("name")
            if name and (a.get("type") or "submit").lower() == "submit" and self._form.submit is None:
                self._form.submit = (name, a.get("value", ""))
        elif tag == "select":
            self._select = self._field(a.get("name"), "select", multiple="multiple" in a, required="required" in a)
        elif tag == "option" and self._select is not None:
            value = a.get("value")
            self._select.options.append(value if value is not None else "")
            if "selected" in a:
                self._select.values.append(value if value is not None else "")
        elif tag == "textarea":
            self._textarea = self._field(a.get("name"), "textarea", required="required" in a)
            if self._textarea is not None:
                self._textarea.values = []

    def handle_data(self, data):
        if self._textarea is not None and data:
            self._textarea.values = ["".join(self._textarea.values) + data]

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def parse(url, body):
    parser = PageParser(url)
    parser.feed(body.decode("utf-8", "replace"))
    return parser.links, parser.forms


# --- the crawl --------------------------------------------------------------------------------

SKIP_PREFIXES = ("/static/", "/media/")


def local_url(url):
    """The path and query of a link to this site, or None (another site, mailto:, an anchor)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "") or parts.netloc not in ("", "testserver"):
        return None
    if not parts.path.startswith("/") or parts.path.startswith(SKIP_PREFIXES):
        return None
    return urlunsplit(("", "", parts.path, parts.query, ""))


def query_shape(url):
    """The names of a URL's query parameters: two URLs of one route that differ only in values
    (page=2, page=3) test the same code."""
    return tuple(sorted({k for k, _v in parse_qsl(urlsplit(url).query, keep_blank_values=True)}))


@dataclass
class Crawl:
    persona: str
    answers: list = field(default_factory=list)  # every GET made
    forms: list = field(default_factory=list)  # every form found, first of each kind

    def reached(self):
        """The routes opened, and the routes the forms found post to (the form tests post them)."""
        return {a.route for a in self.answers if a.route} | {f.route for f in self.forms if f.route}


def crawl(client, persona, seeds, *, per_route=3, limit=1500):
    """Follow links breadth first from ``seeds``: at most ``per_route`` URLs per route and query
    shape, at most ``limit`` requests. Returns the GETs and the forms found."""
    result = Crawl(persona)
    seen_urls = set()
    per_shape = {}
    form_keys = set()
    queue = list(seeds)
    while queue and len(result.answers) < limit:
        url = local_url(queue.pop(0))
        if url is None or url in seen_urls:
            continue
        seen_urls.add(url)
        route = route_of(urlsplit(url).path)
        if route.startswith("admin:"):
            # The admin's pages are generic: one of each (its changelists' filters and searches
            # have their own test, tests/portal/test_admin_changelists.py).
            shape, cap = (route,), 1
        else:
            shape, cap = (route or urlsplit(url).path, query_shape(url)), per_route
        if per_shape.get(shape, 0) >= cap:
            continue
        per_shape[shape] = per_shape.get(shape, 0) + 1
        answer = send(client, "get", url)
        result.answers.append(answer)
        if answer.is_redirect and answer.location:
            queue.append(urljoin(url, answer.location))
            continue
        if answer.status != 200 or "html" not in answer.content_type:
            continue
        links, forms = parse(url, answer.body)
        queue.extend(links)
        for form in forms:
            if form.method == "get":
                # A search or filter form: its submission is a page to crawl, too.
                queue.append(form.action.split("?")[0] + "?" + urlencode(form.data(), doseq=True))
            key = (form.method, form.route, tuple(sorted(form.fields)))
            if form.route and key not in form_keys:
                form_keys.add(key)
                result.forms.append(form)
    return result


# --- what a refused form shows ----------------------------------------------------------------


class _ErrorParser(HTMLParser):
    """Which fields a re-rendered form marks as invalid, whether it shows any error at all, and
    the error texts (for the report)."""

    ERROR_CLASSES = frozenset({"invalid-feedback", "errorlist", "alert-danger", "alert-error", "errornote"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.invalid = set()
        self.any_error = False
        self.texts = []
        self._depth = 0  # inside an error element

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        if tag in ("input", "select", "textarea") and a.get("name"):
            if a.get("aria-invalid") == "true" or "is-invalid" in classes:
                self.invalid.add(a["name"])
                self.any_error = True
        if self._depth:
            self._depth += 1
        elif classes & self.ERROR_CLASSES:
            self.any_error = True
            self._depth = 1
            self.texts.append("")

    def handle_endtag(self, tag):
        if self._depth:
            self._depth -= 1

    def handle_data(self, data):
        if self._depth and data.strip():
            self.texts[-1] = (self.texts[-1] + " " + data.strip()).strip()


def errors_shown(body):
    """(names of the fields marked invalid, whether the page shows an error anywhere)."""
    parser = _ErrorParser()
    parser.feed(body.decode("utf-8", "replace"))
    return parser.invalid, parser.any_error


def error_texts(body):
    """The texts of the errors a page shows (for a report)."""
    parser = _ErrorParser()
    parser.feed(body.decode("utf-8", "replace"))
    return [t[:120] for t in parser.texts if t]
