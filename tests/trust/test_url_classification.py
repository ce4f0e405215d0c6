"""Deny by default, proven (AC-1, AC-2).

Every URL pattern in the project must be classified here. A new route that is
not fails ``test_every_route_is_classified`` until somebody decides who may
reach it. Then every non-public route is swept anonymously, role-restricted
routes with the wrong roles, and object-scoped routes with every persona and
every HTTP method: the outsiders get 404, 405 or the login page, the response
names nothing of the client, and no table changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse

PUBLIC = "public"
LOGIN = "login required"
ROLE = "role-restricted"
OBJECT = "object-scoped"
# Opened by a client link (portal.session.client_link_required): no staff login, the
# token in the address names the one client; an unknown token answers 404 for everyone.
CLIENT_LINK = "client link"

METHODS = ("get", "post", "put", "patch", "delete")
PERSONAS = ("anon", "treating", "colleague", "desk", "owner")
# Admins see every client's demographics; clinical content is for the care team only.
CARE_TEAM = {"treating"}
ADMINS = {"desk", "owner"}
THERAPISTS = {"treating", "colleague", "owner"}
# Therapists an admin has allowed to open emergency access (User.may_break_glass).
# No persona here has the flag, so every one of them must be refused; the
# flagged therapist's side is tested in tests/trust/test_break_glass.py.
BREAK_GLASS: set[str] = set()


@dataclass(frozen=True)
class Rule:
    kind: str
    allowed: frozenset[str] = field(default_factory=frozenset)  # personas who may use it
    objects: str = ""  # which fixture object the URL's ids point at


def public() -> Rule:
    return Rule(PUBLIC)


def client_link() -> Rule:
    return Rule(CLIENT_LINK)


def login() -> Rule:
    return Rule(LOGIN, frozenset(PERSONAS) - {"anon"})


def role(*who: set[str]) -> Rule:
    return Rule(ROLE, frozenset().union(*who))


def scoped(objects: str, *who: set[str]) -> Rule:
    return Rule(OBJECT, frozenset().union(*who), objects)


CLASSIFICATION: dict[str, Rule] = {
    # --- public allowlist
    "healthz": public(),
    "login": public(),
    "admin_login": public(),  # only redirects to the 2FA-enforcing login
    # --- any signed-in user
    "home": login(),
    "ping": login(),
    "client_list": login(),  # scoped by Client.objects.visible_to
    "logout": login(),
    "admin_logout": login(),  # the admin's own logout, routed to the audited one
    "password_change": login(),
    "otp_setup": login(),
    "otp_verify": login(),
    "reauth": login(),
    "clinic_logo": login(),
    "programs:exercise_list": login(),
    "programs:exercise_detail": login(),
    "programs:exercise_image": login(),
    # --- roles
    "client_create": role(ADMINS),
    "user_list": role(ADMINS),
    "user_create": role(ADMINS),
    "clinic_profile": role(ADMINS),
    "audit_list": role(ADMINS),
    "audit_export_csv": role(ADMINS),
    # The second confirmation before a bulk export: for those who may export (therapists and
    # records officers; no persona here is a records officer, see tests/trust/test_client_export.py).
    "bulk_export_confirm": role(THERAPISTS),
    "programs:library_manage": role(ADMINS),
    "programs:exercise_create": role(ADMINS, THERAPISTS),  # the library is shared clinic knowledge
    "programs:exercise_edit": role(ADMINS, THERAPISTS),
    "programs:exercise_set_active": role(ADMINS),
    "programs:indication_add": role(ADMINS),
    "programs:indication_remove": role(ADMINS),
    "snippet_list": role(THERAPISTS),  # a therapist's own snippets
    "programs:batch_handouts": role(THERAPISTS),  # today's handouts of the user's own clients
    "emergency_access": role(BREAK_GLASS),  # search all clients by name and date of birth
    "emergency_access_end": role(BREAK_GLASS, ADMINS),  # the holder's own grant, or an admin's revocation
    "emergency_review_list": role(ADMINS),
    "emergency_review": role(ADMINS),
    "amendment_request_dashboard": role(THERAPISTS),  # open requests of the user's care-team clients
    # --- object-scoped: demographics
    "client_detail": scoped("client", CARE_TEAM, ADMINS),
    "client_edit": scoped("client", CARE_TEAM, ADMINS),
    "client_archive": scoped("client", ADMINS),
    "user_edit": scoped("user", ADMINS),
    # Importing clients from another system's CSV: upload, then preview and import.
    "client_import": role(ADMINS),
    "client_import_preview": role(ADMINS),
    # The complete record is clinical: the care team (and records officers), never a plain admin.
    "client_export_json": scoped("client", CARE_TEAM),
    "client_export_pdf": scoped("client", CARE_TEAM),
    # The disclosure log (45 CFR 164.528): the front desk's, no clinical content; admins only.
    "client_disclosures": scoped("client", ADMINS),
    "disclosure_new": scoped("client", ADMINS),
    "client_disclosures_pdf": scoped("client", ADMINS),
    # Documents on the client record: the care team attaches any kind and the front desk a
    # referral letter or consent form; reading and marking in error are the care team's.
    "document_new": scoped("client", CARE_TEAM, ADMINS),
    "document_download": scoped("document", CARE_TEAM),
    "document_in_error": scoped("document", CARE_TEAM),
    "emergency_access_start": scoped("client", BREAK_GLASS),  # break-glass: any client, flagged therapists
    # --- object-scoped: clinical content (care team only)
    "intake_edit": scoped("client", CARE_TEAM),
    "consent_withdraw": scoped("client", CARE_TEAM),
    "screen_detail": scoped("health_screen", CARE_TEAM),
    "assessment_new": scoped("client", CARE_TEAM),
    "assessment_detail": scoped("assessment", CARE_TEAM),
    "assessment_edit": scoped("assessment", CARE_TEAM),
    "assessment_sign": scoped("assessment", CARE_TEAM),
    "assessment_autosave": scoped("assessment", CARE_TEAM),
    "assessment_compare": scoped("assessment", CARE_TEAM),
    "client_notes": scoped("client", CARE_TEAM),
    "note_new": scoped("client", CARE_TEAM),
    "note_detail": scoped("note", CARE_TEAM),
    "note_autosave": scoped("note", CARE_TEAM),
    "note_sign": scoped("note", CARE_TEAM),
    "note_apply_template": scoped("note", CARE_TEAM),
    "note_link_assessment": scoped("note", CARE_TEAM),
    "treatment_add": scoped("note", CARE_TEAM),
    "note_override_consent": scoped("note", CARE_TEAM),
    "treatments_repeat": scoped("note", CARE_TEAM),
    "treatment_remove": scoped("note_row", CARE_TEAM),
    "treatment_confirm": scoped("note_row", CARE_TEAM),
    "palpation_add": scoped("note", CARE_TEAM),
    "palpation_remove": scoped("note_row", CARE_TEAM),
    "amendment_new": scoped("note", CARE_TEAM),
    "note_pdf": scoped("note", CARE_TEAM),
    "amendment_request_new": scoped("signed_note", CARE_TEAM),
    "client_amendment_requests": scoped("client", CARE_TEAM),
    "amendment_request_detail": scoped("amendment_request", CARE_TEAM),
    "amendment_request_extend": scoped("amendment_request", CARE_TEAM),
    "amendment_request_decide": scoped("amendment_request", CARE_TEAM),
    "amendment_request_disagreement": scoped("amendment_request", CARE_TEAM),
    "amendment_request_rebuttal": scoped("amendment_request", CARE_TEAM),
    "snippet_delete": scoped("snippet", {"treating"}),
    "programs:builder": scoped("client", CARE_TEAM),
    "programs:builder_library": scoped("client", CARE_TEAM),
    "programs:builder_add": scoped("client", CARE_TEAM),
    "programs:builder_add_suggested": scoped("client", CARE_TEAM),
    "programs:builder_start": scoped("client", CARE_TEAM),
    "programs:builder_issue": scoped("client", CARE_TEAM),
    "programs:builder_discard": scoped("client", CARE_TEAM),
    "programs:client_handout": scoped("client", CARE_TEAM),
    "programs:adherence_record": scoped("client", CARE_TEAM),
    "programs:item_update": scoped("program_item", CARE_TEAM),
    "programs:item_remove": scoped("program_item", CARE_TEAM),
    "programs:item_move": scoped("program_item", CARE_TEAM),
    "programs:item_override": scoped("program_item", CARE_TEAM),
    "programs:version_detail": scoped("program_version", CARE_TEAM),
    "programs:version_handout": scoped("program_version", CARE_TEAM),
    "programs:note_adherence": scoped("note", CARE_TEAM),
    "reports:new": scoped("client", CARE_TEAM),
    "reports:client_pdf": scoped("client", CARE_TEAM),
    "reports:detail": scoped("report", CARE_TEAM),
    "reports:update": scoped("report", CARE_TEAM),
    "reports:sign": scoped("report", CARE_TEAM),
    "reports:pdf": scoped("report", CARE_TEAM),
    # --- before the visit: questionnaires and intake forms are the care team's to ask for,
    # accept, confirm or discard; the front desk types in a paper intake form (and reads none).
    "previsit:request_new": scoped("client", CARE_TEAM),
    "previsit:schedule_set": scoped("client", CARE_TEAM),
    "previsit:paper_intake": scoped("client", ADMINS),
    "previsit:questionnaire_detail": scoped("questionnaire", CARE_TEAM),
    "previsit:questionnaire_accept": scoped("questionnaire", CARE_TEAM),
    "previsit:questionnaire_discard": scoped("questionnaire", CARE_TEAM),
    "previsit:intake_detail": scoped("intake", CARE_TEAM),
    "previsit:intake_confirm": scoped("intake", CARE_TEAM),
    "previsit:intake_discard": scoped("intake", CARE_TEAM),
    "previsit_client:questionnaire": client_link(),
    "previsit_client:questionnaire_save": client_link(),
    "previsit_client:intake": client_link(),
    "previsit_client:intake_save": client_link(),
    # --- client links, staff side: the care team issues, prints and stops them
    "portal_staff:link_issue": scoped("client", CARE_TEAM),
    "portal_staff:link_handout": scoped("client", CARE_TEAM),
    "portal_staff:link_revoke": scoped("client_link", CARE_TEAM),
    # --- the client's own view, by a client link (tests/portal/test_link_sweep.py)
    "portal:home": client_link(),
    "portal:confirm": client_link(),
    "portal:program": client_link(),
    "portal:week": client_link(),
    "portal:log": client_link(),
    "portal:picture": client_link(),
    "portal:manifest": client_link(),
    "portal:service_worker": client_link(),
}
# The Django admin site: staff only (no persona here is staff), behind the
# second factor for admins; test_two_factor covers an enrolled staff admin.
ADMIN_SITE = Rule(ROLE, frozenset())


def _walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
            yield prefix + str(p.pattern), name


ROUTES = list(_walk(get_resolver().url_patterns))


def rule_for(name: str, route: str = "") -> Rule | None:
    if name.startswith("admin:") or (not name and route.startswith("admin/")):
        return ADMIN_SITE
    return CLASSIFICATION.get(name)


def test_every_route_is_classified():
    unclassified = [
        f"{route} (name={name or 'UNNAMED'})" for route, name in ROUTES if rule_for(name, route) is None
    ]
    assert unclassified == [], "Classify these routes in tests/trust/test_url_classification.py"


def test_no_classification_is_stale():
    names = {name for _, name in ROUTES}
    assert sorted(set(CLASSIFICATION) - names) == []


# --- sweeps -------------------------------------------------------------------------

ARG_RE = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
REGEX_GROUP_RE = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^)]*)\)")


def _url(route: str, name: str, ids: dict[str, int]) -> str:
    """Build a URL from the route text, filling each parameter with an id (or,
    for the admin's regex routes, the first alternative the regex allows)."""

    def fill(match):
        return str(ids.get(match.group("name"), 999999))

    def fill_regex(match):
        first = match.group("body").split("|")[0]
        return first if first.isidentifier() else str(ids.get(match.group("name"), 1))

    path = REGEX_GROUP_RE.sub(fill_regex, ARG_RE.sub(fill, route))
    return "/" + path.replace("^", "").replace("$", "").replace("\\Z", "")


def _is_denied(response) -> bool:
    if response.status_code in (404, 405):
        return True
    return response.status_code == 302 and response["Location"].startswith(
        ("/accounts/login/", "/admin/login/")
    )


SKIP_COUNTS = {"audit.auditevent", "sessions.session"}


def _row_counts() -> dict[str, int]:
    return {
        m._meta.label_lower: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.label_lower not in SKIP_COUNTS and not m._meta.app_label.startswith(("axes", "otp_"))
    }


def _http_for(persona: str, users: dict) -> HttpClient:
    http = HttpClient()
    if persona != "anon":
        http.force_login(users[persona])
    return http


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "name"),
    [r for r in ROUTES if (rule_for(r[1], r[0]) or public()).kind not in (PUBLIC, CLIENT_LINK)],
)
def test_anonymous_visitors_get_the_login_page_on_every_method(route, name, anon):
    url = _url(route, name, {})
    for method in METHODS:
        response = getattr(anon, method)(url)
        # The login page, or 405 where the method does not exist at all. (The admin
        # site sends to its own login URL, which redirects to ours.)
        assert _is_denied(response) and response.status_code != 404, (method, url, response.status_code)


