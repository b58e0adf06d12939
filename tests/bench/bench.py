#!/usr/bin/python3
"""make bench: CareNet's speed against what the broker, SQLite and
libmicrohttpd alone can do on this machine, measured in the same run.

Starts its own broker and daemon on loopback ports, fills a database to
scale (10,000 residents, 50,000 devices, 1,000,000 events), and measures
each figure as the median of 3 runs. Prints a table, writes
build/bench.json and docs/performance.md. Every loop is bounded in count
and time; everything started here is stopped by PID.
"""
import datetime
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
BUILD = os.path.join(ROOT, "build")
DAEMON = os.environ.get("BENCH_DAEMON", os.path.join(BUILD, "carenetd"))  # another build to compare
SIM = os.path.join(BUILD, "carenet-sim")
BARE_SQLITE = os.path.join(BUILD, "bench/bare_sqlite")
BARE_HTTP = os.path.join(BUILD, "bench/bare_http")
WORK = os.path.join(BUILD, "bench-run")
TOKEN = "bench-bootstrap-token-0123456789abcdef"
RUNS = 3
SITES, RESIDENTS, DEVICES_PER_RESIDENT, EVENTS = 10, 10000, 5, 1000000
LOAD_DEVICES = 10000
INGEST_COUNT = int(os.environ.get("BENCH_INGEST_COUNT", "150000"))
PRESSES = int(os.environ.get("BENCH_PRESSES", "1000"))
# BENCH_ONLY=alarm runs only the alarm latency part (a broker, the filled
# database, BENCH_WARM ingest runs first, then BENCH_ALARM_RUNS latency
# runs) with the background at BENCH_BG_RATE events/s: a fixed rate, so
# that two builds compare at the same load. Prints one JSON line a run.
# The filled database is kept in build/bench-cache.db (BENCH_FRESH=1 fills
# it again, e.g. after a new migration or for an older BENCH_DAEMON).
ONLY = os.environ.get("BENCH_ONLY", "")
DEADLINE = time.monotonic() + 600  # the whole benchmark: at most 10 minutes

TARGETS = {  # name: (comparison, value, what)
    "ingest_ratio": (">=", 0.75, "ingest / broker QoS 1 pass-through"),
    "alarm_page_p50_ms": ("<", 2.0, "SOS to first page, p50 (ms)"),
    "alarm_page_p99_ms": ("<", 10.0, "SOS to first page, p99 (ms)"),
    "api_alert_get_ratio": (">=", 0.6, "GET /v1/alerts/{id} / bare server"),
    "peak_rss_mib": ("<", 64.0, "peak RSS during ingest (MiB)"),
    "startup_s": ("<", 1.0, "start-up to healthy on the full database (s)"),
    "bytes_per_event": ("<", 200.0, "database bytes per stored event"),
}

procs = []


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def left():
    return DEADLINE - time.monotonic()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd, logname, env=None):
    f = open(os.path.join(WORK, logname), "ab")
    p = subprocess.Popen(cmd, stdout=f, stderr=f, env=env)
    procs.append(p)
    return p


def stop(p, sig=signal.SIGTERM, timeout=10):
    if p.poll() is None:
        p.send_signal(sig)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def run_json(cmd, timeout):
    timeout = max(5, min(timeout, left()))
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    lines = [l for l in r.stdout.splitlines() if l.startswith("{")]
    if not lines:
        raise RuntimeError("%s gave no result: %s" % (cmd[0:2], r.stderr[-500:]))
    return json.loads(lines[-1])


