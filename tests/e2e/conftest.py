"""End-to-end harness: a real mosquitto and a real carenetd on loopback.

Each test gets its own broker (on a free port) and its own daemon on a
fresh database; both are stopped by PID when the test ends, pass or fail.
Tests talk to them as devices (MQTT) and staff (HTTP) do.
"""
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import paho.mqtt.client as mqtt
import pytest
import requests

CARENETD = os.environ.get("CN_TEST_DAEMON", os.path.join(os.path.dirname(__file__), "../../build/san/carenetd"))
CARENET_SIM = os.environ.get("CN_TEST_SIM", os.path.join(os.path.dirname(__file__), "../../build/san/carenet-sim"))
BOOTSTRAP = "e2e-bootstrap-token-0123456789"
DATA_DIR = os.path.join(os.path.dirname(__file__), "../data")

# Sanitizer reports must fail the run, and leaks found at exit must not be
# hidden by a clean exit code.
os.environ.setdefault("ASAN_OPTIONS", "abort_on_error=1:detect_leaks=1")
os.environ.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")


# CN_TEST_ENGINE=pg runs the same suite on PostgreSQL: one postgresql-15
# server for the session (PgCluster), a fresh database for every daemon.
ENGINE = os.environ.get("CN_TEST_ENGINE", "sqlite")
PG_BIN = "/usr/lib/postgresql/15/bin"

sqlite_only = pytest.mark.skipif(ENGINE != "sqlite", reason="inspects the SQLite file itself")


