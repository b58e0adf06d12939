"""carenet-sim against a real broker and carenetd (issue 7): simulated homes
whose pendants stop repeating once acknowledged, a single press, a trace
replay, the load generator, and the rule what-if on the real CASAS week."""
import json
import os
import subprocess

import pytest

from conftest import CARENET_SIM, DATA_DIR, Site, wait_until

WEEK = os.path.join(DATA_DIR, "casas/tm000.multiday_absence.txt")
MORNING = os.path.join(DATA_DIR, "casas/tm000.20160207_AM_InactivitySeq.txt")
SETTINGS = '{"inactivity_minutes": 240, "active_from": "07:00", "active_to": "22:00"}'


def sim(*args, timeout=120):
    r = subprocess.run([CARENET_SIM] + [str(a) for a in args], capture_output=True, text=True, timeout=timeout)
    lines = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    return r.returncode, lines, r.stderr


def enrol(site, resident, devices):
    for d in devices:
        extra = {"exit_door": True} if d.get("exit_door") else {}
        site.device(resident, d["id"], d["kind"], **extra)


def test_devices_pendants_stop_repeating_once_acknowledged(api, broker, daemon):
    site = Site(api)
    rc, out, _ = sim("devices", "--homes", 2, "--prefix", "simt", "--print-devices", "--dry-run")
    assert rc == 0
    for home in (1, 2):
        r = site.resident("Home %d" % home)
        enrol(site, r, [d for d in out[-1]["device_list"] if d["home"] == home])
    rc, out, err = sim("devices", "--port", broker.port, "--homes", 2, "--prefix", "simt", "--seconds", 12,
                       "--sos-every", 4, "--repeat", 1, "--exit", "quiet", "--seed", 7)
    res = out[-1]
    assert rc == 0, err
    assert res["presses"] >= 2 and res["acked"] == res["presses"] and res["unacked"] == 0
    # Acknowledged at once, so no pendant had to repeat.
    assert res["repeats"] == 0


def test_press_replay_and_load(api, broker, daemon):
    site = Site(api)
    r = site.resident("Ivy")
    site.device(r, "sim-pendant", "sos_button")
    rc, out, err = sim("press", "sim-pendant", "--port", broker.port, "--timeout", 20)
    assert rc == 0 and out[-1]["acked"] and out[-1]["alert_id"], err

    if os.path.exists(MORNING):
        rc, out, _ = sim("replay", MORNING, "--prefix", "am", "--print-devices", "--dry-run")
        ids = out[-1]["device_ids"]
        for i in ids:
            site.device(r, i, "motion")
        rc, out, err = sim("replay", MORNING, "--port", broker.port, "--prefix", "am", "--as-fast")
        assert rc == 0 and out[-1]["published"] == out[-1]["events"] == 202, err
        total = lambda: sum(len(api.ok("GET", "/v1/events?device_id=%s&limit=500" % i)["items"]) for i in ids)
        wait_until(lambda: total() == 202, 20, interval=0.5, what="the replayed morning stored")

    for i in range(1, 11):
        site.device(r, "load-%d" % i, "motion")
    rc, out, err = sim("load", "--port", broker.port, "--devices", 10, "--rate", 500, "--count", 1000,
                       "--qos", 1, "--alarm-every", 0)
    assert rc == 0 and out[-1]["sent"] == out[-1]["puback"] == 1000, err


@pytest.mark.skipif(not os.path.exists(WEEK), reason="shared CASAS data not present")
def test_evaluate_the_real_week_and_the_absence(tmp_path):
    rc, out, err = sim("evaluate", WEEK, "--resident-settings", SETTINGS)
    assert rc == 0, err
    alerts = [l for l in out if "kind" in l]
    assert alerts and all(a["kind"] == "inactivity" for a in alerts)
    total = [l for l in out if "total" in l][0]["total"]
    assert total["events"] == 21968 and total["days"] == 7
    # Without presence, the absence (14 July 12:23 to 16 July 18:54) raises
    # inactivity alerts; with it given as away, none falls inside it.
    inside = lambda a: "2016-07-14 12:23" <= a["local"] <= "2016-07-16 18:54"
    assert any(inside(a) for a in alerts)
    away = tmp_path / "away.txt"
    away.write_text("2016-07-14 12:23 2016-07-16 18:54 away\n")
    rc, out, err = sim("evaluate", WEEK, "--resident-settings", SETTINGS, "--presence", away)
    assert rc == 0, err
    with_presence = [l for l in out if "kind" in l]
    assert with_presence and not any(inside(a) for a in with_presence)
    # Outside the absence nothing changes.
    assert [a for a in alerts if not inside(a)] == with_presence