@pytest.mark.django_db
def test_public_routes_answer_without_login(anon):
    assert anon.get(reverse("healthz")).status_code == 200
    assert anon.get(reverse("login")).status_code == 200
    assert anon.get(reverse("admin_login"))["Location"].startswith("/accounts/login/")


CLIENT_LINK_ROUTES = [
    (route, name) for route, name in ROUTES if (rule := rule_for(name, route)) and rule.kind == CLIENT_LINK
]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name"), CLIENT_LINK_ROUTES)
def test_client_link_routes_open_nothing_without_a_real_token(route, name, treating, desk):
    """A made-up token is refused (404) on every method, whoever is signed in: a staff
    session opens no client's view, and nothing changes but the count of refused tries."""
    url = _url(route, name, {"token": "Z" * 43})
    before = {k: v for k, v in _row_counts().items() if not k.startswith("portal.linkthrottle")}
    for persona, user in (("anon", None), ("treating", treating), ("desk", desk)):
        http = _http_for(persona, {"treating": treating, "desk": desk}) if user else HttpClient()
        for method in METHODS:
            response = getattr(http, method)(url)
            assert response.status_code in (404, 405, 429), (persona, method, url, response.status_code)
    after = {k: v for k, v in _row_counts().items() if not k.startswith("portal.linkthrottle")}
    assert after == before


