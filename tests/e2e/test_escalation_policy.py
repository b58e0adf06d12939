"""Escalation policies as data (issue 15): per site and priority, steps
with after_s from the alert's creation, the policy recorded on the alert
when raised, deadlines that survive a restart at the right step."""
import time

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


def test_contacts_first_without_channels_pages_the_next_step_at_once(api, mq):
    """Relatives first: until channel delivery (issue 14) reaches the
    resident's contacts, a step of only `contacts` reaches nobody, so the
    next step's people are paged at once, never a silent minute; the
    timeline says the contacts were not paged."""
    site = Site(api)
    api.ok("PUT", "/v1/sites/%s/escalation" % site.id, {"p1": {"steps": [
        {"after_s": 0, "notify": ["contacts"]},
        {"after_s": 60, "notify": ["tier:primary"]}], "repeat_s": 300}})
    fay = site.resident("Fay")
    site.device(fay, "pendant-c1", "sos_button")
    staff = mq()
    staff.subscribe("carenet/staff/+/notify")
    press(mq(), "pendant-c1", 1)
    (topic, page), = staff.wait_for(r"carenet/staff/[^/]+/notify")
    assert topic.endswith("/%s/notify" % site.primary["id"]) and page["level"] == 0
    alert = api.ok("GET", "/v1/alerts/%s" % page["id"])
    details = [l["detail"] for l in alert["timeline"] if l["action"] == "notified"]
    assert any(d.startswith("contacts: not paged") for d in details), details
    assert alert["notified"] == [site.primary["id"]]


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
