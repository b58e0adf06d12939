"""Escalation policies as data (issue 15): per site and priority, steps
with after_s from the alert's creation, the policy recorded on the alert
when raised, deadlines that survive a restart at the right step."""
import json
import time

import requests

from conftest import Site, wait_until


def press(dev, device_id, seq):
    dev.publish("carenet/dev/%s/event" % device_id, {"type": "button", "value": "press", "seq": seq})


def test_policy_get_put_and_validation(api):
    site = Site(api)
    got = api.ok("GET", "/v1/sites/%s/escalation" % site.id)
    # The default is today's ladder with the configured step times (60/300/1800).
    assert got["p1"]["default"] is True
    assert [s["after_s"] for s in got["p1"]["steps"]] == [0, 60, 120, 180]
    assert got["p1"]["steps"][0]["notify"] == ["tier:primary"]
    assert got["p1"]["steps"][3]["notify"] == ["site", "role:coordinator"]
    assert got["p2"]["repeat_s"] == 300 and got["p4"]["steps"] == []
    for bad, words in (
            ({"p1": {"steps": [{"after_s": 0, "notify": []}, {"after_s": 60, "notify": []}]}}, "nobody"),
            ({"p1": {"steps": [{"after_s": 0, "notify": ["tier:off"]}]}}, "p1.steps[0].notify[0]"),
            ({"p1": {"steps": [{"after_s": 60, "notify": ["site"]}, {"after_s": 30, "notify": ["site"]}]}},
             "p1.steps[1].after_s"),
            ({"p1": {"steps": [], "repeat": 5}}, "p1.repeat"),
            ({"p5": {"steps": []}}, "p5"),
            ({"p2": {"steps": [{"after_s": 0, "notify": ["site"]}], "repeat_s": 3}}, "p2.repeat_s")):
        r = api.request("PUT", "/v1/sites/%s/escalation" % site.id, bad)
        assert r.status_code == 400 and words in r.json()["error"]["message"], (bad, r.text)
    assert api.ok("GET", "/v1/sites/%s/escalation" % site.id)["p1"]["default"] is True
    new = {"p1": {"steps": [{"after_s": 0, "notify": ["contacts", "tier:primary"]},
                            {"after_s": 90, "notify": ["channel:ch-team", "staff:%s" % site.supervisor["id"]]}],
                  "repeat_s": 600},
           "p4": {"steps": []}}
    put = api.ok("PUT", "/v1/sites/%s/escalation" % site.id, new)
    assert put["p1"]["default"] is False and put["p1"]["repeat_s"] == 600
    assert put["p1"]["steps"][1]["notify"] == ["channel:ch-team", "staff:%s" % site.supervisor["id"]]
    assert put["p2"]["default"] is True
    # A caregiver reads it but may not change it.
    ann = site.login(site.primary)
    assert ann.get("/v1/sites/%s/escalation" % site.id).status_code == 200
    assert ann.request("PUT", "/v1/sites/%s/escalation" % site.id, new).status_code == 403


