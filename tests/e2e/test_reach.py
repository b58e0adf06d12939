"""Reaching a person (issue 14, contract.md section 4): pages leave on the
channels people carry, with the exact request each receiving service
expects and verifies; the ack link answers from the message; deliveries
are records that retry, fail, merge under a rate limit, survive a restart,
escalate at once when all fail, and never hold up the MQTT page."""
import email
import email.header
import json
import re
import time

import pytest
import requests

from conftest import Site, wait_until
from receivers import HttpReceiver, SmtpSink, verify_dingtalk, verify_feishu, verify_webhook

SECRET = "SECtest-secret-0123456789"


@pytest.fixture
def rx():
    r = HttpReceiver()
    yield r
    r.close()


@pytest.fixture
def smtp():
    s = SmtpSink()
    yield s
    s.close()


@pytest.fixture
def daemon_args(smtp):
    return {"escalate_p1_s": 3600, "escalate_p2_s": 3600, "escalate_p3_s": 3600,
            "smtp_url": smtp.url, "smtp_from": "carenet@example.org"}


def press(dev, device_id, seq):
    dev.publish("carenet/dev/%s/event" % device_id, {"type": "button", "value": "press", "seq": seq})


def channel(api, site, kind, rx=None, path=None, **extra):
    body = {"site_id": site.id, "kind": kind, "name": kind + " channel"}
    if rx:
        body["url"] = rx.url(path or "/" + kind)
    body.update(extra)
    return api.ok("POST", "/v1/channels", body)


def reach(api, staff, *contacts):
    return api.ok("PATCH", "/v1/staff/%s" % staff["id"], {"contacts": list(contacts)}, status=(200,))


def sos(api, mq, site, name="Ann Li", dev_id="pendant-1", seq=1, **resident):
    res = site.resident(name, address="2 Garden Road", phone="+86 10 5555 0101", **resident)
    site.device(res, dev_id, "sos_button")
    dev = mq()
    dev.subscribe("carenet/dev/%s/#" % dev_id)
    press(dev, dev_id, seq)
    (_, ack), = dev.wait_for(r"carenet/dev/%s/ack" % dev_id)
    return ack["alert_id"], dev


