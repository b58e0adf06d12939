"""Hostile load and hostile insiders (issue 12), against the real server.

The attacker and the legitimate client come from different loopback
addresses: 127.0.0.2 also reaches a server bound to 127.0.0.1, so the
attacker's sockets are bound to 127.0.0.2 and the legitimate client's to
127.0.0.1. No timed assertions: the legitimate request must succeed (with
a generous client timeout) while the attack runs. Every loop is bounded.
"""
import json
import socket
import sqlite3
import threading
import time

import pytest
import requests
from requests.adapters import HTTPAdapter

from conftest import BOOTSTRAP, Api, Site, wait_until

ATTACKER = "127.0.0.2"
LEGIT = "127.0.0.1"
PASSWORD = "correct horse battery"


class SourceAdapter(HTTPAdapter):
    """Binds every connection of a requests session to one source address."""

    def __init__(self, ip):
        self.ip = ip
        super().__init__()

    def init_poolmanager(self, *args, **kw):
        kw["source_address"] = (self.ip, 0)
        super().init_poolmanager(*args, **kw)


def from_addr(api, ip, token=None):
    a = Api(api.base, api.token if token is None else token)
    a.s.mount("http://", SourceAdapter(ip))
    return a


def raw_socket(daemon, ip, timeout=10.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((ip, 0))
    s.connect(("127.0.0.1", daemon.http_port))
    return s


def closed_by_server(s, timeout):
    """True when the server closes (or resets) s within `timeout` s."""
    s.settimeout(timeout)
    try:
        while True:
            b = s.recv(4096)
            if not b:
                return True
    except socket.timeout:
        return False
    except OSError:
        return True


def login(api, ip, username, password):
    a = from_addr(api, ip, token="")
    return a.s.post(api.base + "/v1/auth/login", json={"username": username, "password": password},
                    timeout=30)


# ---- connection budgets ----

@pytest.fixture
def daemon_args():
    return {"http_per_ip_connections": 8, "http_sse_per_user": 3, "http_min_body_rate": 64}


def test_one_address_cannot_take_the_connections_and_trickled_bodies_are_cut(api, daemon):
    legit = from_addr(api, LEGIT)
    socks = []
    try:
        # The attacker opens more connections than its address may hold and
        # starts a POST on each, announcing a body it then trickles.
        for _ in range(12):
            s = raw_socket(daemon, ATTACKER)
            try:
                s.sendall(b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          b"Content-Length: 1000\r\n\r\n{")
            except OSError:
                pass
            socks.append(s)
        # Past the per-address cap, connections are closed at once.
        extra_closed = sum(1 for s in socks[8:] if closed_by_server(s, 5))
        assert extra_closed == 4
        # Meanwhile another address is served.
        assert legit.get("/healthz").status_code == 200
        assert legit.get("/v1/alerts").status_code == 200
        # A body trickled a byte at a time is cut (a minimum rate, not only an
        # idle timeout that each byte would reset). Bounded: at most 40 bytes.
        kept = socks[:8]
        cut = set()
        for _ in range(40):
            for i, s in enumerate(kept):
                if i in cut:
                    continue
                try:
                    s.sendall(b" ")
                except OSError:
                    cut.add(i)
            if len(cut) == len(kept):
                break
            time.sleep(1)
            for i, s in enumerate(kept):
                if i not in cut and closed_by_server(s, 0.05):
                    cut.add(i)
        assert len(cut) == len(kept), "trickled bodies were not all cut"
        assert legit.get("/healthz").status_code == 200
        assert "slower than 64 bytes/s" in daemon.read_log()
    finally:
        for s in socks:
            s.close()


def test_one_token_cannot_hold_more_than_its_share_of_event_streams(api, daemon):
    site = Site(api, shifts=False, prefix="sse")
    fam_id = site.resident("Flo")["id"]
    fam = site.staff("fam", "family", site_id=None, resident_ids=[fam_id])
    token = site.login(fam).token
    attacker = from_addr(api, ATTACKER, token)
    streams = []
    try:
        for _ in range(3):
            r = attacker.s.get(api.base + "/v1/alerts/stream", headers=attacker.headers(), stream=True,
                               timeout=30)
            assert r.status_code == 200
            streams.append(r)
        over = attacker.s.get(api.base + "/v1/alerts/stream", headers=attacker.headers(), stream=True,
                              timeout=30)
        assert over.status_code == 429, over.text
        assert over.headers.get("Retry-After")
        over.close()
        # Another user, from another address, still gets a stream and answers.
        carer = from_addr(api, LEGIT, site.login(site.primary).token)
        r = carer.s.get(api.base + "/v1/alerts/stream", headers=carer.headers(), stream=True, timeout=30)
        assert r.status_code == 200
        r.close()
        assert carer.get("/v1/alerts").status_code == 200
    finally:
        for r in streams:
            r.close()


# ---- the login throttle ----

def test_a_guesser_is_stopped_and_the_real_user_still_gets_in(api, daemon):
    site = Site(api, shifts=False, prefix="lg")
    user = site.primary["username"]
    answers = [login(api, ATTACKER, user, "guess-%d" % i).status_code for i in range(12)]
    assert answers[:10] == [401] * 10 and answers[10:] == [429, 429]
    # Even the right password is refused to the guesser's address ...
    r = login(api, ATTACKER, user, PASSWORD)
    assert r.status_code == 429 and r.headers.get("Retry-After")
    # ... and a fresh name from that address too (per-address count).
    assert login(api, ATTACKER, site.backup["username"], PASSWORD).status_code == 429
    # The real user, from another address, gets in.
    assert login(api, LEGIT, user, PASSWORD).status_code == 200


def test_a_login_flood_never_starves_the_rest_of_the_api(api, daemon):
    site = Site(api, shifts=False, prefix="lf")
    me = from_addr(api, LEGIT, site.login(site.primary).token)
    stop = threading.Event()
    statuses = []

    def flood():
        a = from_addr(api, ATTACKER, token="")
        for _ in range(40):  # bounded
            if stop.is_set():
                break
            r = a.s.post(api.base + "/v1/auth/login", json={"username": site.backup["username"],
                                                           "password": PASSWORD}, timeout=30)
            statuses.append(r.status_code)

    threads = [threading.Thread(target=flood) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for _ in range(10):
            assert me.get("/v1/me").status_code == 200
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    # Every flood answer is a login or a refusal at once, never a failure.
    assert statuses and set(statuses) <= {200, 429, 503}


@pytest.mark.parametrize("daemon_args", [{"http_trusted_proxies": ATTACKER}])
def test_forwarded_for_is_believed_only_from_a_trusted_proxy(api, daemon):
    site = Site(api, shifts=False, prefix="xf")
    user = site.primary["username"]

    def via(ip, xff, password):
        a = from_addr(api, ip, token="")
        return a.s.post(api.base + "/v1/auth/login", json={"username": user, "password": password},
                        headers={"X-Forwarded-For": xff}, timeout=30).status_code

    # Through the trusted proxy, the guesser behind it is stopped ...
    assert [via(ATTACKER, "10.0.0.9", "bad") for _ in range(11)][-1] == 429
    # ... and another client behind the same proxy gets in.
    assert via(ATTACKER, "10.0.0.8", PASSWORD) == 200
    # From an address that is no proxy, the header is ignored: changing it
    # does not reset the count.
    assert [via(LEGIT, "10.1.0.%d" % i, "bad") for i in range(11)][-1] == 429


# ---- tokens that end ----

def test_the_bootstrap_token_dies_once_an_admin_has_a_password(api, daemon):
    assert api.get("/v1/me").status_code == 200
    api.ok("PATCH", "/v1/staff/admin", {"password": "a real admin password"})
    wait_until(lambda: api.get("/v1/me").status_code == 401, 10, what="bootstrap token revoked")
    admin = api.as_user("admin", "a real admin password")
    assert admin.get("/v1/me").status_code == 200


def test_the_bootstrap_token_dies_when_no_longer_configured(api, daemon):
    assert api.get("/v1/me").status_code == 200
    daemon.stop()
    daemon.command = lambda: [c for c in type(daemon).command(daemon)
                              if c not in ("--bootstrap_token", BOOTSTRAP)]
    daemon.start()
    assert api.get("/v1/me").status_code == 401


def test_a_password_change_ends_the_other_sessions(api, daemon):
    site = Site(api, shifts=False, prefix="pw")
    one = site.login(site.primary)
    other = site.login(site.primary)
    one.ok("PATCH", "/v1/staff/%s" % site.primary["id"], {"password": "another good password"})
    assert other.get("/v1/me").status_code == 401
    assert one.get("/v1/me").status_code == 200


# ---- scopes on every path ----

def test_a_family_account_spanning_two_sites_is_the_admins(api, daemon):
    a = Site(api, shifts=False, prefix="sa")
    b = Site(api, shifts=False, prefix="sb")
    ra, rb = a.resident("Ida")["id"], b.resident("Jo")["id"]
    both = a.staff("both", "family", site_id=None, resident_ids=[ra, rb])
    only = a.staff("only", "family", site_id=None, resident_ids=[ra])
    coord = from_addr(api, LEGIT, a.login(a.coordinator).token)
    r = coord.patch("/v1/staff/%s" % both["id"], {"password": "taken over account"})
    assert r.status_code == 403, r.text
    assert login(api, LEGIT, both["username"], "taken over account").status_code == 401
    coord.ok("PATCH", "/v1/staff/%s" % only["id"], {"password": "a reset password"})
    assert api.ok("PATCH", "/v1/staff/%s" % both["id"], {"password": "admin reset it"})



def test_audit_rows_carry_every_site_an_action_touches(api, daemon):
    a = Site(api, shifts=False, prefix="aa")
    b = Site(api, shifts=False, prefix="ab")
    ra, rb = a.resident("Lu")["id"], b.resident("Mo")["id"]
    both = a.staff("kin", "family", site_id=None, resident_ids=[ra, rb])
    api.ok("PATCH", "/v1/staff/%s" % both["id"], {"password": "admin reset it"})
    moved = a.resident("Ned")["id"]
    api.ok("PATCH", "/v1/residents/%s" % moved, {"site_id": b.id})

    def rows_seen_by(site, resource):
        coord = from_addr(api, LEGIT, site.login(site.coordinator).token)
        items = coord.ok("GET", "/v1/audit?resource=%s&limit=500" % resource)["items"]
        return {(row["resource_id"], row["action"]): row for row in items}

    for site in (a, b):
        # The password reset of an account that spans both sites, and the
        # move from one site to the other, are in both sites' audit logs.
        staff_rows = rows_seen_by(site, "staff")
        assert (both["id"], "update") in staff_rows, site.id
        assert sorted(staff_rows[(both["id"], "update")]["sites"]) == sorted([a.id, b.id])
        resident_rows = rows_seen_by(site, "residents")
        assert (moved, "update") in resident_rows, site.id
        assert sorted(resident_rows[(moved, "update")]["sites"]) == sorted([a.id, b.id])
    # A third site sees neither.
    c = Site(api, shifts=False, prefix="ac")
    assert (both["id"], "update") not in rows_seen_by(c, "staff")
    assert (moved, "update") not in rows_seen_by(c, "residents")

def test_a_stream_ends_when_its_owner_moves_to_another_site(api, daemon):
    a = Site(api, shifts=False, prefix="ma")
    b = Site(api, shifts=False, prefix="mb")
    carer = from_addr(api, LEGIT, a.login(a.primary).token)
    r = carer.s.get(api.base + "/v1/alerts/stream", headers=carer.headers(), stream=True, timeout=60)
    assert r.status_code == 200
    api.ok("PATCH", "/v1/staff/%s" % a.primary["id"], {"site_id": b.id})
    done = threading.Event()

    def drain():
        try:
            for _ in r.iter_content(256):
                pass
        except requests.RequestException:
            pass
        done.set()

    threading.Thread(target=drain, daemon=True).start()
    # The next wake (a change or the heartbeat) finds the scope changed.
    assert done.wait(60), "the stream kept its old scope"
    r.close()


# ---- junk costs nothing ----

def test_unknown_device_junk_is_dropped_unlogged_and_alarms_still_acked(api, mq, daemon):
    site = Site(api, prefix="jk")
    pendant = site.resident("Kay")
    site.device(pendant, "jk-pendant", "sos_button")
    dev = mq()
    dev.subscribe("carenet/dev/jk-pendant/ack")
    junk = mq()
    junk.c.max_inflight_messages_set(100)
    infos = []
    for n in range(3000):  # bounded burst from made-up ids, some oversized
        payload = json.dumps({"type": "motion", "value": True, "seq": n})
        if n % 10 == 0:
            payload = "x" * 3000
        infos.append(junk.c.publish("carenet/dev/junk-%d/event" % n, payload, qos=1))
        if n == 1500:  # a real press in the middle of the burst
            dev.publish("carenet/dev/jk-pendant/event", {"type": "button", "value": "press", "seq": 7})
    (_, ack), = dev.wait_for(r".*", lambda p: p["seq"] == 7, timeout=60)
    assert ack["alert_id"]
    for info in infos:
        info.wait_for_publish(60)
    rejected = lambda: sum(float(l.rsplit(" ", 1)[1]) for l in api.s.get(api.base + "/metrics", timeout=10)
                           .text.splitlines() if l.startswith("carenet_events_rejected_total"))
    wait_until(lambda: rejected() >= 3000, 60, interval=0.2, what="junk counted")
    db = sqlite3.connect(daemon.db_path)
    stored = db.execute("SELECT count(*) FROM quarantine WHERE topic LIKE 'carenet/dev/junk-%'").fetchone()[0]
    db.close()
    assert stored == 0
    # A global limit on log lines, not one line per made-up id.
    assert daemon.read_log().count("quarantined a message on carenet/dev/junk-") <= 20


def test_a_device_time_far_in_the_future_is_the_receive_time(api, mq, daemon):
    site = Site(api, prefix="ck")
    ann = site.resident("Lu")
    site.device(ann, "ck-pendant", "sos_button")
    dev = mq()
    dev.subscribe("carenet/dev/ck-pendant/ack")
    dev.publish("carenet/dev/ck-pendant/event", {"type": "button", "value": "press", "seq": 1,
                                                 "ts": "9999-12-31T23:59:59Z"})
    (_, ack), = dev.wait_for(r".*", lambda p: p["seq"] == 1, timeout=30)
    alert = api.ok("GET", "/v1/alerts/%s" % ack["alert_id"])
    assert alert["last_event_at"][:4] == time.strftime("%Y", time.gmtime())


def test_a_re_enrolled_device_id_starts_with_no_history(api, mq, daemon):
    a = Site(api, shifts=False, prefix="ea")
    b = Site(api, shifts=False, prefix="eb")
    old = a.resident("Mo")
    a.device(old, "moved-1", "motion")
    dev = mq()
    dev.publish("carenet/dev/moved-1/event", {"type": "motion", "value": True, "seq": 1})
    wait_until(lambda: len(api.ok("GET", "/v1/events?device_id=moved-1")["items"]) == 1, 20,
               what="the first owner's event stored")
    api.ok("DELETE", "/v1/devices/moved-1", status=204)
    b.device(b.resident("Ned"), "moved-1", "motion")
    coord_b = from_addr(api, LEGIT, b.login(b.coordinator).token)
    assert coord_b.ok("GET", "/v1/events?device_id=moved-1")["items"] == []
    assert coord_b.ok("GET", "/v1/events")["items"] == []
    dev.publish("carenet/dev/moved-1/event", {"type": "motion", "value": False, "seq": 2})
    wait_until(lambda: len(coord_b.ok("GET", "/v1/events?device_id=moved-1")["items"]) == 1, 20,
               what="the new owner's event")
