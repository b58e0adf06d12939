"""Photos of a visit and the family's confirmation (issue 19, contract
section 8): JPEG or PNG by header and by bytes (415 otherwise), at most
2 MiB each (413, refused before the body is read; the 64 KiB limit of
other routes does not apply here), at most 5 a request (409), served only
to those who may see the request; a done visit confirmed by the family."""
import socket
import time
from urllib.parse import urlparse

from conftest import Site

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"j" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"p" * 200
MiB = 1024 * 1024


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def photo(client, req_id, data, ctype):
    return client.post("/v1/requests/%s/photos" % req_id, raw=data, headers={"Content-Type": ctype})


def visit_scheduled(api):
    site = Site(api, shifts=False)
    ann = site.resident("Ann Li")
    bo = site.resident("Bo Wang")
    fay = site.staff("fay", "family", resident_ids=[ann["id"]])
    bath = api.ok("POST", "/v1/services", {"name": "Bathing", "category": "bathing", "provider": "staff",
                                           "duration_min": 60})
    coord = site.login(site.coordinator)
    req = coord.ok("POST", "/v1/requests", {"resident_id": ann["id"], "service_id": bath["id"]}, status=201)
    now = time.time()
    coord.ok("POST", "/v1/requests/%s/assign" % req["id"],
             {"staff_id": site.primary["id"], "window_start": iso(now - 60), "window_end": iso(now + 3600)})
    return site, ann, bo, fay, bath, req


def test_photos_types_sizes_and_count(api):
    site, ann, bo, fay, bath, req = visit_scheduled(api)
    carer = site.login(site.primary)
    rid = req["id"]
    carer.ok("POST", "/v1/requests/%s/start" % rid)

    # The header and the bytes must agree on JPEG or PNG.
    assert photo(carer, rid, b"GIF89a" + b"g" * 100, "image/gif").status_code == 415
    assert photo(carer, rid, b"<script>", "image/jpeg").status_code == 415
    assert photo(carer, rid, PNG, "image/jpeg").status_code == 415
    assert photo(carer, rid, JPEG, "application/json").status_code == 415
    assert photo(carer, rid, b"", "image/jpeg").status_code == 400

    # Over 64 KiB is fine here (up to 2 MiB); one byte over 2 MiB is 413.
    big = JPEG + b"x" * (MiB + 512 * 1024)
    r = photo(carer, rid, big, "image/jpeg")
    assert r.status_code == 201, r.text
    assert r.json()["n"] == 1 and r.json()["size"] == len(big)
    u = urlparse(api.base)
    with socket.create_connection((u.hostname, u.port), timeout=10) as s:
        s.sendall(b"POST /v1/requests/" + rid.encode() + b"/photos HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Type: image/jpeg\r\nAuthorization: Bearer " + carer.token.encode() +
                  b"\r\nContent-Length: " + str(2 * MiB + 1).encode() + b"\r\n\r\n")
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    # Other routes keep their 64 KiB.
    r = api.post("/v1/sites", raw=b'{"name": "' + b"z" * (70 * 1024) + b'"}',
                 headers={"Content-Type": "application/json"})
    assert r.status_code == 413

    # Five a request, then 409.
    for i in range(4):
        assert photo(carer, rid, PNG if i % 2 else JPEG, "image/png" if i % 2 else "image/jpeg").status_code == 201
    r = photo(carer, rid, JPEG, "image/jpeg")
    assert r.status_code == 409 and "5" in r.text
    items = carer.ok("GET", "/v1/requests/%s/photos" % rid)["items"]
    assert [p["n"] for p in items] == [1, 2, 3, 4, 5]
    assert [p["content_type"] for p in items[1:3]] == ["image/jpeg", "image/png"]
    assert items[0]["uploaded_by"] == site.primary["id"]

    # The bytes come back as sent, with their type.
    r = carer.get("/v1/requests/%s/photos/3" % rid)
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/png" and r.content == PNG
    r = carer.get("/v1/requests/%s/photos/1" % rid)
    assert r.content == big
    assert carer.get("/v1/requests/%s/photos/6" % rid).status_code == 404
    assert carer.get("/v1/requests/%s/photos/x" % rid).status_code == 404

    # Served only to those who may see the request; family may not upload.
    family = site.login(fay)
    assert family.get("/v1/requests/%s/photos/3" % rid).content == PNG
    assert photo(family, rid, JPEG, "image/jpeg").status_code == 403
    other = site.staff("gus", "family", resident_ids=[bo["id"]])
    assert site.login(other).get("/v1/requests/%s/photos" % rid).status_code == 404
    assert site.login(other).get("/v1/requests/%s/photos/1" % rid).status_code == 404
    vol = site.login(site.volunteer)
    assert vol.get("/v1/requests/%s/photos/1" % rid).status_code == 404


def test_photos_family_confirms_a_done_visit(api):
    site, ann, bo, fay, bath, req = visit_scheduled(api)
    carer, family = site.login(site.primary), site.login(fay)
    rid = req["id"]
    carer.ok("POST", "/v1/requests/%s/start" % rid)
    # Not yet done: nothing to confirm.
    assert family.post("/v1/requests/%s/confirm" % rid).status_code == 409
    carer.ok("POST", "/v1/requests/%s/complete" % rid)
    # Only the resident's family confirms: not the carer, not another family.
    assert carer.post("/v1/requests/%s/confirm" % rid).status_code == 403
    other = site.staff("gus", "family", resident_ids=[bo["id"]])
    assert site.login(other).post("/v1/requests/%s/confirm" % rid).status_code == 404
    c = family.ok("POST", "/v1/requests/%s/confirm" % rid)
    assert c["confirmed_by"] == fay["id"] and c["confirmed_at"] and c["request_id"] == rid
    assert family.post("/v1/requests/%s/confirm" % rid).status_code == 409
    conf = api.ok("GET", "/v1/requests/" + rid)["evidence"]["confirmation"]
    assert conf["confirmed_by"] == fay["id"]