def test_each_channel_sends_its_exact_request_signed_as_the_receiver_verifies(api, mq, rx, smtp, daemon):
    site = Site(api)
    hook = channel(api, site, "webhook", rx, secret=SECRET)
    sms = channel(api, site, "sms", rx, secret=SECRET)
    voice = channel(api, site, "voice", rx, secret=SECRET)
    wecom = channel(api, site, "wecom", rx)
    ding = channel(api, site, "dingtalk", rx, secret=SECRET)
    feishu = channel(api, site, "feishu", rx, secret=SECRET)
    mail = channel(api, site, "email")
    assert "secret" not in hook and hook["has_secret"] is True
    assert wecom["rate_per_min"] == 20 and ding["rate_per_min"] == 20 and feishu["rate_per_min"] == 100
    api.ok("PATCH", "/v1/staff/%s" % site.primary["id"], {"email": "ann@example.org"}, status=(200,))
    reach(api, site.primary, *[{"channel_id": c["id"]} for c in (hook, sms, voice, wecom, ding, feishu, mail)])
    alert_id, _ = sos(api, mq, site)

    (req,), = [rx.wait_for("/webhook")]
    body = json.loads(req["body"])
    assert verify_webhook(SECRET, req["body"], req["headers"]["X-CareNet-Signature"])
    assert req["headers"]["X-CareNet-Delivery"] == body["delivery_id"]
    assert body["event"] == "page" and body["level"] == 0
    assert body["alert"]["id"] == alert_id and body["alert"]["kind"] == "sos" and body["alert"]["priority"] == 1
    assert body["resident"] == {"name": "Ann Li", "address": "2 Garden Road", "phone": "+86 10 5555 0101"}
    assert body["to"]["staff_id"] == site.primary["id"]
    assert re.fullmatch(re.escape(daemon.url) + r"/a/[0-9a-f]{32}", body["ack_url"])
    assert "Ann Li" in body["text"] and body["ack_url"] in body["text"] and "P1" in body["text"]

    for kind in ("sms", "voice"):
        (req,), = [rx.wait_for("/" + kind)]
        b = json.loads(req["body"])
        assert verify_webhook(SECRET, req["body"], req["headers"]["X-CareNet-Signature"])
        assert set(b) == {"to", "text", "delivery_id", "ack_url"}
        assert b["to"] == site.primary["phone"]
        # Short enough for an SMS; names priority, kind, resident, address, link.
        assert len(b["text"].encode()) <= 400
        for part in ("P1", "紧急呼叫", "Ann Li", "2 Garden Road", b["ack_url"]):
            assert part in b["text"]

    (req,), = [rx.wait_for("/wecom")]
    b = json.loads(req["body"])
    assert b["msgtype"] == "text"
    assert b["text"]["mentioned_mobile_list"] == [site.primary["phone"]]
    assert len(b["text"]["content"].encode()) <= 2048 and "Ann Li" in b["text"]["content"]

    (req,), = [rx.wait_for("/dingtalk")]
    b = json.loads(req["body"])
    assert verify_dingtalk(SECRET, req["query"])
    assert b["msgtype"] == "text" and "Ann Li" in b["text"]["content"]
    assert b["at"]["atMobiles"] == [site.primary["phone"]]

    (req,), = [rx.wait_for("/feishu")]
    b = json.loads(req["body"])
    assert verify_feishu(SECRET, b)
    assert b["msg_type"] == "text" and "Ann Li" in b["content"]["text"]

    (m,), = [smtp.wait_for(1)]
    assert m["from"] == "<carenet@example.org>" and m["rcpts"] == ["<ann@example.org>"]
    msg = email.message_from_bytes(m["data"])
    subject = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
    assert "P1" in subject and "紧急呼叫" in subject and "Ann Li" in subject
    assert "/a/" in msg.get_payload(decode=True).decode()

    def all_sent():
        # The deliveries and the timeline are read one after the other:
        # poll until both show the last outcome.
        a = api.ok("GET", "/v1/alerts/%s" % alert_id)
        done = len(a["deliveries"]) == 7 and all(d["status"] == "sent" for d in a["deliveries"])
        return a if done and [l["action"] for l in a["timeline"]].count("delivered") == 7 else None
    a = wait_until(all_sent, 20, what="all deliveries sent")
    kinds = sorted(d["kind"] for d in a["deliveries"])
    assert kinds == sorted(["webhook", "sms", "voice", "wecom", "dingtalk", "feishu", "email"])
    assert all(d["attempts"] == 1 and d["sent_at"] and d["staff_id"] == site.primary["id"] for d in a["deliveries"])
    assert [l["action"] for l in a["timeline"]].count("delivered") == 7
    metrics = requests.get(daemon.url + "/metrics").text
    assert 'carenet_deliveries_total{kind="webhook",status="sent"} 1' in metrics


def test_site_locale_en_gives_english_texts(api, mq, rx):
    site = Site(api)
    api.ok("PATCH", "/v1/sites/%s" % site.id, {"locale": "en"}, status=(200,))
    sms = channel(api, site, "sms", rx)
    reach(api, site.primary, {"channel_id": sms["id"]})
    sos(api, mq, site)
    (req,), = [rx.wait_for("/sms")]
    text = json.loads(req["body"])["text"]
    assert "P1 SOS" in text and "Acknowledge" in text and "紧急" not in text


def ack_url_of(rx, path):
    (req,) = rx.wait_for(path)[:1]
    return json.loads(req["body"])["ack_url"]


