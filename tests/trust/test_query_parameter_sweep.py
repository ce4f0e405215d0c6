"""Every query parameter of every page, with hostile values: the answer is a
page (200, a redirect, or 400 with a message), never a server error.

The parameters are found in the code, not listed by hand: every function of
the apps that reads ``request.GET`` (directly, through a form it binds to
``request.GET``, or through a helper that does) is mapped to its routes, so a
new parameter is swept the day it is written, and a function reading
``request.GET`` that no route reaches fails the test."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver

from tests.trust.test_url_classification import _url

pytestmark = pytest.mark.django_db

APPS = ("clinic", "notes", "assessments", "programs", "reports", "trust")

HOSTILE = [
    "9999-12-31",
    "0000-00-00",
    "0001-01-01",
    "1800-01-01",
    "2026-02-30",
    "-1",
    "0",
    str(2**63),
    "9" * 40,
    "1e308",
    "NaN",
    "x" * 10_000,
    "a\x00b",
    "\x00",
    "🦶 Ünïcödé 中文 \u202e",
    "",
    "   ",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "//evil.example/",
    "https://evil.example/",
]


# --- finding the parameters in the code ---------------------------------------------------


def _is_get(node) -> bool:
    """``request.GET`` or ``self.request.GET``."""
    return isinstance(node, ast.Attribute) and node.attr == "GET"


def _mentions_get(node) -> bool:
    return any(_is_get(n) for n in ast.walk(node))


def _direct_reads(func: ast.AST) -> tuple[set[str], set[str], set[str], bool]:
    """Keys read from request.GET, names of callables given request.GET, names of
    all callables called, and whether request.GET is read at all."""
    keys, bound, called = set(), set(), set()
    reads = False
    for node in ast.walk(func):
        if _is_get(node):
            reads = True
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name):
                called.add(node.func.id)
                if any(_mentions_get(arg) for arg in node.args):
                    bound.add(node.func.id)
            if (
                isinstance(node.func, ast.Attribute)
                and node.func.attr in {"get", "getlist", "__getitem__"}
                and _is_get(node.func.value)
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                keys.add(node.args[0].value)
        if isinstance(node, ast.Subscript) and _is_get(node.value) and isinstance(node.slice, ast.Constant):
            keys.add(node.slice.value)
    return keys, bound, called, reads


def _app_modules():
    for app in APPS:
        root = Path(settings.BASE_DIR) / app
        for path in sorted(root.rglob("*.py")):
            parts = path.relative_to(settings.BASE_DIR).with_suffix("").parts
            if "migrations" in parts or "management" in parts:
                continue
            yield ".".join(parts), path


def _functions():
    """(module, qualified name) -> AST node, for every function and method."""
    found = {}
    for modname, path in _app_modules():
        tree = ast.parse(path.read_text())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                found[(modname, node.name)] = node
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef):
                        found[(modname, f"{node.name}.{item.name}")] = item
    return found


def _params_by_function():
    """Every function's query parameters, helpers' parameters included in their callers'.
    Returns (params, readers): readers are the functions that read request.GET themselves."""
    functions = _functions()
    direct = {key: _direct_reads(node) for key, node in functions.items()}
    readers = {key for key, (_, _, _, reads) in direct.items() if reads}

    def resolve(modname: str, name: str):
        return getattr(importlib.import_module(modname), name, None)

    def params(key, seen=()):
        if key in seen:
            return set()
        keys, bound, called, _ = direct[key]
        result = set(keys)
        modname = key[0]
        for name in bound:
            target = resolve(modname, name)
            fields = getattr(target, "base_fields", None)
            if fields is not None:
                result |= set(fields)
        for name in called:
            target = resolve(modname, name)
            if inspect.isfunction(target):
                callee = (target.__module__, target.__name__)
                if callee in direct:
                    result |= params(callee, (*seen, key))
        return result

    return {key: params(key) for key in direct}, readers, direct


def _view_function(callback):
    if hasattr(callback, "view_class"):
        return callback.view_class.__module__, callback.view_class.__name__
    inner = inspect.unwrap(callback)
    return inner.__module__, inner.__qualname__


def _routes(patterns=None, prefix="", namespace=None):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern), p.namespace or namespace)
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or "")
            yield prefix + str(p.pattern), name, _view_function(p.callback)


def _swept_routes():
    params, readers, direct = _params_by_function()
    swept, reached = [], set()
    for route, name, (modname, qualname) in _routes():
        keys = set()
        for (fmod, fname), fparams in params.items():
            if fmod == modname and (fname == qualname or fname.startswith(f"{qualname}.")):
                keys |= fparams
                reached.add((fmod, fname))
        if keys:
            swept.append((route, name, sorted(keys)))
    # Helpers are reached through the views that call them.
    for key in list(reached):
        stack = [key]
        while stack:
            current = stack.pop()
            for name in direct[current][2]:
                target = getattr(importlib.import_module(current[0]), name, None)
                if inspect.isfunction(target):
                    callee = (target.__module__, target.__name__)
                    if callee in direct and callee not in reached:
                        reached.add(callee)
                        stack.append(callee)
    return swept, readers - reached


SWEPT, UNREACHED = _swept_routes()


def test_every_function_reading_the_query_string_is_reached_by_a_route():
    assert sorted(UNREACHED) == []


def test_the_parameters_found_include_the_known_ones():
    by_name = {name: keys for _, name, keys in SWEPT}
    assert {"client", "user", "action", "date_from", "date_to", "order", "page"} <= set(by_name["audit_list"])
    assert {"q", "therapist", "status", "page"} <= set(by_name["client_list"])
    assert "page" in by_name["client_notes"]
    assert {"name", "date_of_birth"} <= set(by_name["emergency_access"])
    assert "next" in by_name["reauth"]
    assert len(SWEPT) >= 12


@pytest.fixture
def everyone(world, client_record, owner):
    """The clinic owner (admin and therapist), on the client's care team and
    allowed to break the glass: reaches every page the sweep addresses."""
    client_record.care_team.add(owner)
    owner.may_break_glass = True
    owner.save(update_fields=["may_break_glass"])
    http = HttpClient(raise_request_exception=False)
    http.force_login(owner)
    return http


def test_every_query_parameter_takes_any_value_without_a_server_error(everyone, world, capsys):
    failures, cases = [], 0
    for route, name, keys in SWEPT:
        url = _url(route, name, world)
        for key in keys:
            for value in HOSTILE:
                cases += 1
                status = everyone.get(url, {key: value}).status_code
                if status >= 500:
                    failures.append((url, key, value[:40], status))
            cases += 1
            status = everyone.get(url, {key: ["1", "2"]}).status_code  # ?key=1&key=2
            if status >= 500:
                failures.append((url, key, "[1, 2]", status))
        for value in HOSTILE:  # every parameter at once
            cases += 1
            status = everyone.get(url, dict.fromkeys(keys, value)).status_code
            if status >= 500:
                failures.append((url, "*", value[:40], status))
    with capsys.disabled():
        print(f"\nquery-parameter sweep: {len(SWEPT)} routes, {cases} cases, {len(failures)} server errors")
    assert failures == []


def test_an_audit_date_far_in_the_future_gets_a_message(as_desk):
    response = as_desk.get("/audit/", {"date_to": "9999-12-31"})
    assert response.status_code == 400
    assert response.context["form"].errors["date_to"]
    response = as_desk.get("/audit/", {"client": str(2**63)})
    assert response.status_code == 400
    assert response.context["form"].errors["client"]
