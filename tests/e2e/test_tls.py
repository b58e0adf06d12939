"""Transport security (issue 8): the production broker configuration
(deploy/mosquitto/production.conf and acl) with TLS, passwords and the ACL,
and carenetd serving HTTPS and talking to that broker over TLS.

Each test makes a CA and a server certificate (CN 127.0.0.1, SAN
IP:127.0.0.1 and DNS:localhost) with openssl in its temporary directory,
starts mosquitto from a copy of production.conf with the paths and the port
rewritten, and starts carenetd with --mqtt_cafile, --mqtt_username and
--http_tls_cert/--http_tls_key. Everything listens on 127.0.0.1 only.
"""
import json
import os
import pwd
import re
import ssl
import subprocess
import threading
import time

import paho.mqtt.client as mqtt
import pytest
import requests

from conftest import BOOTSTRAP, Api, Broker, Daemon, Site, free_port

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../..")
PROD_CONF = os.path.join(ROOT, "deploy/mosquitto/production.conf")
PROD_ACL = os.path.join(ROOT, "deploy/mosquitto/acl")

# Broker users: the daemon, two devices and two staff apps (ann is the
# Site's primary caregiver, t-ann; bob its backup, t-bob).
USERS = {
    "carenetd": "daemon-password-0123",
    "dev-a": "device-a-password",
    "dev-b": "device-b-password",
    "staff-t-ann": "ann-app-password",
    "staff-t-bob": "bob-app-password",
}
# Per-staff blocks, as deploy/mosquitto/acl says to add them.
STAFF_ACL = """
user staff-t-ann
topic read carenet/staff/t-ann/notify
user staff-t-bob
topic read carenet/staff/t-bob/notify
"""


def run(cmd, cwd):
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