def wait_port(port, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError("nothing listens on %d" % port)


def http_get(url, token=None, timeout=2):
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token} if token else {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.read()


def median(xs):
    return statistics.median(xs) if xs else None


# ---------------------------------------------------------------- the broker

def start_broker():
    port = free_port()
    conf = os.path.join(WORK, "mosquitto.conf")
    with open(conf, "w") as f:
        f.write("listener %d 127.0.0.1\nallow_anonymous true\n" % port)
        f.write("max_queued_messages 2000000\nmax_inflight_messages 100\nset_tcp_nodelay true\n")
        if os.geteuid() == 0:
            f.write("user root\n")
    p = start(["mosquitto", "-c", conf], "mosquitto.log")
    wait_port(port)
    return p, port


# ---------------------------------------------------------------- limits

def limit_broker(port):
    rates = []
    for i in range(RUNS):
        ready = os.path.join(WORK, "sink-ready-%d" % i)
        topic = "bench/pass/%d" % i
        sink = subprocess.Popen([SIM, "sink", "--port", str(port), "--topic", topic, "--count", "100000",
                                 "--seconds", "60", "--ready-file", ready, "--quiet"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        procs.append(sink)
        end = time.monotonic() + 10
        while not os.path.exists(ready) and time.monotonic() < end:
            time.sleep(0.02)
        run_json([SIM, "load", "--port", str(port), "--devices", "1", "--max", "--qos", "1", "--count",
                  "100000", "--inflight", "50", "--topic-template", topic, "--quiet"], 90)
        out, _ = sink.communicate(timeout=90)
        res = json.loads([l for l in out.splitlines() if l.startswith("{")][-1])
        rates.append(res["received"] / res["elapsed_s"])
        log("broker pass-through run %d: %.0f msg/s" % (i + 1, rates[-1]))
    return median(rates)


def limit_sqlite():
    rates = []
    for i in range(RUNS):
        path = os.path.join(WORK, "bare-%d.db" % i)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.unlink(path + suffix)
        res = run_json([BARE_SQLITE, path, "200000", "1000"], 120)
        rates.append(res["rows_per_s"])
        log("bare SQLite run %d: %.0f rows/s" % (i + 1, rates[-1]))
    return median(rates)


def wrk(url, token=None, seconds=5):
    cmd = ["wrk", "-t2", "-c32", "-d%ds" % seconds, "--latency", url]
    if token:
        cmd[1:1] = ["-H", "Authorization: Bearer " + token]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", r.stdout).group(1))
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", r.stdout)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", r.stdout)
    if non2xx:
        raise RuntimeError("wrk got %s error answers from %s" % (non2xx.group(1), url))
    return rps, float(m.group(1)) * scale


def limit_http():
    port = free_port()
    p = start([BARE_HTTP, str(port)], "bare_http.log")
    try:
        wait_port(port)
        runs = [wrk("http://127.0.0.1:%d/v1/alerts/1" % port) for _ in range(RUNS)]
    finally:
        stop(p)
    for i, (rps, p99) in enumerate(runs):
        log("bare HTTP run %d: %.0f req/s, p99 %.2f ms" % (i + 1, rps, p99))
    return median([r for r, _ in runs]), median([l for _, l in runs])


# ---------------------------------------------------------------- the data

class HookReceiver:
    """A webhook channel's receiver: when each page's request arrived,
    against the press time the alert carries (last_event_at = the
    pendant's ts, the wall clock of `carenet-sim pages`)."""

    def __init__(self):
        import http.server
        import socketserver
        rec = self
        self.lat = {}
        self.lock = threading.Lock()

        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                now = time.time() * 1000.0
                try:
                    alert = json.loads(body)["alert"]
                    t = datetime.datetime.strptime(alert["last_event_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
                    t_ms = t.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000.0
                    with rec.lock:
                        rec.lat.setdefault(alert["device_id"], now - t_ms)
                except (ValueError, KeyError, TypeError):
                    pass
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self.server = S(("127.0.0.1", 0), H)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def latencies(self, prefix):
        with self.lock:
            return sorted(v for k, v in self.lat.items() if k and k.startswith(prefix + "-"))


def pct(xs, p):
    return xs[min(len(xs) - 1, int(round(p / 100.0 * len(xs) + 0.5)) - 1)] if xs else float("nan")


def fill(db_path, hook_port=None):
    """10 sites, 10,000 residents, 50,000 devices, 1,000,000 events, some
    alert history; straight into SQLite (the daemon migrated it)."""
    t0 = time.monotonic()
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA synchronous=OFF")
    now_ms = int(time.time() * 1000)
    db.executemany("INSERT INTO sites(id,name,created_at,updated_at) VALUES(?,?,?,?)",
                   [("site-%d" % s, "Site %d" % s, now_ms, now_ms) for s in range(SITES)])
    staff, shifts = [], []
    for s in range(SITES):
        for name, role, tier in (("coord", "coordinator", None), ("care-a", "caregiver", "primary"),
                                 ("care-b", "caregiver", "backup"), ("care-c", "caregiver", "supervisor")):
            sid = "%s-%d" % (name, s)
            staff.append((sid, "site-%d" % s, sid, role, sid, now_ms, now_ms))
            if tier:
                shifts.append(("shift-%s" % sid, sid, "site-%d" % s, now_ms - 3600000, now_ms + 86400000,
                               tier, now_ms))
    db.executemany("INSERT INTO staff(id,site_id,name,role,username,created_at,updated_at)"
                   " VALUES(?,?,?,?,?,?,?)", staff)
    db.executemany("INSERT INTO shifts(id,staff_id,site_id,starts_at,ends_at,tier,created_at)"
                   " VALUES(?,?,?,?,?,?,?)", shifts)
    if hook_port:
        # Every primary is reached on a webhook too (issue 14).
        db.execute("INSERT INTO channels(id,kind,name,url,secret,enabled,created_at,updated_at)"
                   " VALUES('bench-hook','webhook','bench','http://127.0.0.1:%d/hook','bench-secret',1,?,?)"
                   % hook_port, (now_ms, now_ms))
        db.execute("UPDATE staff SET contacts='[{\"channel_id\":\"bench-hook\"}]' WHERE id LIKE 'care-a-%'")
    db.executemany("INSERT INTO residents(id,site_id,name,address,phone,created_at,updated_at)"
                   " VALUES(?,?,?,?,?,?,?)",
                   [("res-%d" % r, "site-%d" % (r % SITES), "Resident %d" % r, "%d Garden Road" % r,
                     "+86 10 5555 %04d" % (r % 10000), now_ms, now_ms) for r in range(RESIDENTS)])
    devices = []
    for r in range(RESIDENTS):
        # pendants: three groups for the three latency runs, then spares
        group = "abcd"[r // PRESSES] if r < 4 * PRESSES else "x"
        idx = r % PRESSES + 1 if r < 4 * PRESSES else r
        devices.append(("bench-sos-%s-%d" % (group, idx), "res-%d" % r, "sos_button", 3600))
        devices.append(("load-%d" % (r + 1), "res-%d" % r, "motion", 3600))
        devices.append(("door-%d" % r, "res-%d" % r, "door", 3600))
        devices.append(("bed-%d" % r, "res-%d" % r, "bed", 3600))
        devices.append(("smoke-%d" % r, "res-%d" % r, "smoke", 3600))
    db.executemany("INSERT INTO devices(id,resident_id,kind,heartbeat_s,status,last_seen,created_at,updated_at)"
                   " VALUES(?,?,?,?,'online',%d,%d,%d)" % (now_ms, now_ms, now_ms), devices)
    keys = [k for (k,) in db.execute("SELECT key FROM devices WHERE kind <> 'sos_button' ORDER BY key")]
    # A month of history, time-ordered ids as the daemon makes them.
    start_ms = now_ms - 30 * 86400 * 1000
    step = (now_ms - 3600000 - start_ms) / EVENTS
    raw = b'{"type":"motion","value":true}'

    def rows():
        for i in range(EVENTS):
            t = int(start_ms + i * step)
            yield (t * 1000 + i % 1000, keys[i % len(keys)], "motion", "true", t, raw)
    db.executemany("INSERT INTO events(id,device_key,type,value,received_at,raw) VALUES(?,?,?,?,?,?)", rows())
    alerts = []
    for a in range(2000):
        t = start_ms + a * 1000000
        r = a * 7 % RESIDENTS
        alerts.append(("site-%d" % (r % SITES), "res-%d" % r, "sos", 1, "resolved", "res-%d|sos" % r, t, t + 60000,
                       t + 30000, "care-a-%d" % (r % SITES), t + 60000, "genuine", t))
    db.executemany("INSERT INTO alerts(site_id,resident_id,kind,priority,status,dedup_key,created_at,updated_at,"
                   "acked_at,acked_by,resolved_at,outcome,last_event_at) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)", alerts)
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    log("filled %s in %.1f s" % (db_path, time.monotonic() - t0))


# ---------------------------------------------------------------- the daemon

class Daemon:
    def __init__(self, db_path, mqtt_port):
        self.db_path, self.mqtt_port, self.http_port = db_path, mqtt_port, free_port()
        self.p = None

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.http_port

    def start(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("CARENET_")}
        t0 = time.monotonic()
        self.p = start([DAEMON, "--db_path", self.db_path, "--mqtt_port", str(self.mqtt_port),
                        "--http_port", str(self.http_port), "--bootstrap_token", TOKEN,
                        "--log_level", "warn", "--escalate_p1_s", "3600",
                        # wrk opens 32 connections from one address; at the
                        # per-address cap (32, issue 12) a request right
                        # after a wrk run is refused while its sockets
                        # close. The cap is measured by bench-hostile.
                        "--http_per_ip_connections", "1000"], "carenetd.log", env)
        end = t0 + 30
        while time.monotonic() < end:
            if self.p.poll() is not None:
                raise RuntimeError("carenetd exited with %s" % self.p.returncode)
            try:
                if http_get(self.url + "/healthz", timeout=0.5)[0] == 200:
                    return time.monotonic() - t0
            except OSError:
                pass
            time.sleep(0.005)
        raise RuntimeError("carenetd not healthy in 30 s")

    def stop(self):
        stop(self.p)

    def peak_rss_mib(self):
        with open("/proc/%d/status" % self.p.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
        return None


def count_events(db_path):
    db = sqlite3.connect(db_path, timeout=30)
    try:
        return db.execute("SELECT count(*), max(id) FROM events").fetchone()
    finally:
        db.close()


def ingest(d, port):
    """Sustained stored events per second at QoS 1 across 10,000 devices."""
    rates = []
    for i in range(RUNS):
        before, max_before = count_events(d.db_path)
        run_json([SIM, "load", "--port", str(port), "--devices", str(LOAD_DEVICES), "--max", "--qos", "1",
                  "--count", str(INGEST_COUNT), "--inflight", "50", "--quiet"], 120)
        end = time.monotonic() + 60
        while count_events(d.db_path)[0] < before + INGEST_COUNT and time.monotonic() < end:
            time.sleep(0.2)
        db = sqlite3.connect(d.db_path, timeout=30)
        n, first, last = db.execute("SELECT count(*), min(received_at), max(received_at) FROM events"
                                    " WHERE id > ?", (max_before,)).fetchone()
        db.close()
        if n < INGEST_COUNT:
            raise RuntimeError("ingest run %d stored %d of %d events" % (i + 1, n, INGEST_COUNT))
        rates.append(n / max(0.001, (last - first) / 1000.0))
        log("ingest run %d: %d events stored at %.0f/s" % (i + 1, n, rates[-1]))
    return median(rates)


def webhook_idle(port, hook):
    """SOS to the webhook request with nothing else going on."""
    run_json([SIM, "pages", "--port", str(port), "--prefix", "bench-sos-d", "--presses", str(PRESSES),
              "--interval", "0.02", "--timeout", "20", "--quiet"], 180)
    end = time.monotonic() + 20
    while len(hook.latencies("bench-sos-d")) < PRESSES and time.monotonic() < end:
        time.sleep(0.2)
    lat = hook.latencies("bench-sos-d")
    log("SOS to webhook, idle: p50 %.2f ms p99 %.2f ms (%d of %d)" % (pct(lat, 50), pct(lat, 99), len(lat), PRESSES))
    return pct(lat, 50), pct(lat, 99)


def alarm_latency(port, background_rate, groups="abc"):
    """SOS to first page while background load runs at half the maximum."""
    results = []
    for i, group in enumerate(groups):
        bg = subprocess.Popen([SIM, "load", "--port", str(port), "--devices", str(LOAD_DEVICES), "--rate",
                               str(int(background_rate)), "--qos", "1", "--seconds", "60", "--count", "0",
                               "--inflight", "50", "--quiet", "--prefix", "load"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(bg)
        time.sleep(2)  # let the background load settle
        try:
            res = run_json([SIM, "pages", "--port", str(port), "--prefix", "bench-sos-%s" % group,
                            "--presses", str(PRESSES), "--interval", "0.02", "--timeout", "20", "--quiet"], 180)
        finally:
            stop(bg, signal.SIGINT)
        if res["pages"] < res["presses"]:
            raise RuntimeError("latency run %d: %d presses, %d pages" % (i + 1, res["presses"], res["pages"]))
        results.append(res)
        log("alarm latency run %d: page p50 %.2f ms p99 %.2f ms max %.0f ms; ack p50 %.2f ms (%d presses)" % (
            i + 1, res["page_p50_ms"], res["page_p99_ms"], res["page_max_ms"], res["ack_p50_ms"], res["presses"]))
    return (median([r["page_p50_ms"] for r in results]), median([r["page_p99_ms"] for r in results]),
            median([r["ack_p50_ms"] for r in results]), median([r["ack_p99_ms"] for r in results]))


def api(d):
    db = sqlite3.connect(d.db_path, timeout=30)
    alert_id = db.execute("SELECT id FROM alerts ORDER BY id DESC LIMIT 1").fetchone()[0]
    dev, = db.execute("SELECT d.id FROM devices d WHERE d.id = 'load-1'").fetchone()
    nth = db.execute("SELECT received_at FROM events e JOIN devices d ON d.key = e.device_key"
                     " WHERE d.id = ? ORDER BY e.id DESC LIMIT 1 OFFSET 60", (dev,)).fetchone()
    db.close()
    since = datetime.datetime.fromtimestamp(nth[0] / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    paths = {
        "api_alert_get": "/v1/alerts/%d" % alert_id,
        "api_alerts_active": "/v1/alerts?status=active",
        "api_events_device": "/v1/events?device_id=%s&since=%s" % (dev, since),
    }
    out = {}
    for name, path in paths.items():
        status, body = http_get(d.url + path, TOKEN, timeout=5)
        doc = json.loads(body)
        if name != "api_alert_get" and len(doc["items"]) != 50:
            raise RuntimeError("%s returned %d items, not 50" % (path, len(doc["items"])))
        runs = [wrk(d.url + path, TOKEN) for _ in range(RUNS)]
        out[name] = (median([r for r, _ in runs]), median([l for _, l in runs]))
        log("%s: %.0f req/s, p99 %.2f ms" % (name, out[name][0], out[name][1]))
    return out


def db_bytes_per_event(db_path):
    db = sqlite3.connect(db_path, timeout=30)
    try:
        n = db.execute("SELECT count(*) FROM events").fetchone()[0]
        size = db.execute("SELECT sum(pgsize) FROM dbstat WHERE name IN"
                          " ('events', 'events_device_seq', 'events_by_device')").fetchone()[0]
        return size / n
    finally:
        db.close()


# ---------------------------------------------------------------- report

def verdict(name, value):
    op, want, _ = TARGETS[name]
    if value is None:
        return "not measured"
    ok = value >= want if op == ">=" else value < want
    if ok:
        return "met"
    miss = (want - value) / want if op == ">=" else (value - want) / want
    return "missed by %.0f%%" % (miss * 100)


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(),
            "python": platform.python_version()}


def write_report(results, limits, ratios, started):
    doc = {"results": results, "limits": limits, "ratios": ratios, "machine": machine(),
           "date": started, "targets": {k: {"op": v[0], "value": v[1], "what": v[2],
                                             "verdict": verdict(k, {**results, **ratios}.get(k))}
                                         for k, v in TARGETS.items()}}
    with open(os.path.join(BUILD, "bench.json"), "w") as f:
        json.dump(doc, f, indent=2)
    rows = [
        ("broker QoS 1 pass-through (limit)", "%.0f msg/s" % limits["broker_qos1_msg_s"]),
        ("bare SQLite batched insert (limit)", "%.0f rows/s" % limits["sqlite_rows_s"]),
        ("bare libmicrohttpd, small JSON (limit)", "%.0f req/s, p99 %.2f ms" % (
            limits["http_req_s"], limits["http_p99_ms"])),
        ("ingest, stored events/s (QoS 1, 10,000 devices)", "%.0f/s = %.2f of the broker" % (
            results["ingest_events_s"], ratios["ingest_ratio"])),
        ("SOS to first page, p50 / p99 (half load)", "%.2f / %.2f ms" % (
            results["alarm_page_p50_ms"], results["alarm_page_p99_ms"])),
        ("SOS to ack, p50 / p99 (half load)", "%.2f / %.2f ms" % (
            results["alarm_ack_p50_ms"], results["alarm_ack_p99_ms"])),
        ("SOS to webhook request, p50 / p99 (idle)", "%.2f / %.2f ms" % (
            results["webhook_idle_p50_ms"], results["webhook_idle_p99_ms"])),
        ("SOS to webhook request, p50 / p99 (half load)", "%.2f / %.2f ms" % (
            results["webhook_load_p50_ms"], results["webhook_load_p99_ms"])),
    ]
    for name, label in (("api_alert_get", "GET /v1/alerts/{id}"), ("api_alerts_active", "GET /v1/alerts?status=active (50)"),
                        ("api_events_device", "GET /v1/events?device_id=&since= (50)")):
        rows.append((label, "%.0f req/s (%.2f of bare), p99 %.2f ms" % (
            results[name + "_req_s"], ratios[name + "_ratio"], results[name + "_p99_ms"])))
    rows += [
        ("peak RSS of carenetd during ingest", "%.1f MiB" % results["peak_rss_mib"]),
        ("start-up to healthy, full database", "%.3f s" % results["startup_s"]),
        ("database bytes per stored event", "%.0f B" % results["bytes_per_event"]),
    ]
    width = max(len(r[0]) for r in rows)
    table = "\n".join("%-*s  %s" % (width, a, b) for a, b in rows)
    print(table)
    print()
    targets = []
    for k, (op, want, what) in TARGETS.items():
        v = {**results, **ratios}.get(k)
        targets.append("| %s | %s %s | %s | %s |" % (what, op, want, "%.3g" % v if v is not None else "-", verdict(k, v)))
        print("target %-45s %s %-6s measured %-10s %s" % (what, op, want, "%.3g" % v if v is not None else "-",
                                                       verdict(k, v)))
    m = machine()
    md = ["# Performance", "",
          "The latest `make bench` (run %s on %s, %s cores, kernel %s). Every figure is the median"
          " of 3 runs; the limits are measured in the same run on the same machine, and the targets"
          " are judged on ratios, because absolute numbers drift by up to 2x between runs here"
          ", as the bare limits in the tables below show." % (started, m["cpu"], m["cores"], m["kernel"]), "",
          "| measure | result |", "| --- | --- |"]
    md += ["| %s | %s |" % r for r in rows]
    md += ["", "## Targets", "", "| target | wanted | measured | verdict |", "| --- | --- | --- | --- |"]
    md += targets
    md += ["", "## How it is measured", "",
           "- Broker: `carenet-sim load` (QoS 1, window 50) to `carenet-sim sink` through the bench's own mosquitto.",
           "- SQLite: `build/bench/bare_sqlite`, the same event rows and schema, 1,000 rows a transaction,"
           " WAL, synchronous=FULL.",
           "- libmicrohttpd: `build/bench/bare_http`, configured like carenetd (epoll thread, pool of 2),"
           " `wrk -t2 -c32`.",
           "- Ingest: 150,000 QoS 1 events from `carenet-sim load --max` over 10,000 devices; stored events"
           " divided by the time between the first and the last one stored.",
           "- Alarm latency: `carenet-sim pages`, 1,000 presses on distinct residents' pendants, while"
           " `carenet-sim load` runs at half the measured ingest rate.",
           "- SOS to webhook request: every primary is reached on a webhook channel; a Python receiver"
           " in the bench takes the arrival time (wall clock, ms) minus the alert's `last_event_at` (the"
           " pendant's `ts`, the press time); 1,000 presses idle, and the 3,000 presses of the half-load"
           " runs.",
           "- API: `wrk -t2 -c32 -d5s` with a bearer token on the full database.",
           "- Bytes per event: pages of the events table and its indexes (`dbstat`) divided by the rows.",
           "", "## What was changed to get here", "",
           "See CHANGELOG.md and the commit log; the notes in this section are kept by hand below.", ""]
    notes_path = os.path.join(ROOT, "docs/performance-notes.md")
    if os.path.exists(notes_path):
        with open(notes_path) as f:
            md.append(f.read())
    os.makedirs(os.path.join(ROOT, "docs"), exist_ok=True)
    with open(os.path.join(ROOT, "docs/performance.md"), "w") as f:
        f.write("\n".join(md) + "\n")


def sample_queue(d, out, stop_ev):
    """Ingest queue depth from /metrics every 0.1 s until stop_ev (a
    backlog there is where an alarm waits: the MQTT thread stops reading
    when the queue is full)."""
    end = time.monotonic() + 300
    while not stop_ev.is_set() and time.monotonic() < end:
        try:
            _, body = http_get(d.url + "/metrics", timeout=1)
            m = re.search(rb"^carenet_ingest_queue_depth (\d+)", body, re.M)
            if m:
                out.append(int(m.group(1)))
        except OSError:
            pass
        stop_ev.wait(0.1)


def daemon_counters(d):
    """(ingest commits so far, carenetd's CPU seconds so far)."""
    _, body = http_get(d.url + "/metrics", timeout=2)
    batches = int(re.search(rb"^carenet_ingest_batches_total (\d+)", body, re.M).group(1))
    with open("/proc/%d/stat" % d.p.pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return batches, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def alarm_only():
    """BENCH_ONLY=alarm: the alarm part alone, at a fixed background rate."""
    rate = float(os.environ.get("BENCH_BG_RATE", "13000"))
    runs = int(os.environ.get("BENCH_ALARM_RUNS", "3"))
    warm = int(os.environ.get("BENCH_WARM", "1"))
    if os.path.exists(WORK):
        shutil.rmtree(WORK)
    os.makedirs(WORK)
    cache = os.path.join(BUILD, "bench-cache.db")
    db_path = os.path.join(WORK, "carenet.db")
    try:
        broker, port = start_broker()
        d = Daemon(db_path, port)
        if os.path.exists(cache) and os.environ.get("BENCH_FRESH") != "1":
            shutil.copyfile(cache, db_path)
        else:
            d.start()
            d.stop()
            fill(db_path)
            shutil.copyfile(db_path, cache)
        d.start()
        global RUNS
        saved, RUNS = RUNS, warm
        if warm:
            ingest(d, port)
        RUNS = saved
        # Each run needs its own pendants (one alert per resident): the
        # three groups, over again on a new daemon after a reset of the
        # alerts they raised.
        for i in range(runs):
            g = "abc"[i % 3]
            if i and i % 3 == 0:
                d.stop()
                db = sqlite3.connect(db_path, timeout=30)
                db.execute("UPDATE alerts SET status='resolved', resolved_at=updated_at"
                           " WHERE status <> 'resolved'")
                db.commit()
                db.close()
                d.start()
            batches0, cpu0 = daemon_counters(d)
            depths, stop_ev = [], threading.Event()
            sampler = threading.Thread(target=sample_queue, args=(d, depths, stop_ev), daemon=True)
            sampler.start()
            try:
                res = alarm_latency(port, rate, g)
            except RuntimeError as e:  # a run that lost pages: say so, go on
                res = (None, None, None, None)
                log(str(e))
            finally:
                stop_ev.set()
                sampler.join()
            batches1, cpu1 = daemon_counters(d)
            print(json.dumps({"run": i + 1, "bg_rate": rate, "page_p50_ms": res[0], "page_p99_ms": res[1],
                              "commits": batches1 - batches0, "cpu_s": round(cpu1 - cpu0, 2),
                              "ack_p50_ms": res[2], "ack_p99_ms": res[3],
                              "queue_max": max(depths) if depths else None,
                              "queue_over_1000": sum(1 for x in depths if x > 1000),
                              "queue_samples": len(depths)}), flush=True)
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                stop(p)


def main():
    if ONLY == "alarm":
        alarm_only()
        return
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    if os.path.exists(WORK):
        shutil.rmtree(WORK)
    os.makedirs(WORK)
    limits, results, ratios = {}, {}, {}
    broker = None
    d = None
    try:
        broker, port = start_broker()
        limits["broker_qos1_msg_s"] = limit_broker(port)
        limits["sqlite_rows_s"] = limit_sqlite()
        limits["http_req_s"], limits["http_p99_ms"] = limit_http()
        db_path = os.path.join(WORK, "carenet.db")
        d = Daemon(db_path, port)
        d.start()
        d.stop()
        hook = HookReceiver()
        fill(db_path, hook.port)
        startups = []
        for _ in range(RUNS):
            startups.append(d.start())
            d.stop()
        results["startup_s"] = median(startups)
        log("start-up on the full database: %s" % ", ".join("%.3f s" % s for s in startups))
        d.start()
        results["ingest_events_s"] = ingest(d, port)
        results["peak_rss_mib"] = d.peak_rss_mib()
        ratios["ingest_ratio"] = results["ingest_events_s"] / limits["broker_qos1_msg_s"]
        results["bytes_per_event"] = db_bytes_per_event(db_path)
        results["webhook_idle_p50_ms"], results["webhook_idle_p99_ms"] = webhook_idle(port, hook)
        (results["alarm_page_p50_ms"], results["alarm_page_p99_ms"], results["alarm_ack_p50_ms"],
         results["alarm_ack_p99_ms"]) = alarm_latency(port, results["ingest_events_s"] / 2)
        end = time.monotonic() + 20
        while time.monotonic() < end and sum(len(hook.latencies("bench-sos-" + g)) for g in "abc") < 3 * PRESSES:
            time.sleep(0.2)
        loaded = sorted(sum((hook.latencies("bench-sos-" + g) for g in "abc"), []))
        results["webhook_load_p50_ms"], results["webhook_load_p99_ms"] = pct(loaded, 50), pct(loaded, 99)
        log("SOS to webhook, half load: p50 %.2f ms p99 %.2f ms (%d of %d)" % (
            results["webhook_load_p50_ms"], results["webhook_load_p99_ms"], len(loaded), 3 * PRESSES))
        for name, (rps, p99) in api(d).items():
            results[name + "_req_s"] = rps
            results[name + "_p99_ms"] = p99
            ratios[name + "_ratio"] = rps / limits["http_req_s"]
        write_report(results, limits, ratios, started)
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                stop(p)
    log("done in %.0f s" % (600 - left()))


if __name__ == "__main__":
    main()
