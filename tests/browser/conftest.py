"""Browser tests of the web console: Debian's chromium, headless, driven by
chromedriver through python3-selenium, against the e2e harness's real
broker and carenetd (one of each for the module, to keep the run short).

After every test the browser's console log must hold no error and every
request the page made must be a console file or an operation of
proto/openapi.yaml (read from Chrome's performance log)."""
import json
import os
import re
import shutil
import tempfile
import time

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "../.."))


def _e2e_harness():
    """tests/e2e/conftest.py under another name (this file is `conftest` too)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("e2e_harness", os.path.join(ROOT, "tests/e2e/conftest.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_h = _e2e_harness()
BOOTSTRAP, Api, Broker, Daemon, Mqtt, Site, wait_until = (
    _h.BOOTSTRAP, _h.Api, _h.Broker, _h.Daemon, _h.Mqtt, _h.Site, _h.wait_until)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

SPEC = os.path.join(ROOT, "proto/openapi.yaml")
# The committed screenshots in docs/console/ are rewritten only on request
# (CN_SCREENSHOTS=docs, or `make screenshots`); a test run writes its own
# into build/ so that it leaves the checkout clean.
SCREENSHOTS = os.path.join(ROOT, "docs/console" if os.environ.get("CN_SCREENSHOTS") == "docs"
                           else "build/browser-screenshots")
HOSTILE = "<img src=x onerror=alert(1)>"


def spec_operations():
    """(METHOD, compiled path regex, template) for every operation."""
    with open(SPEC, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    ops = []
    for path, item in doc["paths"].items():
        rx = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
        for m in item:
            if m in ("get", "put", "post", "patch", "delete"):
                ops.append((m.upper(), rx, path))
    return ops


def in_spec(ops, method, path):
    return any(m == method and rx.match(path) for m, rx, _ in ops)


class Browser:
    """One headless chromium for the module, with helpers the tests share."""

    def __init__(self, base, workdir):
        self.base = base
        self.profile = tempfile.mkdtemp(prefix="chromium-", dir=workdir)
        opts = webdriver.ChromeOptions()
        opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps",
                  "--disable-dev-shm-usage", "--window-size=1280,1000", "--lang=en-US",
                  "--autoplay-policy=no-user-gesture-required", "--user-data-dir=" + self.profile):
            opts.add_argument(a)
        opts.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        self.d = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"),
                                  options=opts)
        self.d.set_page_load_timeout(30)
        self.ops = spec_operations()

    # ---- finding things as a person does: by label and by visible text ----
    def by_label(self, text, scope=None):
        scope = scope or self.d
        label = scope.find_element(By.XPATH, ".//label[normalize-space()=%s]" % xpath_str(text))
        return self.d.find_element(By.ID, label.get_attribute("for"))

    def button(self, text, scope=None):
        return (scope or self.d).find_element(By.XPATH, ".//button[normalize-space()=%s]" % xpath_str(text))

    def text(self):
        return self.d.find_element(By.TAG_NAME, "body").text

    def wait(self, pred, timeout=40, what="the page"):
        def ok():
            try:
                return pred()
            except Exception:  # not there yet
                return False
        return wait_until(ok, timeout, 0.1, what)

    def wait_text(self, needle, timeout=40):
        return self.wait(lambda: needle in self.text(), timeout, "%r on the page" % needle)

    def card(self, resident_name):
        for el in self.d.find_elements(By.CSS_SELECTOR, "article.alert-card"):
            if resident_name in el.text:
                return el
        return None

    # ---- what the autouse check reads ----
    def errors(self):
        return [e for e in self.d.get_log("browser") if e.get("level") == "SEVERE"]

    def requests(self):
        out = []
        for entry in self.d.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            if msg.get("method") == "Network.requestWillBeSent":
                req = msg["params"]["request"]
                out.append((req["method"], req["url"]))
        return out

    def check_requests(self, reqs):
        bad = []
        for method, url in reqs:
            if not url.startswith(("http:", "https:")):
                continue  # the browser's own pages (chrome://), blob: and data: URLs
            if not url.startswith(self.base + "/"):
                bad.append((method, url))  # the console talks to carenetd only
                continue
            path = url[len(self.base):].split("?", 1)[0].split("#", 1)[0]
            if path in ("/", "/favicon.ico") or path.startswith("/console/"):
                continue
            if not in_spec(self.ops, method, path):
                bad.append((method, url))
        return bad

    def screenshot(self, name):
        os.makedirs(SCREENSHOTS, exist_ok=True)
        self.d.save_screenshot(os.path.join(SCREENSHOTS, name))

    def screenshot_of(self, element, name):
        os.makedirs(SCREENSHOTS, exist_ok=True)
        element.screenshot(os.path.join(SCREENSHOTS, name))

    def quit(self):
        self.d.quit()
        shutil.rmtree(self.profile, ignore_errors=True)


def xpath_str(s):
    if "'" not in s:
        return "'%s'" % s
    return "concat('%s')" % s.replace("'", "', \"'\", '")


@pytest.fixture(scope="module")
def workdir():
    with tempfile.TemporaryDirectory(prefix="carenet-browser-") as d:
        yield d


@pytest.fixture(scope="module")
def broker(workdir):
    b = Broker(workdir)
    yield b
    b.stop()


@pytest.fixture(scope="module")
def daemon(workdir, broker):
    d = Daemon(workdir, broker)
    yield d
    status = d.stop()
    log = d.read_log()
    assert "ERROR: AddressSanitizer" not in log and "runtime error:" not in log, log[-4000:]
    assert status == 0, "carenetd exited with %r on SIGTERM:\n%s" % (status, log[-3000:])


@pytest.fixture(scope="module")
def api(daemon):
    return Api(daemon.url, BOOTSTRAP)


@pytest.fixture(scope="module")
def device_mq(broker):
    """The devices' side of MQTT: presses buttons, hears acks and commands."""
    c = Mqtt(broker.port)
    c.subscribe("carenet/dev/+/cmd")
    c.subscribe("carenet/dev/+/ack")
    yield c
    c.close()


