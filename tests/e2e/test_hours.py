"""Volunteer hours (issue 19, contract section 8): a done request of a
volunteer credits its duration; the volunteer, their coordinator and the
admin read the balance and history, nobody else."""
import time

from conftest import Site


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def test_hours_volunteer_balance_and_history(api):
    site = Site(api, shifts=False)
    ann = site.resident("Ann Li")
    meal = api.ok("POST", "/v1/services", {"name": "Lunch", "category": "meal", "provider": "volunteer",
                                           "duration_min": 45})
    coord, vol = site.login(site.coordinator), site.login(site.volunteer)
    now = time.time()
    ids = []
    for i in range(3):
        req = coord.ok("POST", "/v1/requests", {"resident_id": ann["id"], "service_id": meal["id"]}, status=201)
        coord.ok("POST", "/v1/requests/%s/assign" % req["id"],
                 {"staff_id": site.volunteer["id"], "window_start": iso(now - 60), "window_end": iso(now + 3600)})
        ids.append(req["id"])
    for rid in ids[:2]:
        vol.ok("POST", "/v1/requests/%s/start" % rid)
        vol.ok("POST", "/v1/requests/%s/complete" % rid)
    # The third is never done: it credits nothing.
    h = vol.ok("GET", "/v1/staff/%s/hours" % site.volunteer["id"])
    assert h["staff_id"] == site.volunteer["id"]
    assert [x["request_id"] for x in h["items"]] == ids[:2]
    # Started and completed at once: 0 actual minutes each.
    assert h["balance_minutes"] == sum(x["minutes"] for x in h["items"]) == 0
    assert coord.ok("GET", "/v1/staff/%s/hours" % site.volunteer["id"])["items"] == h["items"]
    assert api.ok("GET", "/v1/staff/%s/hours" % site.volunteer["id"])["items"] == h["items"]
    # A period before the visits is empty; a bad period is 400.
    early = api.ok("GET", "/v1/staff/%s/hours?to=%s" % (site.volunteer["id"], iso(now - 3600)))
    assert early["items"] == [] and early["balance_minutes"] == 0
    r = api.get("/v1/staff/%s/hours?from=%s&to=%s" % (site.volunteer["id"], iso(now), iso(now - 60)))
    assert r.status_code == 400
    # Nobody else: a caregiver 403, another volunteer 403, another site's coordinator 404.
    assert site.login(site.primary).get("/v1/staff/%s/hours" % site.volunteer["id"]).status_code == 403
    other_vol = site.staff("vic", "volunteer")
    assert site.login(other_vol).get("/v1/staff/%s/hours" % site.volunteer["id"]).status_code == 403
    other = Site(api, shifts=False, prefix="o")
    assert other.login(other.coordinator).get("/v1/staff/%s/hours" % site.volunteer["id"]).status_code == 404
    # A caregiver has no hours account.
    assert api.get("/v1/staff/%s/hours" % site.primary["id"]).status_code == 404