def test_restart_in_the_middle_of_a_custom_policy_continues_at_the_right_step(api, mq, daemon):
    site = Site(api)
    api.ok("PUT", "/v1/sites/%s/escalation" % site.id, {"p1": {"steps": [
        {"after_s": 0, "notify": ["tier:backup"]},
        {"after_s": 4, "notify": ["staff:%s" % site.supervisor["id"]]},
        {"after_s": 120, "notify": ["site"]}], "repeat_s": 600}})
    dee = site.resident("Dee")
    site.device(dee, "pendant-p1", "sos_button")
    staff = mq()
    staff.subscribe("carenet/staff/+/notify")
    press(mq(), "pendant-p1", 1)
    (topic, page), = staff.wait_for(r"carenet/staff/[^/]+/notify")
    assert topic.endswith("/%s/notify" % site.backup["id"]) and page["level"] == 0
    alert_id = page["id"]
    # The policy changes while the alert runs: this alert keeps its own.
    api.ok("PUT", "/v1/sites/%s/escalation" % site.id,
           {"p1": {"steps": [{"after_s": 0, "notify": ["tier:primary"]}], "repeat_s": 0}})
    daemon.stop()
    created = time.time()
    wait_until(lambda: time.time() - created > 5, timeout=15, what="step 1 falls due while stopped")
    staff.clear()
    daemon.start()
    (topic, page), = staff.wait_for(r"carenet/staff/[^/]+/notify", lambda p: p["level"] == 1, timeout=10)
    assert topic.endswith("/%s/notify" % site.supervisor["id"])
    alert = api.ok("GET", "/v1/alerts/%s" % alert_id)
    assert alert["level"] == 1
    assert any(l["action"] == "escalated" and "policy step 1" in l["detail"] for l in alert["timeline"])
    # Step 2 is two minutes out: nobody else is paged now, and not the
    # primary of the new policy (the alert says whom it paged, in order).
    assert alert["notified"] == [site.backup["id"], site.supervisor["id"]]
    # A new alert follows the new policy.
    eve = site.resident("Eve")
    site.device(eve, "pendant-p2", "sos_button")
    staff.clear()
    press(mq(), "pendant-p2", 1)
    (topic, _), = staff.wait_for(r"carenet/staff/[^/]+/notify")
    assert topic.endswith("/%s/notify" % site.primary["id"])


def test_contacts_first_with_nobody_to_notify_pages_the_next_step_at_once(api, mq):
    """Relatives first, but the resident has no contact to notify: the
    contacts step queues no message, so it reaches nobody and the next
    step's people are paged at once, never a silent minute; the timeline
    says why and the alert stands at that step."""
    site = Site(api)
    api.ok("PUT", "/v1/sites/%s/escalation" % site.id, {"p1": {"steps": [
        {"after_s": 0, "notify": ["contacts"]},
        {"after_s": 600, "notify": ["tier:primary"]}], "repeat_s": 300}})
    fay = site.resident("Fay")
    site.device(fay, "pendant-c1", "sos_button")
    staff = mq()
    staff.subscribe("carenet/staff/+/notify")
    press(mq(), "pendant-c1", 1)
    # after_s 600: only the empty contacts step can page the primary now.
    (topic, page), = staff.wait_for(r"carenet/staff/[^/]+/notify")
    assert topic.endswith("/%s/notify" % site.primary["id"]) and page["level"] == 1
    alert = api.ok("GET", "/v1/alerts/%s" % page["id"])
    details = [l["detail"] for l in alert["timeline"] if l["action"] == "notified"]
    assert any(d.startswith("contacts: nobody to notify") for d in details), details
    assert any(l["action"] == "escalated" and "the next people at once" in l["detail"]
               for l in alert["timeline"]), alert["timeline"]
    assert alert["notified"] == [site.primary["id"]] and alert["level"] == 1
    assert alert["deliveries"] == []


def _webhook(api, site, rx, path):
    return api.ok("POST", "/v1/channels", {"site_id": site.id, "kind": "webhook",
                                           "name": "hook " + path, "url": rx.url(path)})


def _contacts_first(api, site, rx, after_s):
    """A P1 policy that pages the resident's contacts first and the
    primary `after_s` later; the son's messages go to /son, the
    primary's to /primary."""
    son = _webhook(api, site, rx, "/son")
    mine = _webhook(api, site, rx, "/primary")
    api.ok("PATCH", "/v1/staff/%s" % site.primary["id"], {"contacts": [{"channel_id": mine["id"]}]},
           status=(200,))
    api.ok("PUT", "/v1/sites/%s/escalation" % site.id, {"p1": {"steps": [
        {"after_s": 0, "notify": ["contacts"]},
        {"after_s": after_s, "notify": ["tier:primary"]}], "repeat_s": 0}})
    return son


