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
    # Step 2 is two minutes out: nobody else is paged now, and not the primary.
    time.sleep(1)
    paged = {t.split("/")[2] for t, _ in staff.matching(r"carenet/staff/[^/]+/notify")}
    assert paged == {site.supervisor["id"]}
    # A new alert follows the new policy.
    eve = site.resident("Eve")
    site.device(eve, "pendant-p2", "sos_button")
    staff.clear()
    press(mq(), "pendant-p2", 1)
    (topic, _), = staff.wait_for(r"carenet/staff/[^/]+/notify")
    assert topic.endswith("/%s/notify" % site.primary["id"])