ROLE_ROUTES = [
    (route, name) for route, name in ROUTES if (rule := rule_for(name, route)) and rule.kind == ROLE
]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name"), ROLE_ROUTES)
def test_role_restricted_routes_refuse_the_other_roles(route, name, treating, colleague, desk, owner):
    from clinic.models import User

    norole = User.objects.create_user(username="norole", password="x" * 16)  # signed in, no role at all
    users = {"treating": treating, "colleague": colleague, "desk": desk, "owner": owner, "norole": norole}
    rule = rule_for(name, route)
    before = _row_counts()
    for persona in ("treating", "colleague", "desk", "owner", "norole"):
        if persona in rule.allowed:
            continue
        http = _http_for(persona, users)
        url = _url(route, name, {})
        for method in METHODS:
            response = getattr(http, method)(url)
            assert _is_denied(response), (persona, method, url, response.status_code)
    assert _row_counts() == before


OBJECT_ROUTES = [(route, name) for route, name in ROUTES if (rule := rule_for(name)) and rule.kind == OBJECT]
# Every persona who may NOT use the route (the allowed ones are exercised by each app's own tests).
PERSONA_ROUTE_PAIRS = [
    (route, name, persona)
    for route, name in OBJECT_ROUTES
    for persona in PERSONAS
    if persona not in rule_for(name).allowed
]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "name", "persona"), PERSONA_ROUTE_PAIRS)
def test_object_routes_leak_nothing_and_change_nothing_for_outsiders(
    route, name, persona, world, client_record, treating, colleague, desk, owner
):
    rule = rule_for(name)
    ids = world.get(rule.objects)
    if ids is None:
        pytest.skip(f"no {rule.objects} could be built for {name}: {world['errors']}")
    users = {"treating": treating, "colleague": colleague, "desk": desk, "owner": owner}
    http = _http_for(persona, users)
    url = _url(route, name, ids if isinstance(ids, dict) else {"pk": ids})
    before = _row_counts()
    refused = 0
    denials_before = _denials()
    for method in METHODS:
        response = getattr(http, method)(url)
        assert _is_denied(response), (persona, method, url, response.status_code)
        assert client_record.last_name.encode() not in response.content, (persona, method, url)
        refused += response.status_code == 404
    assert _row_counts() == before
    # Every refusal of a signed-in user is a security event in the audit log.
    expected = refused if persona != "anon" else 0
    assert _denials() - denials_before == expected, (persona, url)


def _denials() -> int:
    from audit.models import AuditEvent

    return AuditEvent.objects.filter(action="access_denied", outcome="denied").count()
