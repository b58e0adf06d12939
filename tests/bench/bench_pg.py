#!/usr/bin/python3
"""make bench, PostgreSQL part: carenetd on a postgresql-15 server the
benchmark starts itself (fsync on), against a bare multi-row INSERT into the
same server in the same run; alarm latency idle and under load; and the
failover time of two nodes (leader killed with SIGKILL -> the first ack
from the new leader). Writes build/bench_pg.json and docs/performance-pg.md.
Every loop is bounded in count and time; everything started here is
stopped by PID."""
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../e2e"))
import bench as B  # noqa: E402  (helpers: start, stop, run_json, broker, median)
from conftest import PgCluster  # noqa: E402
import paho.mqtt.client as mqtt  # noqa: E402

BARE_PG = os.path.join(B.BUILD, "bench/bare_pg")
RESIDENTS, PRESSES, LOAD_DEVICES = 2000, 200, 2000
INGEST_COUNT = int(os.environ.get("BENCH_PG_INGEST_COUNT", "40000"))
FAILOVERS = 3
# BENCH_PG_ONLY=ingest: only the bare insert and the ingest figure (for a
# quick before/after of an ingest change); the report files are not written.
ONLY = os.environ.get("BENCH_PG_ONLY", "")
# BENCH_PG_DAEMON: another carenetd binary (say, one built before a change).
B.DAEMON = os.environ.get("BENCH_PG_DAEMON", B.DAEMON)
B.DEADLINE = time.monotonic() + 480
STARTED_AT = time.time()


def log(msg):
    print("bench-pg: " + msg, file=sys.stderr, flush=True)


def fill(pg, db):
    now = int(time.time() * 1000)
    pg.psql(
        "INSERT INTO sites(id,name,created_at,updated_at) VALUES ('site-0','Site',%d,%d);"
        "INSERT INTO staff(id,site_id,name,role,username,created_at,updated_at) VALUES"
        " ('care-a','site-0','A','caregiver','care-a',%d,%d);"
        "INSERT INTO shifts(id,staff_id,site_id,starts_at,ends_at,tier,created_at) VALUES"
        " ('sh','care-a','site-0',%d,%d,'primary',%d);"
        "INSERT INTO residents(id,site_id,name,created_at,updated_at)"
        " SELECT 'res-'||g,'site-0','R'||g,%d,%d FROM generate_series(0,%d) g;"
        "INSERT INTO devices(id,resident_id,kind,heartbeat_s,created_at,updated_at)"
        " SELECT 'load-'||(g+1),'res-'||g,'motion',3600,%d,%d FROM generate_series(0,%d) g;"
        "INSERT INTO devices(id,resident_id,kind,heartbeat_s,created_at,updated_at)"
        " SELECT 'bench-sos-'||grp||'-'||CASE WHEN g < %d THEN g %% %d + 1 ELSE g + 1 END,"
        " 'res-'||g,'sos_button',3600,%d,%d"
        " FROM generate_series(0,%d) g, LATERAL (SELECT CASE WHEN g < %d THEN 'a'"
        " WHEN g < %d THEN 'b' ELSE 'x' END AS grp) q;"
        % (now, now, now, now, now - 3600000, now + 86400000, now, now, now, RESIDENTS - 1,
           now, now, LOAD_DEVICES - 1, 2 * PRESSES, PRESSES, now, now, RESIDENTS - 1, PRESSES, 2 * PRESSES),
        db=db)


def count(pg, db, sql):
    return int(pg.psql(sql, db=db)[0][0])


class Node:
    def __init__(self, url, port, name):
        self.url_db, self.port, self.name, self.http_port, self.p = url, port, name, B.free_port(), None

    def start(self, wait_role=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("CARENET_")}
        self.p = B.start([B.DAEMON, "--db_url", self.url_db, "--node_name", self.name, "--mqtt_port",
                          str(self.port), "--http_port", str(self.http_port), "--bootstrap_token", B.TOKEN,
                          "--log_level", "warn", "--escalate_p1_s", "3600"], "carenetd-%s.log" % self.name, env)
        end = time.monotonic() + 30
        while time.monotonic() < end:
            if self.p.poll() is not None:
                raise RuntimeError("carenetd %s exited with %s" % (self.name, self.p.returncode))
            r = self.role()
            if r and (wait_role is None or r == wait_role):
                return
            time.sleep(0.01)
        raise RuntimeError("carenetd %s not healthy in 30 s" % self.name)

    def role(self):
        try:
            return json.loads(B.http_get("http://127.0.0.1:%d/healthz" % self.http_port, timeout=0.5)[1])["role"]
        except (OSError, ValueError, KeyError):
            return None


