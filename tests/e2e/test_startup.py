"""Start-up, configuration and shutdown (issue 2): bad input refuses to
start with one line naming the key and leaves nothing half-made; SIGTERM
exits 0 promptly; /healthz follows the broker."""
import os
import socket
import sqlite3
import subprocess

import pytest

from conftest import BOOTSTRAP, CARENETD, Daemon, free_port, wait_until

KEYS = ["db_path", "mqtt_host", "mqtt_port", "mqtt_username", "mqtt_password", "mqtt_cafile",
        "mqtt_client_id", "topic_root", "z2m_base", "http_bind", "http_port", "http_tls_cert",
        "http_tls_key", "timezone", "bootstrap_token", "escalate_p1_s", "escalate_p2_s",
        "escalate_p3_s", "low_battery_pct", "battery_ok_pct", "offline_after",
        "event_retention_days", "log_level"]


def run(args, env=None, timeout=20):
    e = {k: v for k, v in os.environ.items() if not k.startswith("CARENET_")}
    e.update(env or {})
    return subprocess.run([CARENETD] + args, capture_output=True, text=True, timeout=timeout, env=e)


def test_help_lists_every_contract_key():
    r = run(["--help"])
    assert r.returncode == 0
    for key in KEYS:
        assert key in r.stdout, key


@pytest.mark.parametrize("args,env,key", [
    (["--no_such_key", "1"], None, "no_such_key"),
    (["--http_port", "eighty"], None, "http_port"),
    (["--http_port", "70000"], None, "http_port"),
    (["--escalate_p1_s", "0"], None, "escalate_p1_s"),
    (["--log_level", "loud"], None, "log_level"),
    (["--timezone", "Mars/Olympus"], None, "timezone"),
    (["--http_tls_cert", "/tmp/x.pem"], None, "http_tls"),
    (["-c", "/nonexistent/carenet.conf"], None, "/nonexistent/carenet.conf"),
    ([], {"CARENET_MQTT_PORT": "-1"}, "mqtt_port"),
    ([], {"CARENET_NOPE": "1"}, "CARENET_NOPE"),
])
def test_bad_settings_refuse_to_start_naming_the_key(tmp_path, args, env, key):
    db = tmp_path / "c.db"
    r = run(["--db_path", str(db)] + args, env)
    assert r.returncode == 2
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and key in lines[0], r.stderr
    assert not db.exists()


def test_config_file_error_names_file_and_line(tmp_path):
    conf = tmp_path / "carenet.conf"
    conf.write_text("# comment\nhttp_port 8081\nescalate_p2_s lots\n")
    r = run(["-c", str(conf), "--db_path", str(tmp_path / "c.db")])
    assert r.returncode == 2
    assert "%s:3" % conf in r.stderr and "escalate_p2_s" in r.stderr


def test_unwritable_database_path_fails_with_one_line(tmp_path):
    r = run(["--db_path", "/proc/carenet/c.db", "--http_port", str(free_port()),
             "--mqtt_port", str(free_port())])
    assert r.returncode != 0
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and "db_path" in lines[0], r.stderr


def test_http_port_in_use_fails_and_leaves_no_database(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        db = tmp_path / "c.db"
        r = run(["--db_path", str(db), "--http_port", str(port), "--mqtt_port", str(free_port())])
    assert r.returncode != 0
    assert "http_port" in r.stderr and str(port) in r.stderr
    assert not db.exists() and not (tmp_path / "c.db-wal").exists()


def test_sigterm_exits_0_and_a_restart_keeps_every_row(api, daemon, broker):
    api.ok("POST", "/v1/sites", {"id": "keep-site", "name": "Kept"})
    assert daemon.stop(timeout=30) == 0  # bounded wait; a hang fails here
    daemon.start()
    assert api.ok("GET", "/v1/sites/keep-site")["name"] == "Kept"
    db = sqlite3.connect(daemon.db_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # Only hashes: the bootstrap token itself is nowhere in the file.
    db.close()
    with open(daemon.db_path, "rb") as f:
        assert BOOTSTRAP.encode() not in f.read()


def test_service_status_online_retained_and_offline_on_stop(mq, daemon):
    watcher = mq()
    watcher.subscribe("carenet/service/status")
    watcher.wait_for(r"carenet/service/status", lambda p: p == "online")
    daemon.stop()
    watcher.wait_for(r"carenet/service/status", lambda p: p == "offline")


def test_healthz_follows_the_broker(api, broker, daemon):
    assert api.get("/healthz").json() == {"status": "ok", "db": "ok", "mqtt": "connected"}
    broker.stop()
    def degraded():
        r = api.get("/healthz")
        return r.json() if r.status_code == 503 else None
    h = wait_until(degraded, 10, what="healthz 503")
    assert h["mqtt"] == "disconnected" and h["status"] != "ok"
    broker.start()
    wait_until(lambda: api.get("/healthz").status_code == 200, 30, what="healthz ok again")
