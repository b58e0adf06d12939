"""Real local receivers for the channel tests: an HTTP server that records
every request (method, path, query, headers, raw body) and answers each
path with a planned sequence of statuses (or hangs), and a small SMTP sink
(Python 3.12 has no smtpd; this speaks just enough SMTP for libcurl).
Both bind 127.0.0.1 on free ports and run in threads of the test."""
import base64
import hashlib
import hmac
import http.server
import socket
import socketserver
import threading
import time
import urllib.parse


class HttpReceiver:
    def __init__(self):
        self.requests = []
        self.plans = {}  # path -> list of statuses or ("hang", seconds); last one repeats
        self.cond = threading.Condition()
        self.hanging = 0
        rec = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                parsed = urllib.parse.urlsplit(self.path)
                with rec.cond:
                    plan = rec.plans.get(parsed.path, [200])
                    step = plan.pop(0) if len(plan) > 1 else plan[0]
                    rec.requests.append({"path": parsed.path, "query": parsed.query,
                                         "headers": dict(self.headers.items()), "body": body,
                                         "at": time.monotonic(), "answer": step})
                    rec.cond.notify_all()
                if isinstance(step, tuple) and step[0] == "hang":
                    with rec.cond:
                        rec.hanging += 1
                    time.sleep(step[1])
                    with rec.cond:
                        rec.hanging -= 1
                    step = 200
                out = b'{"errcode":0,"code":0}'
                try:
                    self.send_response(step)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(out)))
                    self.end_headers()
                    self.wfile.write(out)
                except OSError:
                    pass  # the client gave up (timeout)

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def plan(self, path, statuses):
        with self.cond:
            self.plans[path] = list(statuses)

    def wait_for(self, path, count=1, timeout=20.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                got = [r for r in self.requests if r["path"] == path]
                if len(got) >= count:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("timed out waiting for %d request(s) on %s; got %r" % (
                        count, path, [(r["path"], r["body"][:100]) for r in self.requests]))
                self.cond.wait(left)

    def on(self, path):
        with self.cond:
            return [r for r in self.requests if r["path"] == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class SmtpSink:
    """Accepts every mail and keeps (mail_from, rcpts, data)."""

    def __init__(self, reject_rcpt_code=None):
        self.mails = []
        self.cond = threading.Condition()
        self.reject_rcpt_code = reject_rcpt_code
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self):
        return "smtp://127.0.0.1:%d" % self.port

    def _accept(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn):
        f = conn.makefile("rwb")

        def say(line):
            f.write(line.encode() + b"\r\n")
            f.flush()

        try:
            say("220 sink ESMTP")
            mail_from, rcpts = None, []
            while True:
                line = f.readline()
                if not line:
                    return
                cmd = line.decode("utf-8", "replace").strip()
                up = cmd.upper()
                if up.startswith("EHLO") or up.startswith("HELO"):
                    say("250-sink")
                    say("250 8BITMIME")
                elif up.startswith("MAIL FROM:"):
                    mail_from = cmd[10:].strip()
                    say("250 ok")
                elif up.startswith("RCPT TO:"):
                    if self.reject_rcpt_code:
                        say("%d no such user" % self.reject_rcpt_code)
                    else:
                        rcpts.append(cmd[8:].strip())
                        say("250 ok")
                elif up == "DATA":
                    say("354 go ahead")
                    data = b""
                    while True:
                        l = f.readline()
                        if not l or l == b".\r\n":
                            break
                        if l.startswith(b".."):
                            l = l[1:]
                        data += l
                    with self.cond:
                        self.mails.append({"from": mail_from, "rcpts": rcpts, "data": data})
                        self.cond.notify_all()
                    say("250 queued")
                    mail_from, rcpts = None, []
                elif up == "QUIT":
                    say("221 bye")
                    return
                elif up in ("RSET", "NOOP"):
                    say("250 ok")
                else:
                    say("502 not implemented")
        except OSError:
            pass
        finally:
            conn.close()

    def wait_for(self, count=1, timeout=20.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.mails) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("timed out waiting for %d mail(s); got %d" % (count, len(self.mails)))
                self.cond.wait(left)
            return list(self.mails)

    def close(self):
        self.running = False
        self.sock.close()


# ---- how the receiving services verify signatures ----

def verify_webhook(secret, raw_body, header):
    """CareNet's own webhook and gateway signature."""
    want = "sha256=" + hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(want, header or "")


def verify_dingtalk(secret, query, now_ms=None, max_skew_ms=3600 * 1000):
    """DingTalk: sign = urlencode(base64(HmacSHA256(key=secret, timestamp+"\\n"+secret))),
    timestamp in ms and within an hour."""
    q = urllib.parse.parse_qs(query)
    ts, sign = q["timestamp"][0], q["sign"][0]  # parse_qs undoes the URL-encoding
    now_ms = now_ms or int(time.time() * 1000)
    if abs(now_ms - int(ts)) > max_skew_ms:
        return False
    mac = hmac.new(secret.encode(), ("%s\n%s" % (ts, secret)).encode(), hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(mac).decode(), sign)


def verify_feishu(secret, body):
    """Feishu: sign = base64(HmacSHA256(key=timestamp+"\\n"+secret, msg="")), timestamp in s."""
    ts, sign = body["timestamp"], body["sign"]
    if abs(time.time() - int(ts)) > 3600:
        return False
    mac = hmac.new(("%s\n%s" % (ts, secret)).encode(), b"", hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(mac).decode(), sign)
