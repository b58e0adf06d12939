"""The console adds no request that proto/openapi.yaml does not describe:
every API call in its JavaScript names a literal path, and each one is an
operation of the spec. No browser needed."""
import glob
import os
import re

from conftest import ROOT, in_spec, spec_operations

CONSOLE = os.path.join(ROOT, "services/console")
CALL = re.compile(r"\bapi\.(get|text|post|patch)\(\s*(['`])(/[^'`]*)\2")
METHOD = {"get": "GET", "text": "GET", "post": "POST", "patch": "PATCH"}


def sources():
    for path in sorted(glob.glob(os.path.join(CONSOLE, "**/*.js"), recursive=True)):
        with open(path, encoding="utf-8") as f:
            yield os.path.relpath(path, CONSOLE), f.read()


def calls():
    out = []
    for name, src in sources():
        for m in CALL.finditer(src):
            path = re.sub(r"\$\{[^}]*\}", "x", m.group(3))
            # '/v1/alerts/' + id + '/ack': the pieces after the literal
            tail = src[m.end():m.end() + 120]
            rest = re.match(r"\s*\+\s*encodeURIComponent\([^)]*\)(?:\s*\+\s*'([^']*)')?", tail)
            if rest:
                path += "x" + (rest.group(1) or "")
            out.append((name, METHOD[m.group(1)], path))
    return out


def test_every_api_call_of_the_console_is_a_spec_operation():
    ops = spec_operations()
    found = calls()
    assert len(found) >= 30, found
    bad = [c for c in found if not in_spec(ops, c[1], c[2])]
    assert not bad, "console calls not in proto/openapi.yaml:\n" + "\n".join("%s: %s %s" % c for c in bad)


def test_every_api_call_is_written_so_the_check_can_read_it():
    # Any api.x( call whose path is not a literal would slip past the test above.
    for name, src in sources():
        n_calls = len(re.findall(r"\bapi\.(?:get|text|post|patch)\(", src))
        n_read = len([m for m in CALL.finditer(src)])
        assert n_calls == n_read, "%s: %d api calls, %d with a literal path" % (name, n_calls, n_read)


def test_only_api_js_talks_to_the_network_and_no_markup_is_built_from_strings():
    for name, src in sources():
        if name != "api.js":
            assert not re.search(r"\bfetch\(|XMLHttpRequest|EventSource|WebSocket|sendBeacon", src), name
        assert not re.search(r"\.(?:innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write|\beval\(|new Function", src), name
    with open(os.path.join(CONSOLE, "index.html"), encoding="utf-8") as f:
        html = f.read()
    # No inline script or handler: the CSP forbids them anyway.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and not re.search(r"\son[a-z]+=", html)


def test_every_string_is_in_both_catalogues():
    def keys(path):
        with open(path, encoding="utf-8") as f:
            return set(re.findall(r"^\s*'([a-z0-9_.]+)':|,\s*'([a-z0-9_.]+)':", f.read(), re.M))
    def flat(s):
        return {a or b for a, b in s}
    en = flat(keys(os.path.join(CONSOLE, "i18n/en.js")))
    zh = flat(keys(os.path.join(CONSOLE, "i18n/zh-CN.js")))
    assert en == zh, (sorted(en - zh), sorted(zh - en))
    used = set()
    for name, src in sources():
        if not name.startswith("i18n/"):
            used |= set(re.findall(r"\bt\('([a-z0-9_.]+)'[,)]", src))
    assert not used - en, sorted(used - en)
    assert {"signin.username", "signin.password", "signin.button", "alert.ack", "alert.dispatch",
            "alert.arrive", "alert.resolve"} <= en