class Pki:
    """A throwaway CA and one server certificate signed by it."""

    def __init__(self, workdir):
        d = os.path.join(workdir, "tls")
        os.mkdir(d)
        self.dir = d
        self.ca = os.path.join(d, "ca.crt")
        self.cert = os.path.join(d, "server.crt")
        self.key = os.path.join(d, "server.key")
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        run(["openssl", "req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
                                                "-subj", "/CN=CareNet e2e test CA"], d)
        run(["openssl", "req"] + ec + ["-keyout", "server.key", "-out", "server.csr",
                                       "-subj", "/CN=127.0.0.1"], d)
        with open(os.path.join(d, "server.ext"), "w") as f:
            f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                    "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
        run(["openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "server.ext"], d)


class TlsBroker(Broker):
    """mosquitto from production.conf: TLS listener on a free loopback
    port, password file, ACL (production's plus the staff blocks)."""

    def __init__(self, workdir, pki):
        self.port = free_port()
        self.workdir = workdir
        self.conf = os.path.join(workdir, "mosquitto.conf")
        passwd = os.path.join(workdir, "mosquitto.passwd")
        open(passwd, "w").close()
        for user, password in USERS.items():
            run(["mosquitto_passwd", "-b", passwd, user, password], workdir)
        acl = os.path.join(workdir, "mosquitto.acl")
        with open(PROD_ACL) as src, open(acl, "w") as dst:
            dst.write(src.read() + STAFF_ACL)
        rewrite = {
            "listener": "listener %d 127.0.0.1" % self.port,
            "cafile": "cafile " + pki.ca,
            "certfile": "certfile " + pki.cert,
            "keyfile": "keyfile " + pki.key,
            "password_file": "password_file " + passwd,
            "acl_file": "acl_file " + acl,
            "persistence_location": "persistence_location %s/" % workdir,
        }
        seen = set()
        out = []
        with open(PROD_CONF) as f:
            for line in f:
                word = line.split(None, 1)[0] if line.strip() and not line.startswith("#") else None
                if word in rewrite:
                    seen.add(word)
                    line = rewrite[word] + "\n"
                out.append(line)
        assert seen == set(rewrite), "production.conf lacks %s" % (set(rewrite) - seen)
        # Run as whoever runs the tests: as root, mosquitto would otherwise
        # drop to user mosquitto, which cannot read the temporary files.
        out.append("user %s\n" % pwd.getpwuid(os.geteuid()).pw_name)
        with open(self.conf, "w") as f:
            f.writelines(out)
        self.proc = None
        self.start()


class TlsDaemon(Daemon):
    """carenetd serving HTTPS, connected to the TLS broker as carenetd."""

    def __init__(self, workdir, broker, pki):
        self.pki = pki
        super().__init__(workdir, broker, {
            "mqtt_cafile": pki.ca, "mqtt_username": "carenetd", "mqtt_password": USERS["carenetd"],
            "http_tls_cert": pki.cert, "http_tls_key": pki.key})

    @property
    def url(self):
        return "https://127.0.0.1:%d" % self.http_port

    def healthy(self):
        if self.proc.poll() is not None:
            raise AssertionError("carenetd exited with %s:\n%s" % (self.proc.returncode, self.read_log()[-3000:]))
        try:
            return requests.get(self.url + "/healthz", timeout=1, verify=self.pki.ca).status_code == 200
        except requests.RequestException:
            return False


def mqtt_connect(port, pki, username=None, password=None, client_id="", tls=True, timeout=10):
    """A paho client over TLS; returns (client, CONNACK code or None when
    the connection failed before a CONNACK)."""
    c = mqtt.Client(client_id=client_id, clean_session=True)
    if tls:
        c.tls_set(ca_certs=pki.ca, tls_version=ssl.PROTOCOL_TLS_CLIENT)
    if username is not None:
        c.username_pw_set(username, password)
    done = threading.Event()
    result = {}

    def on_connect(client, userdata, flags, rc):
        result["rc"] = rc
        done.set()

    def on_disconnect(client, userdata, rc):
        done.set()

    c.on_connect = on_connect
    c.on_disconnect = on_disconnect
    try:
        c.connect("127.0.0.1", port, keepalive=30)
    except (OSError, ssl.SSLError):
        return c, None
    c.loop_start()
    done.wait(timeout)
    return c, result.get("rc")


class TlsMqtt:
    """conftest.Mqtt's recording client, over TLS with a username."""

    def __init__(self, port, pki, username):
        self.messages = []
        self.cond = threading.Condition()
        self.c, rc = mqtt_connect(port, pki, username, USERS[username])
        assert rc == 0, "%s could not connect: %r" % (username, rc)
        self.c.on_message = self._on_message

    def _on_message(self, client, userdata, msg):
        with self.cond:
            self.messages.append((msg.topic, msg.payload))
            self.cond.notify_all()

    def subscribe(self, topic, qos=1):
        done = threading.Event()
        self.c.on_subscribe = lambda *a: done.set()
        r, _ = self.c.subscribe(topic, qos)
        assert r == mqtt.MQTT_ERR_SUCCESS
        assert done.wait(10), "no SUBACK for " + topic

    def publish(self, topic, payload, qos=1):
        if isinstance(payload, (dict, list)):
            payload = json.dumps(payload)
        info = self.c.publish(topic, payload, qos=qos)
        info.wait_for_publish(10)
        assert info.is_published(), "no PUBACK on " + topic
        return info

    def wait_for(self, topic_re, pred=lambda p: True, timeout=10.0):
        rx = re.compile(topic_re)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for t, p in self.messages:
                    if rx.fullmatch(t):
                        try:
                            v = json.loads(p)
                        except ValueError:
                            v = p
                        if pred(v):
                            return t, v
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("timed out waiting on %s; got %r" % (topic_re, self.messages[-10:]))
                self.cond.wait(left)

    def topics(self):
        with self.cond:
            return [t for t, _ in self.messages]

    def close(self):
        self.c.loop_stop()
        self.c.disconnect()


@pytest.fixture
def pki(workdir):
    return Pki(workdir)


@pytest.fixture
def tls_broker(workdir, pki):
    b = TlsBroker(workdir, pki)
    yield b
    b.stop()


@pytest.fixture
def tls_daemon(workdir, tls_broker, pki):
    d = TlsDaemon(workdir, tls_broker, pki)
    yield d
    status = d.stop()
    log = d.read_log()
    assert "ERROR: AddressSanitizer" not in log and "runtime error:" not in log, log[-4000:]
    assert status == 0, "carenetd exited with %r on SIGTERM:\n%s" % (status, log[-3000:])


@pytest.fixture
def tls_api(tls_daemon, pki):
    a = Api(tls_daemon.url, BOOTSTRAP)
    # Trust our CA only; and ignore REQUESTS_CA_BUNDLE and proxies from the
    # environment, which would override the session's verify.
    a.s.trust_env = False
    a.s.verify = pki.ca
    return a


@pytest.fixture
def devices(tls_broker, pki):
    clients = []

    def make(username):
        c = TlsMqtt(tls_broker.port, pki, username)
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


def sos(dev, device_id, seq, topic_device=None):
    dev.publish("carenet/dev/%s/event" % (topic_device or device_id),
                {"type": "button", "value": "press", "seq": seq})


def test_https_serves_and_plain_http_does_not(tls_daemon, pki):
    r = requests.get(tls_daemon.url + "/healthz", verify=pki.ca, timeout=5)
    assert r.status_code == 200
    # connected to the TLS broker with its username: the health says so
    h = r.json()
    assert {k: h[k] for k in ("status", "db", "mqtt", "role")} == {
        "status": "ok", "db": "ok", "mqtt": "connected", "role": "leader"}
    # the name in the certificate is checked too (SAN DNS:localhost)
    r = requests.get("https://localhost:%d/healthz" % tls_daemon.http_port, verify=pki.ca, timeout=5)
    assert r.status_code == 200
    # a client that does not trust our CA refuses the server
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(tls_daemon.url + "/healthz", timeout=5)
    # plain HTTP on the HTTPS port gets no HTTP answer
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get("http://127.0.0.1:%d/healthz" % tls_daemon.http_port, timeout=5)
    # and the daemon is still fine afterwards
    assert requests.get(tls_daemon.url + "/healthz", verify=pki.ca, timeout=5).status_code == 200


def test_device_sos_over_tls_is_acked_and_pages_only_its_caregiver(tls_api, devices):
    site = Site(tls_api)
    ann = site.resident("Ann Li")
    site.device(ann, "dev-a", "sos_button")
    ann_app = devices("staff-t-ann")
    ann_app.subscribe("carenet/staff/+/notify")
    bob_app = devices("staff-t-bob")
    bob_app.subscribe("carenet/staff/#")
    dev = devices("dev-a")
    dev.subscribe("carenet/dev/dev-a/#")  # granted; only ack and cmd are delivered

    sos(dev, "dev-a", 7)
    _, ack = dev.wait_for(r"carenet/dev/dev-a/ack", lambda p: p["seq"] == 7)
    assert ack["alert_id"]
    topic, page = ann_app.wait_for(r"carenet/staff/[^/]+/notify")
    assert topic == "carenet/staff/t-ann/notify" and page["id"] == ack["alert_id"]
    # the acknowledgement reaches the device on its cmd topic
    tls_api.ok("POST", "/v1/alerts/%s/ack" % ack["alert_id"])
    _, cmd = dev.wait_for(r"carenet/dev/dev-a/cmd")
    assert cmd == {"cmd": "help_coming", "alert_id": ack["alert_id"]}
    # bob's app may read only its own notify topic: ann's page never reaches it
    assert bob_app.topics() == []
    # the device never hears its own publishes back
    assert set(dev.topics()) == {"carenet/dev/dev-a/ack", "carenet/dev/dev-a/cmd"}


def test_device_cannot_publish_or_read_as_another_device(tls_api, devices):
    site = Site(tls_api)
    ann = site.resident("Ann Li")
    bo = site.resident("Bo Wang")
    site.device(ann, "dev-a", "sos_button")
    site.device(bo, "dev-b", "sos_button")
    dev_b = devices("dev-b")
    dev_b.subscribe("carenet/dev/dev-b/ack")
    dev_b.subscribe("carenet/dev/dev-b/cmd")
    dev_a = devices("dev-a")
    dev_a.subscribe("carenet/dev/dev-a/ack")
    # A also tries to listen to B and to staff notifications
    dev_a.subscribe("carenet/dev/dev-b/#")
    dev_a.subscribe("carenet/staff/#")

    # A publishes as B: the broker acknowledges (MQTT 3.1.1) and drops it.
    sos(dev_a, "dev-a", 1, topic_device="dev-b")
    dev_a.publish("carenet/dev/dev-b/heartbeat", {"battery": 3})
    dev_a.publish("carenet/dev/dev-b/status", "offline")
    # A's own alarm after it: once its ack is back, the broker has long
    # passed the spoofed messages on (or not), in order.
    sos(dev_a, "dev-a", 2)
    dev_a.wait_for(r"carenet/dev/dev-a/ack", lambda p: p["seq"] == 2)
    time.sleep(0.5)
    assert tls_api.ok("GET", "/v1/events?device_id=dev-b")["items"] == []
    assert tls_api.ok("GET", "/v1/alerts?resident_id=%s" % bo["id"])["items"] == []
    assert tls_api.ok("GET", "/v1/devices/dev-b")["status"] != "offline"
    assert dev_b.topics() == []

    # B's own alarm is acked to B, and A hears nothing of it (nor of any
    # staff notification).
    sos(dev_b, "dev-b", 5)
    _, ack = dev_b.wait_for(r"carenet/dev/dev-b/ack", lambda p: p["seq"] == 5)
    assert ack["alert_id"]
    events = tls_api.ok("GET", "/v1/events?device_id=dev-b")["items"]
    assert [e["seq"] for e in events] == [5]
    time.sleep(0.5)
    assert set(dev_a.topics()) == {"carenet/dev/dev-a/ack"}


def test_broker_refuses_anonymous_bad_passwords_and_plain_tcp(tls_daemon, tls_broker, pki):
    c, rc = mqtt_connect(tls_broker.port, pki)  # anonymous
    assert rc is not None and rc != 0, "anonymous connection was accepted"
    c.loop_stop()
    c, rc = mqtt_connect(tls_broker.port, pki, "dev-a", "not-the-password")
    assert rc is not None and rc != 0
    c.loop_stop()
    c, rc = mqtt_connect(tls_broker.port, pki, "nobody", "whatever")
    assert rc is not None and rc != 0
    c.loop_stop()
    # Plain MQTT on the TLS listener gets no CONNACK.
    c, rc = mqtt_connect(tls_broker.port, pki, "dev-a", USERS["dev-a"], tls=False, timeout=3)
    assert rc is None
    c.loop_stop()
    # the right password works
    c, rc = mqtt_connect(tls_broker.port, pki, "dev-a", USERS["dev-a"])
    assert rc == 0
    c.loop_stop()
    c.disconnect()
    # and carenetd is connected through all of it
    r = requests.get(tls_daemon.url + "/healthz", verify=pki.ca, timeout=5)
    assert r.json()["mqtt"] == "connected"
