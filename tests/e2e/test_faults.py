"""Faults that will happen in a real centre (issue 8): carenetd killed
mid-alarm, the broker restarted mid-load, the disk full. Every alarm must
still be acknowledged, stored once, and raise exactly one alert."""
import json
import os
import random
import sqlite3
import subprocess
import threading
import time

import paho.mqtt.client as mqtt
import pytest

from conftest import ENGINE, Site, sqlite_only, wait_until


class Pendant:
    """A social-alarm pendant: presses once, repeats the same seq every
    `repeat` seconds until carenet/dev/{id}/ack names it (SCAIP style)."""

    def __init__(self, port, device_id, seq, repeat=1.0):
        self.device_id, self.seq, self.repeat = device_id, seq, repeat
        self.acked = threading.Event()
        self.sends = 0
        self.ack = None
        self.c = mqtt.Client(client_id="pendant-" + device_id, clean_session=False)
        self.c.on_message = self._on_message
        self.c.on_connect = lambda c, u, f, rc: c.subscribe("carenet/dev/%s/ack" % device_id, 1)
        self.c.connect("127.0.0.1", port, keepalive=10)
        self.c.loop_start()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _on_message(self, client, userdata, msg):
        try:
            body = json.loads(msg.payload)
        except ValueError:
            return
        if body.get("seq") == self.seq:
            self.ack = body
            self.acked.set()

    def _run(self):
        deadline = time.monotonic() + 90
        while not self.acked.is_set() and time.monotonic() < deadline:
            self.c.publish("carenet/dev/%s/event" % self.device_id,
                           json.dumps({"type": "button", "value": "press", "seq": self.seq}), qos=1)
            self.sends += 1
            self.acked.wait(self.repeat)

    def close(self):
        self.c.loop_stop()
        self.c.disconnect()


class Load(threading.Thread):
    """Background motion events, bounded in count and time."""

    def __init__(self, port, device_ids, rate=200, seconds=40):
        super().__init__(daemon=True)
        self.device_ids, self.rate, self.seconds = device_ids, rate, seconds
        self.stop_flag = threading.Event()
        self.c = mqtt.Client(client_id="load-gen", clean_session=False)
        self.c.max_inflight_messages_set(50)
        self.c.connect("127.0.0.1", port, keepalive=10)
        self.c.loop_start()

    def run(self):
        end = time.monotonic() + self.seconds
        n = 0
        while not self.stop_flag.is_set() and time.monotonic() < end and n < self.rate * self.seconds:
            dev = self.device_ids[n % len(self.device_ids)]
            self.c.publish("carenet/dev/%s/event" % dev, json.dumps({"type": "motion", "value": True}), qos=1)
            n += 1
            time.sleep(1.0 / self.rate)

    def stop(self):
        self.stop_flag.set()
        self.join(10)
        self.c.loop_stop()
        self.c.disconnect()


def test_kill9_three_times_while_20_pendants_repeat(api, broker, daemon):
    site = Site(api)
    pendants_ids, load_ids = [], []
    for i in range(20):
        r = site.resident("Resident %02d" % i)
        site.device(r, "p-%02d" % i, "sos_button")
        pendants_ids.append(("p-%02d" % i, r["id"]))
        site.device(r, "m-%02d" % i, "motion")
        load_ids.append("m-%02d" % i)
    load = Load(broker.port, load_ids)
    load.start()
    pendants = [Pendant(broker.port, d, 5000 + i) for i, (d, _) in enumerate(pendants_ids)]
    rng = random.Random(20261127)
    try:
        # Presses spread over a few seconds, kills at random moments among them.
        starts = sorted(rng.uniform(0, 6) for _ in pendants)
        kills = sorted(rng.uniform(0.5, 7) for _ in range(3))
        t0 = time.monotonic()
        events = [(t, "press", p) for t, p in zip(starts, pendants)] + [(t, "kill", None) for t in kills]
        for t, what, p in sorted(events, key=lambda e: e[0]):
            time.sleep(max(0, t0 + t - time.monotonic()))
            if what == "press":
                p.thread.start()
            else:
                daemon.kill()
                time.sleep(rng.uniform(0.2, 1.0))
                daemon.start()
        for p in pendants:
            assert p.acked.wait(60), "pendant %s never acknowledged (%d sends)" % (p.device_id, p.sends)
    finally:
        load.stop()
        for p in pendants:
            p.close()
    if ENGINE == "sqlite":
        assert daemon.query("PRAGMA integrity_check")[0][0] == "ok"
    for dev_id, resident_id in pendants_ids:
        n = daemon.query("SELECT count(*) FROM events e JOIN devices d ON d.key = e.device_key"
                         " WHERE d.id = '%s' AND e.type = 'button'" % dev_id)[0][0]
        assert n == 1, "%s stored %d times" % (dev_id, n)
        alerts = daemon.query("SELECT count(*) FROM alerts WHERE resident_id = '%s' AND kind = 'sos'"
                              % resident_id)[0][0]
        assert alerts == 1, "%s has %d sos alerts" % (resident_id, alerts)
    # Every ack names the one stored event and its alert.
    for p in pendants:
        rows = daemon.query("SELECT id, alert_id FROM events WHERE id = %d" % int(p.ack["event_id"]))
        assert rows and str(rows[0][1]) == p.ack["alert_id"]