def as_bytes(v):
    """A BLOB/bytea column from Daemon.query as bytes: SQLite gives bytes
    (or text), psql gives bytea as \\x hex."""
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v)
    if isinstance(v, str) and v.startswith("\\x"):
        return bytes.fromhex(v[2:])
    return v.encode() if isinstance(v, str) else v


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(pred, timeout=10.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = pred()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError("timed out after %.1fs waiting for %s (last: %r)" % (timeout, what, last))


class Broker:
    def __init__(self, workdir, conf_extra=""):
        self.port = free_port()
        self.workdir = workdir
        self.conf = os.path.join(workdir, "mosquitto.conf")
        with open(self.conf, "w") as f:
            f.write("listener %d 127.0.0.1\nallow_anonymous true\n" % self.port)
            if os.geteuid() == 0:
                # As root mosquitto drops to its own user, which cannot write
                # our temp dir: persistence would silently be off.
                f.write("user root\n")
            f.write("persistence true\npersistence_location %s/\n" % workdir)
            f.write("queue_qos0_messages true\nmax_queued_messages 1000000\nset_tcp_nodelay true\n")
            f.write(conf_extra)
        self.proc = None
        self.start()

    def start(self):
        self.log = open(os.path.join(self.workdir, "mosquitto.log"), "ab")
        self.proc = subprocess.Popen(["mosquitto", "-c", self.conf], stdout=self.log, stderr=self.log)
        wait_until(self._listening, 10, what="broker on port %d" % self.port)

    def _listening(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def as_postgres(cmd, **kw):
    """Runs a PostgreSQL server tool as the postgres user (initdb refuses
    root)."""
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)


class PgCluster:
    """A postgresql-15 server in a temporary directory on a free loopback
    port, started with initdb/pg_ctl and stopped with pg_ctl stop -m fast
    (and by PID if that fails)."""

    def __init__(self, port=None, datadir=None, init=True):
        self.port = port or free_port()
        if datadir is None:
            self.base = tempfile.mkdtemp(prefix="carenet-pg-")
            os.chmod(self.base, 0o755)
            datadir = os.path.join(self.base, "data")
        else:
            self.base = None
        self.datadir = datadir
        self.logfile = self.datadir + ".log"
        if init:
            os.makedirs(self.datadir, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(self.datadir, "postgres", "postgres")
                if self.base:
                    shutil.chown(self.base, "postgres", "postgres")
            as_postgres([PG_BIN + "/initdb", "-D", self.datadir, "-U", "postgres", "--auth=trust",
                         "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
            with open(os.path.join(self.datadir, "postgresql.conf"), "a") as f:
                f.write("listen_addresses = '127.0.0.1'\nport = %d\n" % self.port)
                f.write("unix_socket_directories = ''\nmax_connections = 300\n")
                # Tests do not cut the power: skip the fsyncs of the many
                # CREATE DATABASEs. Commits still go through the WAL.
                f.write("fsync = off\nfull_page_writes = off\n")
                f.write("wal_level = replica\nmax_wal_senders = 4\n")
            with open(os.path.join(self.datadir, "pg_hba.conf"), "a") as f:
                f.write("host replication all 127.0.0.1/32 trust\n")
        self.pid = None
        self.counter = 0
        self.start()

    def start(self):
        as_postgres([PG_BIN + "/pg_ctl", "-D", self.datadir, "-l", self.logfile, "-w", "-t", "60",
                     "start"])
        with open(os.path.join(self.datadir, "postmaster.pid")) as f:
            self.pid = int(f.readline())

    def stop(self, mode="fast"):
        if self.pid is None:
            return
        try:
            as_postgres([PG_BIN + "/pg_ctl", "-D", self.datadir, "-m", mode, "-w", "-t", "60", "stop"])
        except subprocess.CalledProcessError:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.pid = None

    def remove(self):
        if self.base:
            shutil.rmtree(self.base, ignore_errors=True)

    def psql(self, sql, db="postgres"):
        """Runs SQL through psql; returns the rows as lists of strings."""
        r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\x1f", "-v", "ON_ERROR_STOP=1",
                            "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", db,
                            "-c", sql], check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        return [line.split("\x1f") for line in r.stdout.splitlines() if line]

    def url(self, db):
        return "host=127.0.0.1 port=%d dbname=%s user=postgres connect_timeout=5" % (self.port, db)

    def new_database(self, name=None):
        self.counter += 1
        name = name or "t%d_%d" % (os.getpid(), self.counter)
        self.psql('CREATE DATABASE "%s" TEMPLATE template0' % name)
        return name


_pg_cluster = None


def pg_cluster():
    """The session's server, started on first use (stopped at exit)."""
    global _pg_cluster
    if _pg_cluster is None:
        _pg_cluster = PgCluster()
    return _pg_cluster


def pytest_sessionfinish(session, exitstatus):
    if _pg_cluster is not None:
        _pg_cluster.stop()
        _pg_cluster.remove()


class Daemon:
    """carenetd on a temporary database; `args` are extra --key value flags.
    On PostgreSQL (CN_TEST_ENGINE=pg) each db_path stands for its own fresh
    database, so a test that opens one path twice shares one database."""

    _pg_names = {}

    def __init__(self, workdir, broker, args=None):
        self.workdir = workdir
        self.broker = broker
        self.http_port = free_port()
        self.args = dict(args or {})
        self.db_path = self.args.pop("db_path", os.path.join(workdir, "carenet.db"))
        self.db_url = self.args.pop("db_url", None)
        if ENGINE == "pg" and self.db_url is None:
            cluster = pg_cluster()
            name = Daemon._pg_names.get(self.db_path)
            if name is None:
                name = cluster.new_database()
                Daemon._pg_names[self.db_path] = name
            self.db_name = name
            self.db_url = cluster.url(name)
        self.proc = None
        self.log_path = os.path.join(workdir, "carenetd.log")
        self.start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.http_port

    def command(self):
        cmd = [CARENETD, "--db_path", self.db_path] + (["--db_url", self.db_url] if self.db_url else []) + [
               "--mqtt_port", str(self.broker.port),
               "--http_port", str(self.http_port), "--bootstrap_token", BOOTSTRAP,
               "--log_level", "debug"]
        for k, v in self.args.items():
            cmd += ["--" + k, str(v)]
        return cmd

    def start(self, wait_healthy=True):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.command(), stdout=self.log, stderr=self.log)
        if wait_healthy:
            wait_until(self.healthy, 20, what="carenetd healthy")

    def healthy(self):
        if self.proc.poll() is not None:
            raise AssertionError("carenetd exited with %s:\n%s" % (self.proc.returncode, self.read_log()[-3000:]))
        try:
            return requests.get(self.url + "/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def stop(self, timeout=30):
        """SIGTERM and wait (a generous deadline: a sanitizer build on a
        loaded 2-core machine drains its queues slowly); returns the exit
        status."""
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("carenetd did not stop within %ss of SIGTERM" % timeout)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def restart(self):
        self.stop()
        self.start()

    def query(self, sql):
        """Rows of a query on the daemon's database, either engine (ints
        as ints). For tests that check what was stored."""
        if ENGINE == "pg":
            rows = pg_cluster().psql(sql, db=self.db_name)
            conv = lambda v: int(v) if re.fullmatch(r"-?\d+", v) else (None if v == "" else v)
            return [tuple(conv(v) for v in r) for r in rows]
        import sqlite3
        db = sqlite3.connect(self.db_path)
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()

    def stored_bytes(self):
        """Everything the database holds, as bytes: the SQLite file and its
        WAL, or a pg_dump of the PostgreSQL database."""
        if ENGINE == "pg":
            c = pg_cluster()
            r = subprocess.run(["pg_dump", "-h", "127.0.0.1", "-p", str(c.port), "-U", "postgres",
                                self.db_name], check=True, stdout=subprocess.PIPE)
            return {"pg_dump": r.stdout}
        blobs = {}
        for suffix in ("", "-wal", "-journal"):
            path = self.db_path + suffix
            if os.path.exists(path):
                with open(path, "rb") as f:
                    blobs[path] = f.read()
        return blobs

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


class Api:
    """requests with the base URL and a bearer token."""

    def __init__(self, base, token=None):
        self.base = base
        self.token = token
        self.s = requests.Session()

    def headers(self, extra=None):
        h = {}
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        h.update(extra or {})
        return h

    def request(self, method, path, body=None, raw=None, headers=None, **kw):
        h = self.headers(headers)
        data = raw
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            h.setdefault("Content-Type", "application/json")
        return self.s.request(method, self.base + path, data=data, headers=h, timeout=10, **kw)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def ok(self, method, path, body=None, status=(200, 201)):
        r = self.request(method, path, body)
        statuses = status if isinstance(status, tuple) else (status,)
        assert r.status_code in statuses, "%s %s -> %d %s" % (method, path, r.status_code, r.text)
        return r.json() if r.content else None

    def as_user(self, username, password):
        r = self.s.post(self.base + "/v1/auth/login", json={"username": username, "password": password}, timeout=10)
        assert r.status_code == 200, r.text
        return Api(self.base, r.json()["token"])


class Mqtt:
    """A paho client that records every message on its subscriptions."""

    def __init__(self, port, client_id=None, clean=True):
        self.messages = []
        self.cond = threading.Condition()
        self.c = mqtt.Client(client_id=client_id or "", clean_session=clean)
        self.c.on_message = self._on_message
        self.c.connect("127.0.0.1", port, keepalive=30)
        self.c.loop_start()

    def _on_message(self, client, userdata, msg):
        with self.cond:
            self.messages.append((msg.topic, msg.payload))
            self.cond.notify_all()

    def subscribe(self, topic, qos=1):
        r, mid = self.c.subscribe(topic, qos)
        assert r == mqtt.MQTT_ERR_SUCCESS
        time.sleep(0.1)  # let the SUBACK arrive before publishing

    def publish(self, topic, payload, qos=1, retain=False):
        if isinstance(payload, (dict, list)):
            payload = json.dumps(payload)
        info = self.c.publish(topic, payload, qos=qos, retain=retain)
        if qos:
            info.wait_for_publish(10)
        return info

    def wait_for(self, topic_re, pred=lambda p: True, timeout=10.0, count=1):
        """Waits until `count` messages on topics matching topic_re satisfy
        pred (payload decoded as JSON when possible); returns them."""
        rx = re.compile(topic_re)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                found = []
                for t, p in self.messages:
                    if not rx.fullmatch(t):
                        continue
                    try:
                        v = json.loads(p)
                    except ValueError:
                        v = p.decode("utf-8", "replace")
                    if pred(v):
                        found.append((t, v))
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("timed out waiting for %d message(s) on %s; got %r" % (
                        count, topic_re, [(t, p[:200]) for t, p in self.messages[-20:]]))
                self.cond.wait(left)

    def matching(self, topic_re, pred=lambda p: True):
        rx = re.compile(topic_re)
        out = []
        with self.cond:
            for t, p in self.messages:
                if rx.fullmatch(t):
                    try:
                        v = json.loads(p)
                    except ValueError:
                        v = p.decode("utf-8", "replace")
                    if pred(v):
                        out.append((t, v))
        return out

    def clear(self):
        with self.cond:
            self.messages.clear()

    def close(self):
        self.c.loop_stop()
        self.c.disconnect()


@pytest.fixture
def workdir():
    with tempfile.TemporaryDirectory(prefix="carenet-e2e-") as d:
        yield d


@pytest.fixture
def broker(workdir):
    b = Broker(workdir)
    yield b
    b.stop()


@pytest.fixture
def daemon_args():
    """Override in a test module to start carenetd with extra settings."""
    return {}


@pytest.fixture
def daemon(workdir, broker, daemon_args):
    d = Daemon(workdir, broker, daemon_args)
    yield d
    status = d.stop()
    log = d.read_log()
    # Storage errors the daemon logged: shown with a failing test's output.
    for line in log.splitlines():
        if line.startswith("carenet db:") or " ERROR: " in line:
            print("carenetd:", line)
    # A sanitizer report or a crash at exit fails the test that caused it.
    assert "ERROR: AddressSanitizer" not in log and "runtime error:" not in log, log[-4000:]
    assert status == 0, "carenetd exited with %r on SIGTERM:\n%s" % (status, log[-3000:])


@pytest.fixture
def api(daemon):
    return Api(daemon.url, BOOTSTRAP)


@pytest.fixture
def mq(broker):
    clients = []

    def make(**kw):
        c = Mqtt(broker.port, **kw)
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


class Site:
    """A small care site built over the REST API: a coordinator, caregivers
    on shift by tier, residents with devices. Tests extend it."""

    def __init__(self, api, shifts=True, prefix="t"):
        self.api = api
        self.prefix = prefix
        p = prefix
        self.site = api.ok("POST", "/v1/sites", {"id": p + "-site", "name": "Sunny Lane Centre",
                                                 "address": "1 Sunny Lane", "phone": "+86 10 1234 5678"})
        self.id = self.site["id"]
        self.password = "correct horse battery"
        self.coordinator = self.staff("coord", "coordinator")
        self.primary = self.staff("ann", "caregiver")
        self.backup = self.staff("bob", "caregiver")
        self.supervisor = self.staff("sue", "caregiver")
        self.volunteer = self.staff("val", "volunteer")
        if shifts:
            now = time.time()
            self.shift(self.primary, "primary", now - 3600, now + 8 * 3600)
            self.shift(self.backup, "backup", now - 3600, now + 8 * 3600)
            self.shift(self.supervisor, "supervisor", now - 3600, now + 8 * 3600)

    def staff(self, name, role, **extra):
        body = {"id": "%s-%s" % (self.prefix, name), "site_id": self.id, "name": name.title(), "role": role,
                "phone": "+86 139 0000 0000", "username": "%s-%s" % (self.prefix, name),
                "password": self.password}
        body.update(extra)
        return self.api.ok("POST", "/v1/staff", body)

    def shift(self, staff, tier, start, end):
        iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
        return self.api.ok("POST", "/v1/shifts", {"staff_id": staff["id"], "site_id": self.id,
                                                  "starts_at": iso(start), "ends_at": iso(end), "tier": tier})

    def resident(self, name, **extra):
        body = {"id": "%s-%s" % (self.prefix, name.lower().replace(" ", "-")), "site_id": self.id, "name": name,
                "address": "2 Garden Road, flat 3", "phone": "+86 10 8765 4321"}
        body.update(extra)
        return self.api.ok("POST", "/v1/residents", body)

    def device(self, resident, dev_id, kind, **extra):
        body = {"id": dev_id, "resident_id": resident["id"], "kind": kind}
        body.update(extra)
        return self.api.ok("POST", "/v1/devices", body)

    def login(self, staff):
        return self.api.as_user(staff["username"], self.password)
