"""Who is paged (issue 15): weekly rotas in the zone's wall time, shifts
that win over them, `off` shifts that take a person out; the pages
follow what GET /v1/oncall says."""
import time

import pytest

from conftest import Site

ZONE_OFFSET_S = 8 * 3600  # Asia/Shanghai, no DST
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@pytest.fixture
def daemon_args():
    return {"timezone": "Asia/Shanghai", "escalate_p1_s": 30}


def hhmm(t):
    return time.strftime("%H:%M", time.gmtime(t + ZONE_OFFSET_S))


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def covering_now(site, staff, tier, **extra):
    """A rota every day from an hour ago to two hours on (local time; it
    may cross midnight, which the rota handles)."""
    now = time.time()
    body = {"staff_id": staff["id"], "site_id": site.id, "tier": tier, "days": DAYS,
            "from": hhmm(now - 3600), "to": hhmm(now + 2 * 3600)}
    body.update(extra)
    return site.api.ok("POST", "/v1/rotas", body)


def oncall_ids(api, site, tier, at=None):
    q = "/v1/oncall?site_id=%s" % site.id + ("&at=%s" % at if at else "")
    return [e["id"] for e in api.ok("GET", q)[tier]]


def press(dev, device_id, seq):
    dev.publish("carenet/dev/%s/event" % device_id, {"type": "button", "value": "press", "seq": seq})


def test_rota_primary_is_paged(api, mq):
    site = Site(api, shifts=False)
    rota = covering_now(site, site.primary, "primary")
    assert rota["id"].startswith("rota_") and rota["days"] == DAYS
    # A rota of another weekday is not on call now.
    today = DAYS[time.gmtime(time.time() + ZONE_OFFSET_S).tm_wday]
    other = [d for d in DAYS if d != today]
    covering_now(site, site.backup, "backup", days=[other[0]])
    yesterday = DAYS[(DAYS.index(today) - 1) % 7]
    entries = api.ok("GET", "/v1/oncall?site_id=%s" % site.id)
    assert [e["id"] for e in entries["primary"]] == [site.primary["id"]]
    assert entries["primary"][0]["source"] == "rota"
    backup_on = [e["id"] for e in entries["backup"]]
    # The backup's rota runs on `other[0]` only: on call now only when that
    # is yesterday and the rota crosses midnight into today.
    if other[0] != yesterday:
        assert backup_on == []

    ann = site.resident("Ann Li")
    site.device(ann, "pendant-r1", "sos_button")
    staff = mq()
    staff.subscribe("carenet/staff/+/notify")
    dev = mq()
    dev.subscribe("carenet/dev/pendant-r1/#")
    press(dev, "pendant-r1", 1)
    (topic, page), = staff.wait_for(r"carenet/staff/[^/]+/notify")
    assert topic == "carenet/staff/%s/notify" % site.primary["id"]
    assert page["level"] == 0 and page["nobody_on_shift"] is False


def test_override_and_off_shift_change_who_is_paged(api, mq):
    site = Site(api, shifts=False)
    covering_now(site, site.primary, "primary")
    now = time.time()
    # Ann on leave for the next hours, Bob stands in as primary.
    site.shift(site.primary, "off", now - 600, now + 3600)
    site.shift(site.backup, "primary", now - 600, now + 3600)
    assert oncall_ids(api, site, "primary") == [site.backup["id"]]
    # After the leave Ann is back on her rota.
    assert site.primary["id"] in oncall_ids(api, site, "primary", iso(now + 3600 + 60))

    ann = site.resident("Ann Li")
    site.device(ann, "pendant-r2", "sos_button")
    staff = mq()
    staff.subscribe("carenet/staff/+/notify")
    dev = mq()
    press(dev, "pendant-r2", 1)
    (topic, page), = staff.wait_for(r"carenet/staff/[^/]+/notify")
    assert topic == "carenet/staff/%s/notify" % site.backup["id"]
    # Every page of a level is written with it: the alert names whom it paged.
    assert api.ok("GET", "/v1/alerts/%s" % page["id"])["notified"] == [site.backup["id"]]