@pytest.fixture(scope="module")
def site(api):
    s = Site(api, prefix="b")
    s.wang = s.resident("Wang Fang", emergency_contacts=[{"name": "Wang Lei", "phone": "+86 139 1111 2222",
                                                           "relation": "son"}],
                        care_level="2", birth_date="1941-03-08")
    s.li = s.resident("Li Ming", address="8 Lotus Street, flat 12")
    s.hostile = s.resident(HOSTILE, id="b-hostile", address="<b>9</b> Script Road")
    s.device(s.wang, "b-sos-wang", "sos_button", room="bedroom")
    s.device(s.wang, "b-door-wang", "door", room="hall", exit_door=True)
    s.device(s.li, "b-fall-li", "fall_detector", room="bathroom")
    s.device(s.hostile, "b-sos-hostile", "sos_button")
    s.meal = api.ok("POST", "/v1/services", {"name": "Hot lunch", "category": "meal", "provider": "staff",
                                             "duration_min": 30})
    api.ok("POST", "/v1/requests", {"resident_id": s.wang["id"], "service_id": s.meal["id"], "note": "no salt"})
    return s


class Presser:
    """A device pressing its button, with a fresh seq each time."""

    def __init__(self, mq):
        self.mq = mq
        self.seq = int(time.time())

    def press(self, dev_id, typ="button", value="press"):
        self.seq += 1
        self.mq.publish("carenet/dev/%s/event" % dev_id, {"type": typ, "value": value, "seq": self.seq,
                                                           "battery": 80})
        return self.seq


@pytest.fixture(scope="module")
def presser(device_mq):
    return Presser(device_mq)


@pytest.fixture(scope="module")
def browser(daemon, workdir, site):
    b = Browser(daemon.url, workdir)
    b.all_requests = []
    yield b
    b.quit()


@pytest.fixture(autouse=True)
def clean_console(request):
    """No errors in the browser console, and only spec'd requests, per test.
    A test that provokes errors on purpose lists what it expects in
    request.node.allowed_errors (regexes)."""
    request.node.allowed_errors = []
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    yield
    errors = [e for e in browser.errors()
              if not any(re.search(rx, e.get("message", "")) for rx in request.node.allowed_errors)]
    reqs = browser.requests()
    browser.all_requests += reqs
    assert not errors, "errors in the browser console:\n" + "\n".join(e["message"] for e in errors)
    bad = browser.check_requests(reqs)
    assert not bad, "requests that proto/openapi.yaml does not describe:\n" + "\n".join("%s %s" % x for x in bad)
