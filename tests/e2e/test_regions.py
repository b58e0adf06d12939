"""Regions above sites (issue 19, contract section 8): the three-level
tree, its shape checks (no loop, a parent one level up), sites placed in
a region with their visit radius, and who may change or read regions."""
from conftest import Site


def make_tree(api):
    d = api.ok("POST", "/v1/regions", {"id": "d1", "name": "Longwen District", "level": "district"})
    s = api.ok("POST", "/v1/regions", {"id": "st1", "name": "Riverside Street", "level": "street",
                                       "parent_id": "d1"})
    c = api.ok("POST", "/v1/regions", {"id": "c1", "name": "Garden Community", "level": "community",
                                       "parent_id": "st1"})
    return d, s, c


def test_regions_tree_and_its_shape(api):
    d, s, c = make_tree(api)
    assert d["parent_id"] is None and s["parent_id"] == "d1" and c["level"] == "community"

    # A parent one level up, and a district has none: anything else is 400
    # naming parent_id, and nothing is written.
    for body in ({"name": "x", "level": "street"},
                 {"name": "x", "level": "district", "parent_id": "d1"},
                 {"name": "x", "level": "community", "parent_id": "d1"},
                 {"name": "x", "level": "street", "parent_id": "nope"},
                 {"name": "x", "level": "province"}):
        r = api.post("/v1/regions", body)
        assert r.status_code == 400, (body, r.text)
    assert len(api.ok("GET", "/v1/regions")["items"]) == 3

    # No loop: a street cannot move under a community, even its own child.
    r = api.patch("/v1/regions/st1", {"level": "community", "parent_id": "c1"})
    assert r.status_code == 400 and "parent_id" in r.text, r.text
    # A region with children keeps its level.
    api.ok("POST", "/v1/regions", {"id": "d2", "name": "Hillside District", "level": "district"})
    api.ok("POST", "/v1/regions", {"id": "st2", "name": "Hill Street", "level": "street", "parent_id": "d2"})
    r = api.patch("/v1/regions/d2", {"level": "street", "parent_id": "d1"})
    assert r.status_code == 409, r.text
    # A street moves to another district.
    moved = api.ok("PATCH", "/v1/regions/st2", {"parent_id": "d1", "name": "Hill Street (old)"})
    assert moved["parent_id"] == "d1" and moved["name"] == "Hill Street (old)"

    # Filters.
    streets = api.ok("GET", "/v1/regions?level=street")["items"]
    assert sorted(x["id"] for x in streets) == ["st1", "st2"]
    kids = api.ok("GET", "/v1/regions?parent_id=st1")["items"]
    assert [x["id"] for x in kids] == ["c1"]


def test_regions_sites_are_placed_with_a_radius(api):
    make_tree(api)
    site = api.ok("POST", "/v1/sites", {"id": "s1", "name": "One", "region_id": "c1"})
    assert site["region_id"] == "c1" and site["visit_radius_m"] == 300
    site = api.ok("PATCH", "/v1/sites/s1", {"visit_radius_m": 500})
    assert site["visit_radius_m"] == 500 and site["region_id"] == "c1"
    r = api.post("/v1/sites", {"name": "Two", "region_id": "nope"})
    assert r.status_code == 400 and "region_id" in r.text
    r = api.patch("/v1/sites/s1", {"visit_radius_m": 5})
    assert r.status_code == 400 and "visit_radius_m" in r.text
    assert api.ok("GET", "/v1/sites/s1")["visit_radius_m"] == 500


def test_regions_only_admin_changes_them(api):
    make_tree(api)
    site = Site(api, shifts=False)
    coord = site.login(site.coordinator)
    # A coordinator reads the names of places, changes none.
    assert len(coord.ok("GET", "/v1/regions")["items"]) == 3
    assert coord.post("/v1/regions", {"name": "x", "level": "district"}).status_code == 403
    assert coord.patch("/v1/regions/d1", {"name": "x"}).status_code == 403
    # Caregivers, volunteers and family have no business with regions.
    for who in (site.primary, site.volunteer):
        assert site.login(who).get("/v1/regions").status_code == 403
    assert site.login(site.primary).patch("/v1/regions/d1", {"name": "x"}).status_code == 403
    assert [x["name"] for x in api.ok("GET", "/v1/regions?level=district")["items"]] == ["Longwen District"]