def bare(pg, db, mode=None):
    """Median rows/s of the bare client: every commit durable, or with
    mode "async" in ingest's bulk mode (synchronous_commit = off), which
    leaves the disk out and so drifts less on a shared machine."""
    rates = []
    for i in range(B.RUNS):
        res = B.run_json([BARE_PG, pg.url(db), "20000", "100"] + ([mode] if mode else []), 120)
        rates.append(res["rows_per_s"])
        log("bare multi-row INSERT%s run %d: %.0f rows/s" % (" (" + mode + ")" if mode else "", i + 1, rates[-1]))
    return B.median(rates)


def ingest(pg, db, port):
    """Events stored per second: INGEST_COUNT QoS 1 events from the first
    publish to the last row stored (polled every 0.2 s). Also returns the
    rate at which they were received (first to last received_at): the
    broker acknowledges on receipt, so that one shows the MQTT side only
    and hides a store that falls behind."""
    rates, received = [], []
    for i in range(B.RUNS):
        max_before = count(pg, db, "SELECT coalesce(max(id),0) FROM events")
        t0 = time.monotonic()
        B.run_json([B.SIM, "load", "--port", str(port), "--devices", str(LOAD_DEVICES), "--max", "--qos", "1",
                    "--count", str(INGEST_COUNT), "--inflight", "50", "--quiet"], 120)
        end = time.monotonic() + 90
        while count(pg, db, "SELECT count(*) FROM events WHERE id > %d" % max_before) < INGEST_COUNT \
                and time.monotonic() < end:
            time.sleep(0.2)
        t1 = time.monotonic()
        n, first, last = [int(v) for v in pg.psql(
            "SELECT count(*), min(received_at), max(received_at) FROM events WHERE id > %d" % max_before,
            db=db)[0]]
        if n < INGEST_COUNT:
            raise RuntimeError("ingest run %d stored %d of %d" % (i + 1, n, INGEST_COUNT))
        rates.append(n / max(0.001, t1 - t0))
        received.append(n / max(0.001, (last - first) / 1000.0))
        log("ingest run %d: %d events stored at %.0f/s (received at %.0f/s)" % (
            i + 1, n, rates[-1], received[-1]))
    return B.median(rates), B.median(received)


