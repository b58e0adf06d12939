"""Evidence of a visit (issue 19, contract section 8): the location a
carer sends with /start and /complete, checked against the resident's
registered location and the site's visit_radius_m; far away is kept and
flagged off_site, never refused, and no location at all still works."""
import time

from conftest import Site

HOME = {"lat": 22.5431, "lon": 114.0579}


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def scheduled_request(api, site, carer, resident, service):
    coord = site.login(site.coordinator)
    req = coord.ok("POST", "/v1/requests", {"resident_id": resident["id"], "service_id": service["id"]},
                   status=201)
    now = time.time()
    coord.ok("POST", "/v1/requests/%s/assign" % req["id"],
             {"staff_id": carer["id"], "window_start": iso(now - 60), "window_end": iso(now + 3600)})
    return req


def test_evidence_off_site_is_flagged_not_refused(api):
    site = Site(api, shifts=False)
    ann = site.resident("Ann Li", location=HOME)
    assert api.ok("GET", "/v1/residents/" + ann["id"])["location"] == HOME
    bath = api.ok("POST", "/v1/services", {"name": "Bathing", "category": "bathing", "provider": "staff",
                                           "duration_min": 60})
    carer = site.login(site.primary)

    # Near the home (about 50 m away) at the start, 2 km away at the end.
    req = scheduled_request(api, site, site.primary, ann, bath)
    started = carer.ok("POST", "/v1/requests/%s/start" % req["id"],
                       {"location": {"lat": HOME["lat"] + 0.00045, "lon": HOME["lon"], "accuracy_m": 8}})
    ev = started["evidence"]
    assert ev["start"]["off_site"] is False and 40 < ev["start"]["distance_m"] < 60
    assert ev["complete"] is None and ev["off_site"] is False
    done = carer.ok("POST", "/v1/requests/%s/complete" % req["id"],
                    {"location": {"lat": HOME["lat"] + 0.018, "lon": HOME["lon"]}})
    assert done["status"] == "done"
    ev = done["evidence"]
    assert ev["complete"]["off_site"] is True and ev["complete"]["distance_m"] > 1900
    assert ev["complete"]["accuracy_m"] is None
    assert ev["off_site"] is True
    # Read back later, the flag stays on record.
    assert api.ok("GET", "/v1/requests/" + req["id"])["evidence"]["off_site"] is True

    # A wider radius at the site makes the same distance on site.
    api.ok("PATCH", "/v1/sites/" + site.id, {"visit_radius_m": 5000})
    req2 = scheduled_request(api, site, site.primary, ann, bath)
    s2 = carer.ok("POST", "/v1/requests/%s/start" % req2["id"],
                  {"location": {"lat": HOME["lat"] + 0.018, "lon": HOME["lon"]}})
    assert s2["evidence"]["start"]["off_site"] is False

    # Without GPS the visit still goes ahead, with no evidence recorded.
    req3 = scheduled_request(api, site, site.primary, ann, bath)
    s3 = carer.ok("POST", "/v1/requests/%s/start" % req3["id"])
    assert s3["status"] == "in_progress" and s3["evidence"]["start"] is None


def test_evidence_bad_locations_are_400_and_change_nothing(api):
    site = Site(api, shifts=False)
    ann = site.resident("Ann Li")
    bath = api.ok("POST", "/v1/services", {"name": "Bathing", "category": "bathing", "provider": "staff",
                                           "duration_min": 60})
    carer = site.login(site.primary)
    req = scheduled_request(api, site, site.primary, ann, bath)
    for loc, field in (({"lat": 91, "lon": 0}, "location.lat"), ({"lat": 0, "lon": -181}, "location.lon"),
                       ({"lat": 0}, "location.lon"), ({"lat": 0, "lon": 0, "accuracy_m": -1}, "accuracy_m"),
                       ({"lat": "22", "lon": 0}, "location.lat"), ({"lat": 0, "lon": 0, "alt": 3}, "alt"),
                       ("here", "location")):
        r = carer.post("/v1/requests/%s/start" % req["id"], {"location": loc})
        assert r.status_code == 400 and field in r.json()["error"]["message"], (loc, r.text)
    assert api.ok("GET", "/v1/requests/" + req["id"])["status"] == "scheduled"
    # A resident without a registered location: kept, distance unknown, not off site.
    s = carer.ok("POST", "/v1/requests/%s/start" % req["id"], {"location": {"lat": 10, "lon": 10}})
    assert s["evidence"]["start"]["distance_m"] is None and s["evidence"]["off_site"] is False
    r = api.patch("/v1/residents/" + ann["id"], {"location": {"lat": 100, "lon": 0}})
    assert r.status_code == 400 and "location.lat" in r.text