def test_broker_restart_mid_load_loses_nothing_it_kept(api, broker, daemon):
    site = Site(api)
    r = site.resident("Gus")
    for i in range(10):
        site.device(r, "b-%d" % i, "motion")
    acked = set()
    lock = threading.Lock()
    mids = {}
    pub = mqtt.Client(client_id="publisher-b", clean_session=False)
    pub.max_inflight_messages_set(20)

    def on_publish(c, u, mid):
        with lock:
            if mid in mids:
                acked.add(mids[mid])

    pub.on_publish = on_publish
    pub.connect("127.0.0.1", broker.port, keepalive=5)
    pub.loop_start()
    try:
        for seq in range(3000):
            info = pub.publish("carenet/dev/b-%d/event" % (seq % 10),
                               json.dumps({"type": "motion", "value": True, "seq": seq}), qos=1)
            with lock:
                mids[info.mid] = seq
            if seq == 1200:
                broker.stop()
                time.sleep(1)
                broker.start()
            time.sleep(0.001)
        wait_until(lambda: len(acked) >= 2900, 60, what="the broker acknowledging the publisher")
        wait_until(lambda: api.get("/healthz").status_code == 200, 30, what="carenetd reconnected")
        stored = lambda: {row[0] for row in daemon.query("SELECT seq FROM events WHERE seq IS NOT NULL")}
        with lock:
            want = set(acked)
        wait_until(lambda: want <= stored(), 60, interval=0.5, what="every acked event stored")
    finally:
        pub.loop_stop()
        pub.disconnect()


@pytest.fixture
def small_fs(workdir):
    path = os.path.join(workdir, "small")
    os.makedirs(path)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", path], capture_output=True)
    if r.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here: %s" % r.stderr.decode().strip())
    yield path
    subprocess.run(["umount", "-l", path])


@pytest.fixture
def daemon_args(request):
    if "small_fs" in request.fixturenames:
        return {"db_path": os.path.join(request.getfixturevalue("small_fs"), "carenet.db")}
    return {}


@sqlite_only
def test_full_disk_gives_503_and_recovers_without_losing_events(small_fs, api, mq, daemon):
    site = Site(api)
    r = site.resident("Hal")
    site.device(r, "full-1", "motion")
    filler = os.path.join(small_fs, "filler")
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    dev = mq()
    note = "x" * 1500
    sent = 0
    # Publish until the daemon says storage is full (bounded).
    for seq in range(4000):
        dev.publish("carenet/dev/full-1/event", {"type": "motion", "value": True, "seq": seq, "note": note})
        sent += 1
        if seq % 50 == 49 and api.get("/healthz").status_code == 503:
            break
    h = wait_until(lambda: api.get("/healthz").json() if api.get("/healthz").status_code == 503 else None,
                   20, what="healthz 503")
    assert h["db"] == "full"
    r2 = api.post("/v1/residents", {"site_id": site.id, "name": "Ida"})
    assert r2.status_code == 503 and r2.json()["error"]["code"] == "storage_full"
    assert "database or disk is full" in daemon.read_log()
    os.unlink(filler)
    wait_until(lambda: api.get("/healthz").status_code == 200, 20, what="recovery after space returns")
    db = sqlite3.connect(daemon.db_path)
    wait_until(lambda: db.execute("SELECT count(*) FROM events").fetchone()[0] == sent, 30, interval=0.5,
               what="all %d events stored" % sent)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    assert api.post("/v1/residents", {"site_id": site.id, "name": "Ida"}).status_code == 201