def latency(port, group, background_rate):
    bg = None
    if background_rate:
        bg = subprocess.Popen([B.SIM, "load", "--port", str(port), "--devices", str(LOAD_DEVICES), "--rate",
                               str(int(background_rate)), "--qos", "1", "--seconds", "60", "--count", "0",
                               "--inflight", "50", "--quiet", "--prefix", "load"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        B.procs.append(bg)
        time.sleep(2)
    try:
        res = B.run_json([B.SIM, "pages", "--port", str(port), "--prefix", "bench-sos-%s" % group,
                          "--presses", str(PRESSES), "--interval", "0.02", "--timeout", "20", "--quiet"], 120)
    finally:
        if bg:
            B.stop(bg, signal.SIGINT)
    log("alarm latency (%s): page p50 %.2f ms p99 %.2f ms, ack p50 %.2f ms" % (
        "under load" if background_rate else "idle", res["page_p50_ms"], res["page_p99_ms"], res["ack_p50_ms"]))
    return res


def failover(url, port):
    """Leader killed with SIGKILL while a pendant presses: seconds to the
    first ack, and to a new leader on /healthz."""
    times, leads = [], []
    a, b = Node(url, port, "fo-a"), Node(url, port, "fo-b")
    a.start("leader")
    b.start("standby")
    nodes = [a, b]
    for i in range(FAILOVERS):
        leader = next(n for n in nodes if n.role() == "leader")
        other = next(n for n in nodes if n is not leader)
        seq = 100 + i
        acked = threading.Event()
        c = mqtt.Client(client_id="fo-pendant-%d" % i, clean_session=True)
        c.on_message = lambda cl, u, m: acked.set() if json.loads(m.payload).get("seq") == seq else None
        c.connect("127.0.0.1", port)
        c.subscribe("carenet/dev/bench-sos-x-%d/ack" % (2 * PRESSES + 1 + i), 1)
        c.loop_start()
        time.sleep(0.3)
        t0 = time.monotonic()
        os.kill(leader.p.pid, signal.SIGKILL)
        leader.p.wait()
        new_leader_at = None
        end = t0 + 60
        while not acked.is_set() and time.monotonic() < end:
            c.publish("carenet/dev/bench-sos-x-%d/event" % (2 * PRESSES + 1 + i),
                      json.dumps({"type": "button", "value": "press", "seq": seq}), qos=1)
            acked.wait(0.2)
            if new_leader_at is None and other.role() == "leader":
                new_leader_at = time.monotonic()
        c.loop_stop()
        c.disconnect()
        if not acked.is_set():
            raise RuntimeError("failover %d: no ack within 60 s" % (i + 1))
        times.append(time.monotonic() - t0)
        leads.append((new_leader_at or time.monotonic()) - t0)
        log("failover %d: new leader after %.2f s, first ack after %.2f s" % (i + 1, leads[-1], times[-1]))
        leader.start("standby")
    for n in nodes:
        B.stop(n.p)
    return B.median(times), max(times), B.median(leads)


def both_engines(pg_res, pg_started):
    """The SQLite figures of this `make bench` (bench.py ran just before,
    build/bench.json) next to PostgreSQL's, each store judged against its
    own bare client. Returns markdown lines (also printed)."""
    path = os.path.join(B.BUILD, "bench.json")
    sq = {}
    note = "no SQLite figures: build/bench.json is missing (run `make bench`)"
    if os.path.exists(path):
        with open(path) as f:
            doc = json.load(f)
        sq = dict(doc.get("results", {}), **doc.get("limits", {}), **doc.get("ratios", {}))
        # bench.py writes it just before `make bench` starts this script.
        same = os.path.getmtime(path) >= STARTED_AT - 300
        note = "SQLite: bench.py of %s%s; PostgreSQL: bench_pg.py of %s." % (
            doc.get("date", "?"), " (this `make bench`)" if same else " (an earlier run, not this one)",
            pg_started)

    def f(d, k, fmt):
        v = d.get(k)
        return fmt % v if isinstance(v, (int, float)) else "-"

    def ratio(d, a, b):
        return "%.2f" % (d[a] / d[b]) if d.get(a) and d.get(b) else "-"

    rows = [
        ("bare client, batched insert into the events table (rows/s)",
         f(sq, "sqlite_rows_s", "%.0f") + " (1,000 rows a transaction, synchronous=FULL)",
         f(pg_res, "bare_pg_rows_s", "%.0f") + " (100-row INSERT, a durable commit each)"),
        ("ingest, stored events/s", f(sq, "ingest_events_s", "%.0f"), f(pg_res, "ingest_events_s", "%.0f")),
        ("ingest / its own bare insert", ratio(sq, "ingest_events_s", "sqlite_rows_s"),
         f(pg_res, "ingest_ratio", "%.2f")),
        ("bare insert with ingest's bulk commits (rows/s); ingest / it", "-",
         f(pg_res, "bare_pg_async_rows_s", "%.0f") + "; " + f(pg_res, "ingest_ratio_async", "%.2f")),
        ("ingest / broker QoS 1 pass-through", f(sq, "ingest_ratio", "%.2f"), "-"),
        ("SOS to first page p50 / p99, under load (ms)",
         f(sq, "alarm_page_p50_ms", "%.1f") + " / " + f(sq, "alarm_page_p99_ms", "%.1f"),
         f(pg_res, "alarm_load_page_p50_ms", "%.1f") + " / " + f(pg_res, "alarm_load_page_p99_ms", "%.1f")),
        ("SOS to ack p50, under load (ms)", f(sq, "alarm_ack_p50_ms", "%.1f"),
         f(pg_res, "alarm_load_ack_p50_ms", "%.1f")),
        ("SOS to first page p50 / p99, idle (ms)", "-",
         f(pg_res, "alarm_idle_page_p50_ms", "%.1f") + " / " + f(pg_res, "alarm_idle_page_p99_ms", "%.1f")),
        ("failover: leader killed -> first ack, median / max (s)", "- (one node)",
         f(pg_res, "failover_ack_s_median", "%.2f") + " / " + f(pg_res, "failover_ack_s_max", "%.2f")),
    ]
    lines = ["## Both engines side by side", "", note, "",
             "| figure | SQLite | PostgreSQL |", "| --- | --- | --- |"]
    lines += ["| %s | %s | %s |" % r for r in rows]
    width = max(len(r[0]) for r in rows)
    print("\n%-*s  %-28s  %s" % (width, "both engines", "SQLite", "PostgreSQL"))
    for r in rows:
        print("%-*s  %-28s  %s" % (width, r[0], r[1].split(" (")[0], r[2].split(" (")[0]))
    return lines


def main():
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    B.WORK = os.path.join(B.BUILD, "bench-pg-run")
    if os.path.exists(B.WORK):
        shutil.rmtree(B.WORK)
    os.makedirs(B.WORK)
    pg = PgCluster()
    res = {}
    try:
        # Real durability for the measurement: fsync and full-page writes on.
        pg.psql("ALTER SYSTEM SET fsync = on")
        pg.psql("ALTER SYSTEM SET full_page_writes = on")
        pg.stop()
        pg.start()
        pg.psql("CREATE DATABASE bench")
        url = pg.url("bench")
        _, port = B.start_broker()
        first = Node(url, port, "bench-1")
        first.start("leader")  # migrates
        fill(pg, "bench")
        B.stop(first.p)
        res["bare_pg_rows_s"] = bare(pg, "bench")
        res["bare_pg_async_rows_s"] = bare(pg, "bench", "async")
        node = Node(url, port, "bench-1")
        node.start("leader")
        res["ingest_events_s"], res["ingest_received_s"] = ingest(pg, "bench", port)
        res["ingest_ratio"] = res["ingest_events_s"] / res["bare_pg_rows_s"]
        res["ingest_ratio_async"] = res["ingest_events_s"] / res["bare_pg_async_rows_s"]
        if ONLY == "ingest":
            print(json.dumps(res, indent=2))
            return
        idle = latency(port, "a", 0)
        busy = latency(port, "b", res["ingest_events_s"] / 2)
        res.update({"alarm_idle_page_p50_ms": idle["page_p50_ms"], "alarm_idle_page_p99_ms": idle["page_p99_ms"],
                    "alarm_idle_ack_p50_ms": idle["ack_p50_ms"],
                    "alarm_load_page_p50_ms": busy["page_p50_ms"], "alarm_load_page_p99_ms": busy["page_p99_ms"],
                    "alarm_load_ack_p50_ms": busy["ack_p50_ms"]})
        B.stop(node.p)
        res["failover_ack_s_median"], res["failover_ack_s_max"], res["failover_leader_s_median"] = failover(url, port)
    finally:
        for p in reversed(B.procs):
            if p.poll() is None:
                B.stop(p)
        pg.stop()
        pg.remove()
    with open(os.path.join(B.BUILD, "bench_pg.json"), "w") as f:
        json.dump({"started": started, "results": res}, f, indent=2)
    m = B.machine()
    lines = ["# Performance on PostgreSQL", "",
             "`make bench` (tests/bench/bench_pg.py), %s, on %s, %d cores (shared)." % (
                 started, m["cpu"], m["cores"]),
             "carenetd (-O2) on a "
             "postgresql-15 server started by the benchmark on loopback (fsync on,",
             "synchronous_commit on), against a bare client on the same server in the",
             "same run. The SQLite figures are in docs/performance.md.", "",
             "| figure | value |", "| --- | --- |"]
    for k, v in res.items():
        lines.append("| `%s` | %s |" % (k, ("%.3f" % v) if isinstance(v, float) else v))
    lines += [""] + both_engines(res, started)
    notes = os.path.join(B.ROOT, "docs/performance-pg-notes.md")
    if os.path.exists(notes):  # kept by hand
        with open(notes) as f:
            lines += ["", f.read().rstrip()]
    with open(os.path.join(B.ROOT, "docs/performance-pg.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