def test_contacts_first_pages_the_contacts_webhook_before_the_primary(api, mq):
    """Issue 15: a policy with contacts first pages the contact's webhook
    (with their own ack link) before the primary, who is paged at the
    next step's time, on MQTT and on their own channel."""
    from receivers import HttpReceiver
    rx = HttpReceiver()
    try:
        site = Site(api)
        son = _contacts_first(api, site, rx, 3)
        ivy = site.resident("Ivy", emergency_contacts=[
            {"name": "Li Wei", "relation": "son", "phone": "+86 138 1111 2222", "notify": True,
             "channels": [son["id"]], "order": 0}])
        site.device(ivy, "pendant-cf1", "sos_button")
        staff = mq()
        staff.subscribe("carenet/staff/+/notify")
        press(mq(), "pendant-cf1", 1)
        (req,) = rx.wait_for("/son")[:1]
        body = json.loads(req["body"])
        assert body["to"]["contact"] == "Li Wei" and "staff_id" not in body["to"]
        assert "/a/" in body["ack_url"]
        alert_id = body["alert"]["id"]
        (topic, page), = staff.wait_for(r"carenet/staff/[^/]+/notify", timeout=20)
        assert topic.endswith("/%s/notify" % site.primary["id"]) and page["level"] == 1
        (mine,) = rx.wait_for("/primary")[:1]
        assert req["at"] < mine["at"]
        alert = api.ok("GET", "/v1/alerts/%s" % alert_id)
        assert alert["notified"] == [site.primary["id"]]
        by_level = sorted((d["level"], d["contact"]["name"] if d.get("contact") else d["staff_id"])
                          for d in alert["deliveries"])
        assert by_level == [(0, "Li Wei"), (1, site.primary["id"])]
        detail = [l["detail"] for l in alert["timeline"] if l["action"] == "notified"]
        assert any(d.startswith("contacts: 1 message queued") for d in detail), detail
    finally:
        rx.close()


def test_a_contacts_ack_link_acknowledges_stops_the_policy_and_arms_the_reminder(api, mq):
    """Issue 15: the contact's ack link acknowledges the alert as them
    (by name and relation), the policy stops (the primary is never
    paged), the on-site reminder is armed as for staff, and the response
    report counts an acknowledgement by a contact."""
    from receivers import HttpReceiver
    rx = HttpReceiver()
    try:
        site = Site(api)
        api.ok("PATCH", "/v1/sites/%s" % site.id, {"onsite_timeout_s": 2})
        son = _contacts_first(api, site, rx, 600)
        jon = site.resident("Jon", emergency_contacts=[
            {"name": "Li Wei", "relation": "son", "phone": "+86 138 1111 2222", "notify": True,
             "channels": [son["id"]], "order": 0}])
        site.device(jon, "pendant-cf2", "sos_button")
        staff = mq()
        staff.subscribe("carenet/staff/+/notify")
        dev = mq()
        dev.subscribe("carenet/dev/pendant-cf2/#")
        press(dev, "pendant-cf2", 1)
        (req,) = rx.wait_for("/son")[:1]
        body = json.loads(req["body"])
        alert_id = body["alert"]["id"]
        assert requests.post(body["ack_url"]).status_code == 200
        a = api.ok("GET", "/v1/alerts/%s" % alert_id)
        assert a["status"] == "acknowledged" and a["acked_by"] is None
        assert a["acked_by_contact"] == {"name": "Li Wei", "relation": "son", "phone": "+86 138 1111 2222"}
        dev.wait_for(r"carenet/dev/pendant-cf2/cmd")
        # Not on site within 2 s: the coordinators are paged again.
        staff.wait_for(r"carenet/staff/%s/notify" % site.coordinator["id"], timeout=20)
        wait_until(lambda: any(l["action"] == "reminded" for l in
                               api.ok("GET", "/v1/alerts/%s" % alert_id)["timeline"]),
                   timeout=20, what="the reminder after a contact's acknowledgement")
        a = api.ok("GET", "/v1/alerts/%s" % alert_id)
        # Escalation stopped: the primary was never paged by the policy.
        assert site.primary["id"] not in a["notified"]
        assert not any(l["action"] == "escalated" for l in a["timeline"])
        report = api.ok("GET", "/v1/reports/response?site_id=%s" % site.id)
        assert report["ack"]["by_contact"] == 1 and report["reminded"]["alerts"] == 1
    finally:
        rx.close()


