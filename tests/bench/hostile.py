#!/usr/bin/python3
"""Figures for docs/reliability.md (issue 12): how the API answers a second
address while one address attacks, how many guesses a minute one address
gets, and the alarm ack p99 during a burst of unknown-device junk.

Loopback only (attacker 127.0.0.2, legitimate client 127.0.0.1); every loop
is bounded in count and time. Run with `make bench-hostile` (release build).
"""
import json
import os
import socket
import statistics
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ.setdefault("CN_TEST_DAEMON", os.path.join(HERE, "../../build/carenetd"))
sys.path.insert(0, os.path.join(HERE, "../e2e"))

import requests  # noqa: E402

from conftest import Api, Broker, Daemon, Mqtt, Site, BOOTSTRAP  # noqa: E402
from test_hostile import SourceAdapter, from_addr, raw_socket  # noqa: E402

ATTACKER, LEGIT = "127.0.0.2", "127.0.0.1"


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))]


def answer_times(client, path, n=200):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        r = client.s.get(client.base + path, headers=client.headers(), timeout=30)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, r.status_code
    return "median %.1f ms, p99 %.1f ms" % (statistics.median(out), pct(out, 99))


def main():
    work = tempfile.mkdtemp(prefix="carenet-hostile-")
    broker = Broker(work)
    daemon = None
    rows = []
    try:
        daemon = Daemon(work, broker, {"log_level": "info"})
        api = Api(daemon.url, BOOTSTRAP)
        site = Site(api, prefix="bh")
        legit = from_addr(api, LEGIT, site.login(site.primary).token)
        rows.append(("no attack", "GET /v1/alerts from 127.0.0.1", answer_times(legit, "/v1/alerts")))

        # 1. 600 trickled POST bodies from one address (more than http_max_connections).
        socks = []
        for _ in range(600):
            try:
                s = raw_socket(daemon, ATTACKER, timeout=2)
                s.sendall(b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
                socks.append(s)
            except OSError:
                pass
        rows.append(("600 trickled bodies from 127.0.0.2", "GET /v1/alerts from 127.0.0.1",
                     answer_times(legit, "/v1/alerts")))
        for s in socks:
            s.close()

        # 2. One family token tries to open 600 event streams.
        fam_res = site.resident("Bench Fam")["id"]
        fam = site.staff("fam", "family", site_id=None, resident_ids=[fam_res])
        ftok = site.login(fam).token
        att = from_addr(api, ATTACKER, ftok)
        streams, refused = [], 0
        for _ in range(600):
            r = att.s.get(api.base + "/v1/alerts/stream", headers=att.headers(), stream=True, timeout=10)
            if r.status_code == 200:
                streams.append(r)
            else:
                refused += 1
                r.close()
        rows.append(("600 SSE opens with one token (%d open, %d refused 429)" % (len(streams), refused),
                     "GET /v1/alerts from 127.0.0.1", answer_times(legit, "/v1/alerts")))
        for r in streams:
            r.close()

        # 3. Login flood: 4 threads from 127.0.0.2, 60 s at most.
        stop = threading.Event()
        counts = {}

        def flood(i):
            a = from_addr(api, ATTACKER, token="")
            for n in range(2000):
                if stop.is_set():
                    break
                r = a.s.post(api.base + "/v1/auth/login",
                             json={"username": "guess-%d-%d" % (i, n), "password": "nope"}, timeout=30)
                counts[r.status_code] = counts.get(r.status_code, 0) + 1

        ts = [threading.Thread(target=flood, args=(i,)) for i in range(4)]
        t0 = time.time()
        for t in ts:
            t.start()
        me = answer_times(legit, "/v1/me")
        stop.set()
        for t in ts:
            t.join(60)
        rows.append(("login flood from 127.0.0.2 (%s in %.0f s)" % (counts, time.time() - t0),
                     "GET /v1/me from 127.0.0.1", me))

        # 4. Guesses a minute on one account from one address (bounded: 65 s).
        guesses, t0 = 0, time.time()
        g = from_addr(api, "127.0.0.3", token="")
        while time.time() - t0 < 65:
            r = g.s.post(api.base + "/v1/auth/login",
                         json={"username": site.backup["username"], "password": "guess"}, timeout=30)
            if r.status_code == 401:
                guesses += 1
            time.sleep(0.05)
        rows.append(("one address guessing one password for 65 s", "wrong passwords checked",
                     "%d (limit 10 a minute)" % guesses))

        # 5. Alarm ack latency during 20,000 unknown-device messages.
        pend = site.resident("Bench Pendant")
        site.device(pend, "bh-pendant", "sos_button")
        dev = Mqtt(broker.port)
        dev.subscribe("carenet/dev/bh-pendant/ack")
        junk = Mqtt(broker.port)
        junk.c.max_inflight_messages_set(200)
        lat, sent = [], {}
        infos = []
        for n in range(20000):
            payload = "x" * 3000 if n % 10 == 0 else json.dumps({"type": "motion", "value": True, "seq": n})
            infos.append(junk.c.publish("carenet/dev/junk-%d/event" % n, payload, qos=1))
            if n % 400 == 0:
                seq = n // 400 + 1
                sent[seq] = time.perf_counter()
                dev.publish("carenet/dev/bh-pendant/event", {"type": "button", "value": "press", "seq": seq})
        for info in infos:
            info.wait_for_publish(120)
        deadline = time.time() + 120
        while time.time() < deadline and len({p["seq"] for _, p in dev.matching(r".*")}) < len(sent):
            time.sleep(0.1)
        # Received times are recorded by the Mqtt helper only as order; use
        # a second pass: one press at a time after the burst for a baseline.
        got = {p["seq"] for _, p in dev.matching(r".*")}
        rows.append(("20,000 unknown-device messages (10 % oversized)", "alarms acked",
                     "%d of %d" % (len(got & set(sent)), len(sent))))
        dev.clear()
        # Ack latency measured per press while a second junk burst runs.
        stop_junk = threading.Event()

        def junk_burst():
            for n in range(20000):
                if stop_junk.is_set():
                    break
                junk.c.publish("carenet/dev/junk2-%d/event" % n, "x" * 3000 if n % 10 == 0 else "{}", qos=1)

        jt = threading.Thread(target=junk_burst)
        jt.start()
        for seq in range(1000, 1050):
            t = time.perf_counter()
            dev.publish("carenet/dev/bh-pendant/event", {"type": "button", "value": "press", "seq": seq})
            dev.wait_for(r".*", lambda p, s=seq: p["seq"] == s, timeout=30)
            lat.append((time.perf_counter() - t) * 1000)
        stop_junk.set()
        jt.join(60)
        rows.append(("20,000 unknown-device messages", "alarm ack (press to ack)",
                     "median %.1f ms, p99 %.1f ms (50 presses)" % (statistics.median(lat), pct(lat, 99))))
        db_size = os.path.getsize(daemon.db_path)
        rows.append(("after both bursts", "database file", "%.1f MB" % (db_size / 1e6)))
        dev.close()
        junk.close()
    finally:
        if daemon:
            daemon.stop()
        broker.stop()
    print("| attack | measured | figure |")
    print("| --- | --- | --- |")
    for r in rows:
        print("| %s | %s | %s |" % r)


if __name__ == "__main__":
    main()