def test_ack_link_get_shows_and_post_acknowledges_once(api, mq, rx):
    site = Site(api)
    hook = channel(api, site, "webhook", rx)
    reach(api, site.primary, {"channel_id": hook["id"]})
    alert_id, dev = sos(api, mq, site, access_notes="Key safe 4711 <left of the door>")
    url = ack_url_of(rx, "/webhook")

    # GET shows the alert in the browser's language and changes nothing.
    page = requests.get(url, headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "确认接单" in page.text and "Ann Li" in page.text and "2 Garden Road" in page.text
    # Access notes for a staff member while active, escaped.
    assert "Key safe 4711 &lt;left of the door&gt;" in page.text and "<left" not in page.text
    en = requests.get(url, headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert ">Acknowledge<" in en.text and "Resident" in en.text
    assert api.ok("GET", "/v1/alerts/%s" % alert_id)["status"] == "open"

    # Tampered and unknown tokens: 404 and nothing else.
    tampered = url[:-1] + ("0" if url[-1] != "0" else "1")
    for bad in (tampered, url.rsplit("/", 1)[0] + "/" + "f" * 32, url + "x", url.rsplit("/", 1)[0] + "/short"):
        assert requests.post(bad).status_code == 404
        assert requests.get(bad).status_code == 404
    assert api.ok("GET", "/v1/alerts/%s" % alert_id)["status"] == "open"

    done = requests.post(url, headers={"Accept-Language": "en"})
    assert done.status_code == 200 and "you have this alert" in done.text
    a = api.ok("GET", "/v1/alerts/%s" % alert_id)
    assert a["status"] == "acknowledged" and a["acked_by"] == site.primary["id"]
    (_, cmd), = dev.wait_for(r"carenet/dev/pendant-1/cmd")
    assert cmd == {"cmd": "help_coming", "alert_id": alert_id}

    again = requests.post(url, headers={"Accept-Language": "en"})
    assert again.status_code == 409 and "Someone has it already" in again.text and "Ann" in again.text

    # Resolved: the link is dead.
    api.ok("POST", "/v1/alerts/%s/resolve" % alert_id, {"outcome": "genuine"}, status=(200,))
    assert requests.get(url).status_code == 404
    assert requests.post(url).status_code == 404


def test_a_residents_contact_acknowledges_from_an_sms(api, mq, rx):
    site = Site(api)
    sms = channel(api, site, "sms", rx, secret=SECRET)
    alert_id, dev = sos(api, mq, site, emergency_contacts=[
        {"name": "Zhou Min", "relation": "neighbour", "phone": "+86 138 3333 4444", "notify": False,
         "channels": [sms["id"]], "order": 0},
        {"name": "Li Wei", "relation": "son", "phone": "+86 138 1111 2222", "notify": True,
         "channels": [sms["id"]], "order": 1}], access_notes="Key safe 4711")
    (req,) = rx.wait_for("/sms")[:1]
    b = json.loads(req["body"])
    assert b["to"] == "+86 138 1111 2222"
    page = requests.get(b["ack_url"])
    assert page.status_code == 200 and "Key safe" not in page.text  # not for contacts
    assert requests.post(b["ack_url"]).status_code == 200
    a = api.ok("GET", "/v1/alerts/%s" % alert_id)
    assert a["status"] == "acknowledged" and a["acked_by"] is None
    assert a["acked_by_contact"] == {"name": "Li Wei", "relation": "son", "phone": "+86 138 1111 2222"}
    line = [l for l in a["timeline"] if l["action"] == "acknowledged"][-1]
    assert "Li Wei" in line["detail"] and line["actor"] == "contact:Li Wei"
    dev.wait_for(r"carenet/dev/pendant-1/cmd")
    # Only the contact with notify is messaged.
    assert [d["contact"]["name"] for d in a["deliveries"]] == ["Li Wei"]


def test_contact_points_follow_their_priorities_and_delay(api, mq, rx):
    """An SMS at once, a voice call delay_s later if still unacknowledged
    then, and nothing on a channel kept for other priorities."""
    site = Site(api)
    sms = channel(api, site, "sms", rx)
    voice = channel(api, site, "voice", rx)
    hook = channel(api, site, "webhook", rx)
    reach(api, site.primary, {"channel_id": sms["id"], "priorities": [1, 2]},
          {"channel_id": voice["id"], "priorities": [1], "delay_s": 5},
          {"channel_id": hook["id"], "priorities": [3, 4]})
    first, _ = sos(api, mq, site, "Ann Li", "p-1")
    (s1,) = rx.wait_for("/sms")[:1]
    (v1,) = rx.wait_for("/voice", timeout=30)[:1]
    assert v1["at"] - s1["at"] >= 4.0  # delay_s after the page, not at once
    assert json.loads(v1["body"])["to"] == site.primary["phone"]
    # The P3/P4 webhook is not for an SOS (P1).
    assert sorted(d["kind"] for d in api.ok("GET", "/v1/alerts/%s" % first)["deliveries"]) == ["sms", "voice"]
    assert rx.on("/webhook") == []

    # Acknowledged after the SMS left and before the delay is up: the voice
    # call is never made. (Acknowledged before the SMS left, the SMS is not
    # sent either: deliveries of an alert taken meanwhile are given up.)
    second, _ = sos(api, mq, site, "Bo Wang", "p-2")
    rx.wait_for("/sms", count=2)
    api.ok("POST", "/v1/alerts/%s/ack" % second, {}, status=(200,))

    def voice_given_up():
        (d,) = [d for d in api.ok("GET", "/v1/alerts/%s" % second)["deliveries"] if d["kind"] == "voice"]
        return d if d["status"] == "failed" else None
    d = wait_until(voice_given_up, 30, what="the delayed voice call given up")
    assert d["attempts"] == 0 and "acknowledged" in d["last_error"]
    assert len(rx.on("/voice")) == 1


def test_5xx_is_retried_with_backoff_until_sent(api, mq, rx):
    site = Site(api)
    hook = channel(api, site, "webhook", rx)
    rx.plan("/webhook", [503, 500, 200])
    reach(api, site.primary, {"channel_id": hook["id"]})
    alert_id, _ = sos(api, mq, site)
    reqs = rx.wait_for("/webhook", count=3, timeout=30)
    # The same delivery each time (the receiver can de-duplicate by it).
    assert len({r["headers"]["X-CareNet-Delivery"] for r in reqs}) == 1
    assert reqs[1]["at"] - reqs[0]["at"] >= 1.5 and reqs[2]["at"] - reqs[1]["at"] >= 3.5  # 2 s, then 4 s
    d = wait_until(lambda: (lambda x: x if x["status"] == "sent" else None)(
        api.ok("GET", "/v1/alerts/%s" % alert_id)["deliveries"][0]), 20, what="sent")
    assert d["attempts"] == 3 and d["last_error"] is None


def test_4xx_fails_and_a_level_whose_deliveries_all_failed_escalates_at_once(api, mq, rx):
    site = Site(api)
    bad = channel(api, site, "webhook", rx, path="/gone")
    rx.plan("/gone", [410])
    reach(api, site.primary, {"channel_id": bad["id"]})
    staff = mq()
    staff.subscribe("carenet/staff/+/notify")
    alert_id, _ = sos(api, mq, site)
    # escalate_p1_s is an hour: only the failure can page level 1 now.
    (_, page), = staff.wait_for(r"carenet/staff/%s/notify" % site.backup["id"], timeout=20)
    assert page["level"] == 1
    a = api.ok("GET", "/v1/alerts/%s" % alert_id)
    assert a["level"] >= 1
    (d,) = [d for d in a["deliveries"] if d["level"] == 0]
    assert d["status"] == "failed" and d["attempts"] == 1 and "410" in d["last_error"]
    actions = [l["action"] for l in a["timeline"]]
    assert "delivery_failed" in actions
    esc = [l for l in a["timeline"] if l["action"] == "escalated"]
    assert esc and "every channel delivery of level 0 failed" in esc[0]["detail"]
    # A 4xx is not retried: one request per delivery, each failed once.
    def settled():
        ds = api.ok("GET", "/v1/alerts/%s" % alert_id)["deliveries"]
        return ds if all(d["status"] == "failed" for d in ds) and len(rx.on("/gone")) == len(ds) else None
    ds = wait_until(settled, 20, what="every delivery failed once")
    # Up the ladder once, and no further at once: at the top the step time applies.
    assert len(ds) <= 4
    time.sleep(1)
    assert len(api.ok("GET", "/v1/alerts/%s" % alert_id)["deliveries"]) == len(ds)
    assert all(d["attempts"] == 1 for d in ds)


def test_rate_limit_merges_waiting_messages_into_one(api, mq, rx):
    site = Site(api)
    robot = channel(api, site, "wecom", rx, rate_per_min=1)
    reach(api, site.primary, {"channel_id": robot["id"]})
    first, _ = sos(api, mq, site, "Ann Li", "p-1")
    rx.wait_for("/wecom")
    second, _ = sos(api, mq, site, "Bo Wang", "p-2")
    third, _ = sos(api, mq, site, "Cai Zhou", "p-3")
    # The budget is spent: the next two wait for the next minute, then
    # leave as one message listing both. Nothing is dropped.
    reqs = rx.wait_for("/wecom", count=2, timeout=90)
    content = json.loads(reqs[1]["body"])["text"]["content"]
    assert "Bo Wang" in content and "Cai Zhou" in content
    def statuses():
        return sorted(api.ok("GET", "/v1/alerts/%s" % i)["deliveries"][0]["status"] for i in (second, third))
    # The outcome is recorded after the receiver answered: poll for it.
    wait_until(lambda: statuses() == ["merged", "sent"], timeout=30, what="merged and sent recorded")
    assert len(rx.on("/wecom")) == 2


def metric(daemon, name):
    text = requests.get(daemon.url + "/metrics").text
    return int(re.search(r"^%s (\d+)$" % re.escape(name), text, re.M).group(1))


def test_the_notifier_opens_no_write_transaction_while_nothing_can_be_sent(api, mq, rx, daemon):
    """The alarm path shares the write lock with the notifier: it takes it
    only to send or record something, never to find nothing to do."""
    site = Site(api)
    robot = channel(api, site, "wecom", rx, rate_per_min=1)
    reach(api, site.primary, {"channel_id": robot["id"]})

    def quiet_for_rounds(k):
        tx = metric(daemon, "carenet_notifier_transactions_total")
        start = metric(daemon, "carenet_notifier_rounds_total")
        wait_until(lambda: metric(daemon, "carenet_notifier_rounds_total") >= start + k, 30,
                   what="%d notifier rounds" % k)
        assert metric(daemon, "carenet_notifier_transactions_total") == tx

    quiet_for_rounds(3)  # nothing queued at all
    first, _ = sos(api, mq, site, "Ann Li", "p-1")
    rx.wait_for("/wecom")
    wait_until(lambda: api.ok("GET", "/v1/alerts/%s" % first)["deliveries"][0]["status"] == "sent", 20,
               what="the first message's outcome recorded")
    assert metric(daemon, "carenet_notifier_transactions_total") >= 2  # its dispatch and its outcome
    # The budget is spent: the next page waits for its slot, and the
    # notifier, looking at it every round, writes nothing meanwhile.
    second, _ = sos(api, mq, site, "Bo Wang", "p-2")
    assert [d["status"] for d in api.ok("GET", "/v1/alerts/%s" % second)["deliveries"]] == ["queued"]
    quiet_for_rounds(3)
    assert len(rx.on("/wecom")) == 1


def test_queued_deliveries_survive_a_restart(api, mq, rx, daemon):
    site = Site(api)
    hook = channel(api, site, "webhook", rx, path="/down")
    rx.plan("/down", [503])
    reach(api, site.primary, {"channel_id": hook["id"]})
    alert_id, _ = sos(api, mq, site)
    rx.wait_for("/down")
    wait_until(lambda: api.ok("GET", "/v1/alerts/%s" % alert_id)["deliveries"][0]["status"] == "retrying",
               20, what="retrying")
    assert daemon.stop() == 0
    rx.plan("/down", [200])
    daemon.start()
    d = wait_until(lambda: (lambda x: x if x["status"] == "sent" else None)(
        api.ok("GET", "/v1/alerts/%s" % alert_id)["deliveries"][0]), 30, what="sent after restart")
    assert d["attempts"] >= 2


def test_a_hanging_receiver_holds_up_neither_the_mqtt_page_nor_another_channel(api, mq, rx):
    site = Site(api)
    slow = channel(api, site, "webhook", rx, path="/hang")
    sms = channel(api, site, "sms", rx)
    rx.plan("/hang", [("hang", 20)])
    reach(api, site.primary, {"channel_id": slow["id"]}, {"channel_id": sms["id"]})
    staff = mq()
    staff.subscribe("carenet/staff/+/notify")
    first, _ = sos(api, mq, site, "Ann Li", "p-1")
    wait_until(lambda: rx.hanging >= 1, 10, what="receiver hanging")
    # While it hangs, another alarm is stored and acked to its device
    # (sos() waits for the ack), paged on MQTT, and its SMS leaves.
    second, _ = sos(api, mq, site, "Bo Wang", "p-2")
    staff.wait_for(r"carenet/staff/%s/notify" % site.primary["id"], lambda p: p["id"] == second)
    wait_until(lambda: any(json.loads(r["body"])["text"].find("Bo Wang") >= 0 for r in rx.on("/sms")),
               10, what="the second alert's SMS")
    assert rx.hanging >= 1, "all of that happened while the receiver was still hanging"
    # The hanging transfer times out (5 s) and is retried: on the record.
    wait_until(lambda: api.ok("GET", "/v1/alerts/%s" % first)["deliveries"][0]["attempts"] >= 1, 30,
               what="the timed-out attempt recorded")
    d = [d for d in api.ok("GET", "/v1/alerts/%s" % first)["deliveries"] if d["kind"] == "webhook"][0]
    assert d["status"] == "retrying" and "timed out" in d["last_error"]


def test_channels_resource_scopes_and_secret_is_write_only(api, rx):
    site = Site(api)
    other = Site(api, shifts=False, prefix="o")
    ch = channel(api, site, "webhook", rx, secret="s3cret")
    assert "secret" not in api.ok("GET", "/v1/channels/%s" % ch["id"])
    coord = site.login(site.coordinator)
    assert [c["id"] for c in coord.ok("GET", "/v1/channels")["items"]] == [ch["id"]]
    r = coord.post("/v1/channels", {"site_id": other.id, "kind": "sms", "name": "x", "url": rx.url("/x")})
    assert r.status_code == 403
    r = coord.post("/v1/channels", {"site_id": site.id, "kind": "sms", "name": "x", "url": "ftp://nope"})
    assert r.status_code == 400 and "url" in r.json()["error"]["message"]
    mine = coord.ok("POST", "/v1/channels", {"site_id": site.id, "kind": "sms", "name": "gw", "url": rx.url("/gw")})
    assert mine["site_id"] == site.id and mine["has_secret"] is False and mine["rate_per_min"] is None
    assert site.login(site.primary).get("/v1/channels").status_code == 403
    assert coord.get("/v1/channels/%s" % ch["id"]).status_code == 200
    r = api.patch("/v1/staff/%s" % site.primary["id"], {"contacts": [{"channel_id": "nope"}]})
    assert r.status_code == 400 and "contacts[0].channel_id" in r.json()["error"]["message"]
    r = api.patch("/v1/staff/%s" % site.primary["id"], {"contacts": [{"channel_id": ch["id"], "priorities": [7]}]})
    assert r.status_code == 400


def test_ack_takes_a_note_and_manual_alert_takes_a_kind(api, mq):
    site = Site(api)
    res = site.resident("Ann Li")
    a = api.ok("POST", "/v1/alerts", {"resident_id": res["id"], "kind": "fall"})
    assert a["kind"] == "fall" and a["priority"] == 1
    assert api.post("/v1/alerts", {"resident_id": res["id"], "kind": "nope"}).status_code == 400
    acked = api.ok("POST", "/v1/alerts/%s/ack" % a["id"], {"note": "calling her now"}, status=(200,))
    notes = [l for l in acked["timeline"] if l["action"] == "note"]
    assert notes and notes[-1]["detail"] == "calling her now"


def test_carenet_sim_receive_prints_what_each_channel_sends(api, mq, daemon, workdir):
    """The receiver `make run` uses: an SMS gateway post, a WeCom robot
    message and a mail, printed one JSON line each."""
    import os
    import subprocess
    from conftest import CARENET_SIM, free_port
    http_port, smtp_port = free_port(), free_port()
    out_path = os.path.join(workdir, "receiver.out")
    with open(out_path, "wb") as out:
        proc = subprocess.Popen([CARENET_SIM, "receive", "--http-port", str(http_port), "--smtp-port",
                                 str(smtp_port), "--seconds", "60", "--count", "3", "--quiet"],
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: _listening(http_port) and _listening(smtp_port), 10, what="receiver listening")
        assert daemon.stop() == 0
        daemon.args.update({"smtp_url": "smtp://127.0.0.1:%d" % smtp_port, "smtp_from": "carenet@example.org"})
        daemon.start()
        site = Site(api)
        base = "http://127.0.0.1:%d" % http_port
        sms = api.ok("POST", "/v1/channels", {"site_id": site.id, "kind": "sms", "name": "gw",
                                              "url": base + "/sms-gateway", "secret": SECRET})
        robot = api.ok("POST", "/v1/channels", {"site_id": site.id, "kind": "wecom", "name": "team",
                                                "url": base + "/wecom-robot"})
        mail = api.ok("POST", "/v1/channels", {"site_id": site.id, "kind": "email", "name": "mail"})
        api.ok("PATCH", "/v1/staff/%s" % site.primary["id"], {"email": "ann@example.org"}, status=(200,))
        reach(api, site.primary, {"channel_id": sms["id"]}, {"channel_id": robot["id"]}, {"channel_id": mail["id"]})
        alert_id, _ = sos(api, mq, site)
        assert proc.wait(30) == 0
        # The receiver's answers are well-formed: each delivery is sent once.
        ds = wait_until(lambda: (lambda x: x if len(x) == 3 and all(d["status"] == "sent" for d in x) else None)(
            api.ok("GET", "/v1/alerts/%s" % alert_id)["deliveries"]), 20, what="all sent")
        assert all(d["attempts"] == 1 for d in ds)
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)
    lines = [json.loads(l) for l in open(out_path) if l.startswith("{")]
    by = {(l["via"], l.get("path")): l for l in lines}
    gw = by[("http", "/sms-gateway")]
    assert gw["body"]["to"] == site.primary["phone"] and "/a/" in gw["body"]["ack_url"]
    assert gw["X-CareNet-Delivery"] == gw["body"]["delivery_id"] and gw["X-CareNet-Signature"].startswith("sha256=")
    assert by[("http", "/wecom-robot")]["body"]["msgtype"] == "text"
    m = by[("smtp", None)]
    assert m["to"] == "<ann@example.org>" and "/a/" in m["body"]


def _listening(port):
    import socket
    s = socket.socket()
    try:
        s.settimeout(0.2)
        s.connect(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()