def test_acknowledged_but_not_on_site_is_reminded(api, mq):
    """Acknowledged is not arrived: a P1 acknowledged and not on site
    within the site's onsite_timeout_s pages the responder and the
    coordinators again with a `reminded` line, and again each period,
    until the responder arrives; the response report counts it."""
    site = Site(api)
    r = api.request("PATCH", "/v1/sites/%s" % site.id, {"onsite_timeout_s": 0})
    assert r.status_code == 400 and "onsite_timeout_s" in r.json()["error"]["message"]
    api.ok("PATCH", "/v1/sites/%s" % site.id, {"onsite_timeout_s": 2})
    gus = site.resident("Gus")
    site.device(gus, "pendant-m1", "sos_button")
    staff = mq()
    staff.subscribe("carenet/staff/+/notify")
    press(mq(), "pendant-m1", 1)
    (_, page), = staff.wait_for(r"carenet/staff/%s/notify" % site.primary["id"])
    alert_id = page["id"]
    ann = site.login(site.primary)
    assert ann.post("/v1/alerts/%s/ack" % alert_id, {}).status_code == 200
    staff.clear()
    # The first reminder: Ann (the responder) and the coordinator, paged again.
    staff.wait_for(r"carenet/staff/%s/notify" % site.primary["id"], timeout=20)
    staff.wait_for(r"carenet/staff/%s/notify" % site.coordinator["id"], timeout=20)

    def reminded():
        tl = api.ok("GET", "/v1/alerts/%s" % alert_id)["timeline"]
        return [l for l in tl if l["action"] == "reminded"]
    wait_until(lambda: len(reminded()) >= 2, timeout=30, what="a second reminder, one period later")
    line = reminded()[0]
    assert line["actor"] == "system" and site.primary["id"] in line["detail"]
    assert ann.post("/v1/alerts/%s/arrive" % alert_id, {}).status_code == 200
    n = len(reminded())
    # On site: the reminder is cleared. A later alert of the site, raised,
    # acknowledged and resolved, shows the scheduler went on; still no new
    # reminder of the first one.
    hal = site.resident("Hal")
    site.device(hal, "pendant-m2", "sos_button")
    staff.clear()
    press(mq(), "pendant-m2", 1)
    (_, p2), = staff.wait_for(r"carenet/staff/%s/notify" % site.primary["id"])
    assert ann.post("/v1/alerts/%s/ack" % p2["id"], {}).status_code == 200
    wait_until(lambda: any(l["action"] == "reminded" for l in
                           api.ok("GET", "/v1/alerts/%s" % p2["id"])["timeline"]),
               timeout=30, what="the second alert's first reminder")
    assert len(reminded()) == n
    report = api.ok("GET", "/v1/reports/response?site_id=%s" % site.id)
    assert report["reminded"]["alerts"] == 2 and report["reminded"]["reminders"] >= n + 1