def test_rota_api_validates_and_edits(api):
    site = Site(api, shifts=False)
    base = {"staff_id": site.primary["id"], "site_id": site.id, "tier": "primary",
            "days": ["fri"], "from": "20:00", "to": "08:00"}
    for bad, field in ((dict(days=["friday"]), "days"), (dict(days=["fri", "fri"]), "days"),
                       (dict(days=[]), "days"), (dict(**{"from": "24:00"}), "from"),
                       (dict(tier="off"), "tier"),
                       (dict(starts_on="2026-12-10", ends_on="2026-12-01"), "ends_on"),
                       (dict(staff_id=site.volunteer["id"]), "staff_id")):
        body = dict(base)
        body.update(bad)
        r = api.post("/v1/rotas", body)
        assert r.status_code == 400 and field in r.json()["error"]["message"], (bad, r.text)
    rota = api.ok("POST", "/v1/rotas", dict(base, days=["sat", "fri"]))
    assert rota["days"] == ["fri", "sat"] and rota["starts_on"] is None
    # Friday 20:00-08:00 covers Saturday 03:00 local (19:00 UTC friday).
    fri = "2026-12-04T19:00:00Z"  # Sat 03:00 in Shanghai
    assert oncall_ids(api, site, "primary", fri) == [site.primary["id"]]
    patched = api.ok("PATCH", "/v1/rotas/%s" % rota["id"], {"days": ["mon"], "ends_on": "2026-12-31"})
    assert patched["days"] == ["mon"] and patched["ends_on"] == "2026-12-31" and patched["from"] == "20:00"
    assert oncall_ids(api, site, "primary", fri) == []
    listed = api.ok("GET", "/v1/rotas?site_id=%s" % site.id)["items"]
    assert [r["id"] for r in listed] == [rota["id"]]
    assert api.delete("/v1/rotas/%s" % rota["id"]).status_code in (200, 204)
    assert api.get("/v1/rotas/%s" % rota["id"]).status_code == 404


def test_rotas_follow_the_sites_own_zone_across_dst(api):
    """The daemon runs in Asia/Shanghai; the site is in Europe/London,
    where 2026-03-29 01:00 UTC turns 01:00 GMT into 02:00 BST. A day
    rota 07:00-19:00 is the site's wall time on both sides of it."""
    site = Site(api, shifts=False)
    r = api.request("PATCH", "/v1/sites/%s" % site.id, {"timezone": "Mars/Olympus"})
    assert r.status_code == 400 and "timezone" in r.json()["error"]["message"]
    r = api.request("PATCH", "/v1/sites/%s" % site.id, {"timezone": "../../etc/passwd"})
    assert r.status_code == 400 and "timezone" in r.json()["error"]["message"]
    got = api.ok("PATCH", "/v1/sites/%s" % site.id, {"timezone": "Europe/London"})
    assert got["timezone"] == "Europe/London" and got["onsite_timeout_s"] == 2700
    api.ok("POST", "/v1/rotas", {"staff_id": site.primary["id"], "site_id": site.id, "tier": "primary",
                                 "days": DAYS, "from": "07:00", "to": "19:00"})
    # Saturday 07:30 GMT = 07:30 UTC; Sunday 07:30 BST = 06:30 UTC.
    assert oncall_ids(api, site, "primary", "2026-03-28T07:30:00Z") == [site.primary["id"]]
    assert oncall_ids(api, site, "primary", "2026-03-29T06:30:00Z") == [site.primary["id"]]
    assert oncall_ids(api, site, "primary", "2026-03-29T05:30:00Z") == []  # 06:30 BST
    # 18:30 UTC: 18:30 GMT on Saturday (on), 19:30 BST on Sunday (off).
    assert oncall_ids(api, site, "primary", "2026-03-28T18:30:00Z") == [site.primary["id"]]
    assert oncall_ids(api, site, "primary", "2026-03-29T18:30:00Z") == []
    # The occurrence is reported in real time: 06:00-18:00 UTC that Sunday.
    entry = api.ok("GET", "/v1/oncall?site_id=%s&at=2026-03-29T12:00:00Z" % site.id)["primary"][0]
    assert entry["starts_at"].startswith("2026-03-29T06:00:00") and entry["ends_at"].startswith("2026-03-29T18:00:00")
    # Without a zone of its own the site reads rotas in the daemon's
    # zone: 07:30 UTC is 15:30 in Shanghai (on), 12:30 UTC 20:30 (off).
    api.ok("PATCH", "/v1/sites/%s" % site.id, {"timezone": None})
    assert oncall_ids(api, site, "primary", "2026-03-29T07:30:00Z") == [site.primary["id"]]
    assert oncall_ids(api, site, "primary", "2026-03-29T12:30:00Z") == []