def test_evaluate_two_policies_side_by_side_on_the_casas_week(tmp_path):
    """The what-if a coordinator runs before switching a policy on:
    carenet-sim evaluate replays the CASAS week, and for the alerts it
    raises prints who each policy and rota would have paged when, per
    person and night, and how many alerts would have passed 60 s
    unacknowledged had nobody answered the first page."""
    import json
    import os
    import subprocess
    from conftest import CARENET_SIM, DATA_DIR
    week = os.path.join(DATA_DIR, "casas/tm000.multiday_absence.txt")
    every = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    rota = tmp_path / "rota.json"
    rota.write_text(json.dumps({"rotas": [
        {"staff_id": "ann", "tier": "primary", "days": every, "from": "07:00", "to": "19:00"},
        {"staff_id": "bob", "tier": "primary", "days": every, "from": "19:00", "to": "07:00"},
        {"staff_id": "sue", "tier": "backup", "days": every, "from": "00:00", "to": "00:00"}],
        "coordinators": ["cora"]}))
    fast = {"p2": {"steps": [{"after_s": 0, "notify": ["tier:primary"]},
                             {"after_s": 45, "notify": ["tier:backup", "role:coordinator"]}],
                   "repeat_s": 300}}

    def run(policy):
        r = subprocess.run([CARENET_SIM, "evaluate", week, "--resident-settings",
                            '{"inactivity_minutes": 240, "active_from": "07:00", "active_to": "22:00"}',
                            "--rota", "@%s" % rota, "--policy", json.dumps(policy), "--unanswered-s", "600"],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        lines = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
        pages = [l["page"] for l in lines if "page" in l]
        summary = [l["policy_summary"] for l in lines if "policy_summary" in l][0]
        return pages, summary

    default_pages, default = run({})
    fast_pages, quick = run(fast)
    # The same alerts under both; the default ladder of P2 (300 s steps)
    # lets every one pass 60 s with only the primary paged, the fast one none.
    assert default["alerts"] == quick["alerts"] > 0
    assert default["unanswered_60s_if_level0_silent"] == default["alerts"]
    assert quick["unanswered_60s_if_level0_silent"] == 0
    # Who by the rota: the day primary by day, the night primary by night.
    first = [p for p in default_pages if p["step"] == 0]
    assert first and all(p["paged"] == (["ann"] if "07:00" <= p["local"][11:] < "19:00" else ["bob"])
                         for p in first)
    # The fast policy's second step 45 s after the first, with the coordinator.
    second = [p for p in fast_pages if p["step"] == 1]
    assert second and all("cora" in p["paged"] and "sue" in p["paged"] for p in second)
    assert {"sue", "cora"} <= set(quick["per_person_night"])
    assert sum(sum(n.values()) for n in quick["per_person_night"].values()) == quick["pages"]
    # Bad input is refused with a message.
    r = subprocess.run([CARENET_SIM, "evaluate", week, "--resident-settings", "{}", "--policy", "{}"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "--rota" in r.stderr


def test_a_custom_step_whose_deliveries_all_failed_pages_the_next_step_at_once(api, mq):
    """Issue 14's escalate-when-a-level-all-failed follows the recorded
    policy: step 1 (ten minutes out) is paged at once when every channel
    delivery of step 0 failed."""
    from receivers import HttpReceiver
    rx = HttpReceiver()
    try:
        site = Site(api)
        gone = _webhook(api, site, rx, "/gone")
        rx.plan("/gone", [410])
        api.ok("PATCH", "/v1/staff/%s" % site.primary["id"], {"contacts": [{"channel_id": gone["id"]}]},
               status=(200,))
        api.ok("PUT", "/v1/sites/%s/escalation" % site.id, {"p1": {"steps": [
            {"after_s": 0, "notify": ["tier:primary"]},
            {"after_s": 600, "notify": ["staff:%s" % site.supervisor["id"]]}], "repeat_s": 0}})
        kim = site.resident("Kim")
        site.device(kim, "pendant-cf3", "sos_button")
        staff = mq()
        staff.subscribe("carenet/staff/+/notify")
        press(mq(), "pendant-cf3", 1)
        (_, page), = staff.wait_for(r"carenet/staff/%s/notify" % site.supervisor["id"], timeout=20)
        assert page["level"] == 1
        a = api.ok("GET", "/v1/alerts/%s" % page["id"])
        assert a["level"] == 1 and a["notified"] == [site.primary["id"], site.supervisor["id"]]
        assert any(l["action"] == "escalated" and "policy step 0 failed: step 1 at once" in l["detail"]
                   for l in a["timeline"]), a["timeline"]
    finally:
        rx.close()
