"""HTTP abuse (issue 8): clients that never finish, lie about lengths, send
too much or send something that is not HTTP at all get an error or a
closed connection; the daemon keeps answering /healthz, and exits 0 on
SIGTERM with no sanitizer report (the daemon fixture checks that).

Raw sockets to 127.0.0.1 only; every case is bounded in bytes and time.
"""
import random
import socket
import ssl
import time

import pytest
import requests

from conftest import Daemon, wait_until

IO_TIMEOUT = 5.0  # seconds we wait for any one answer


def connect(daemon, timeout=IO_TIMEOUT):
    s = socket.create_connection(("127.0.0.1", daemon.http_port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def read_reply(s, limit=1 << 20):
    """Reads until the server closes, the limit or the timeout. Returns
    (bytes, closed): closed is True when the server closed (or reset)."""
    out = b""
    try:
        while len(out) < limit:
            b = s.recv(65536)
            if not b:
                return out, True
            out += b
            if b"\r\n\r\n" in out and reply_complete(out):
                return out, False
    except socket.timeout:
        return out, False
    except (ConnectionResetError, BrokenPipeError):
        return out, True
    return out, False


def reply_complete(data):
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value.strip())
    return False


def status_of(reply):
    if not reply.startswith(b"HTTP/1."):
        return None
    return int(reply.split(b" ", 2)[1])


def exchange(daemon, data, timeout=IO_TIMEOUT):
    """Sends raw bytes, returns (status or None, reply, closed)."""
    with connect(daemon, timeout) as s:
        try:
            s.sendall(data)
        except (ConnectionResetError, BrokenPipeError):
            return None, b"", True
        reply, closed = read_reply(s)
    return status_of(reply), reply, closed


def assert_refused(daemon, data, allowed=range(400, 600), timeout=IO_TIMEOUT):
    """The server answers with an error status, closes without an answer,
    or (for bytes that never end a request line) waits for more, which
    http_timeout_s ends; never a success; and it stays healthy."""
    status, reply, closed = exchange(daemon, data, timeout)
    assert status in allowed or (status is None and (closed or reply == b"")), \
        "%r... -> %r" % (data[:60], reply[:200])
    assert_healthy(daemon)
    return status


def assert_healthy(daemon, within=3.0):
    assert daemon.proc.poll() is None, "carenetd died:\n" + daemon.read_log()[-3000:]
    t0 = time.monotonic()
    r = requests.get(daemon.url + "/healthz", timeout=within)
    assert r.status_code == 200, r.text
    return time.monotonic() - t0


def client_hello():
    """The bytes a TLS client sends first, from Python's own ssl."""
    ctx = ssl.create_default_context()
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    with pytest.raises(ssl.SSLWantReadError):
        tls.do_handshake()
    hello = outgoing.read()
    assert hello[:1] == b"\x16"  # a handshake record
    return hello


def open_half(daemon, n, partial, source=None):
    """n connections that send `partial` and stop. From `source` (another
    loopback address), past http_per_ip_connections the server closes
    them at once, so a failed send is expected there."""
    socks = []
    for _ in range(n):
        if source:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.settimeout(IO_TIMEOUT)
            s.bind((source, 0))
            s.connect(("127.0.0.1", daemon.http_port))
            try:
                s.sendall(partial)
            except OSError:
                pass
        else:
            s = connect(daemon)
            s.sendall(partial)
        socks.append(s)
    return socks


def close_all(socks):
    for s in socks:
        s.close()


def test_half_open_connections_do_not_starve_healthz(daemon):
    socks = []
    try:
        # 300 clients at another address that start a request line and
        # never finish it (the default limit is 512 connections, 32 from
        # one address: issue 12).
        socks += open_half(daemon, 300, b"GET /hea", source="127.0.0.2")
        assert_healthy(daemon, within=10.0)
        # ... and more that finish the request line but not the headers
        socks += open_half(daemon, 50, b"POST /v1/sites HTTP/1.1\r\nHost: x\r\nContent-Le",
                           source="127.0.0.2")
        assert_healthy(daemon, within=3.0)
        # An API request with a token works too while they wait.
        r = requests.get(daemon.url + "/v1/sites", timeout=3,
                         headers={"Authorization": "Bearer e2e-bootstrap-token-0123456789"})
        assert r.status_code == 200
    finally:
        close_all(socks)
    assert_healthy(daemon)


def test_at_the_connection_limit_new_clients_wait_and_are_served_when_slots_free(workdir, broker):
    """What libmicrohttpd 0.9.75 does at http_max_connections: it stops
    accepting, so a new client waits in the kernel's listen queue (it is
    neither answered nor closed), and is served as soon as an idle client
    goes. Idle clients go by themselves after http_timeout_s."""
    d = Daemon(workdir, broker, {"http_max_connections": 40, "http_timeout_s": 4,
                                 "http_per_ip_connections": 1000})
    try:
        socks = open_half(d, 40, b"GET /hea")
        try:
            time.sleep(0.3)  # let the server accept them all
            late = connect(d)
            late.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            late.settimeout(1.0)
            reply, closed = read_reply(late)
            assert reply == b"" and not closed, reply[:200]
        finally:
            close_all(socks[:1])  # one slot frees: the waiting client is served
        late.settimeout(3.0)
        reply, _ = read_reply(late)
        late.close()
        assert status_of(reply) == 200, reply[:200]
        # The other 39 never finish; http_timeout_s (4 s here) drops them.
        wait_until(lambda: all_closed_by_server(socks[1:]), 20, what="idle clients timed out")
        close_all(socks)
        assert_healthy(d)
    finally:
        status = d.stop()
        log = d.read_log()
        assert "ERROR: AddressSanitizer" not in log and "runtime error:" not in log, log[-4000:]
        assert status == 0, "carenetd exited with %r:\n%s" % (status, log[-3000:])


def all_closed_by_server(socks):
    for s in socks:
        s.settimeout(0.01)
        try:
            if s.recv(1) != b"":
                return False
        except socket.timeout:
            return False
        except OSError:
            pass
    return True


MALFORMED = [
    b"GARBAGE\r\n\r\n",
    b"GET\r\n\r\n",
    b"GET /healthz\r\n\r\n",
    b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n",
    b"GET /healthz HTTP/1.1 extra\r\nHost: x\r\n\r\n",
    b"GET  /healthz  HTTP/1.1\r\nHost: x\r\n\r\n",
    b"\r\n\r\n\r\n\r\n",
    b"GET /heal\x00thz HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
    b"GET /v1/%ff%00%2e%2e HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /" + b"a" * 40000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
]


def test_malformed_request_lines_get_an_error(daemon):
    for line in MALFORMED:
        status = assert_refused(daemon, line, timeout=1.5)
        if status == 404:  # a well-formed request for a path with odd bytes
            _, reply, _ = exchange(daemon, line)
            body = reply.partition(b"\r\n\r\n")[2]
            assert body.startswith(b'{"error":'), reply[:300]


def test_odd_but_tolerated_headers_get_a_well_formed_answer(daemon):
    """libmicrohttpd accepts these header lines; whatever it answers must
    be a well-formed HTTP reply (or a close), and the daemon stays up."""
    for head in [b"GET /healthz HTTP/1.1\r\nHost: x\r\n: empty name\r\n\r\n",
                 b"GET /healthz HTTP/1.1\r\nHost: x\r\nX:\x00\x01\x02\xff\r\n\r\n",
                 b"GET /healthz HTTP/1.1\r\nHost: x\r\nX: a\r\n b folded\r\n\r\n"]:
        status, reply, closed = exchange(daemon, head)
        assert status in (200, 400) or (status is None and closed), (head, reply[:200])
        assert_healthy(daemon)


def test_bad_content_length_gets_an_error(daemon):
    for length in [b"-1", b"-99999999999999999999", b"99999999999999999999999",
                   b"18446744073709551616", b"0x10", b"1e3", b"12, 12", b""]:
        data = (b"POST /v1/sites HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Authorization: Bearer e2e-bootstrap-token-0123456789\r\n"
                b"Content-Length: " + length + b"\r\n\r\n{}")
        assert_refused(daemon, data)


def test_two_content_lengths_get_an_error(daemon):
    data = (b"POST /v1/sites HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 2\r\nContent-Length: 40\r\n\r\n{}")
    assert_refused(daemon, data)


def test_oversized_headers_get_an_error(daemon):
    big = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (100 * 1024) + b"\r\n\r\n"
    assert_refused(daemon, big)
    many = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"".join(
        b"X-H%d: %s\r\n" % (i, b"b" * 100) for i in range(1000)) + b"\r\n"
    assert_refused(daemon, many)


@pytest.mark.parametrize("method,path", [(b"POST", b"/v1/sites"), (b"PATCH", b"/v1/sites/x"),
                                         (b"PUT", b"/v1/sites"), (b"GET", b"/healthz")])
def test_announced_oversized_body_is_refused_before_it_is_sent(daemon, method, path):
    # 10 MiB announced, nothing sent: the 413 must come without the body,
    # and the connection is closed after it (its body is never read).
    with connect(daemon) as s:
        s.sendall(method + b" " + path + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Authorization: Bearer e2e-bootstrap-token-0123456789\r\n"
                  b"Content-Length: 10485760\r\n\r\n")
        reply, _ = read_reply(s)
        assert status_of(reply) == 413, reply[:300]
        assert b'"error"' in reply and b"Connection: close" in reply
        # what the client sends next is not taken for a new request
        try:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            more, closed = read_reply(s)
        except OSError:
            more, closed = b"", True
        assert more == b"" and closed, more[:200]
    assert_healthy(daemon)


def test_oversized_body_is_not_read_in_full(daemon):
    """A client that sends a 10 MiB body anyway: the 413 arrives and the
    connection is closed long before the server could have read it all."""
    total = 10 * 1024 * 1024
    chunk = b"x" * 65536
    sent = 0
    with connect(daemon) as s:
        s.sendall(b"POST /v1/sites HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n" % total)
        s.settimeout(0.5)
        try:
            while sent < total:
                sent += s.send(chunk)
        except (socket.timeout, ConnectionResetError, BrokenPipeError):
            pass
        s.settimeout(IO_TIMEOUT)
        try:
            reply, _ = read_reply(s)
        except OSError:
            reply = b""
    assert sent < total, "the server read the whole 10 MiB"
    assert reply == b"" or status_of(reply) == 413, reply[:300]
    assert_healthy(daemon)


def test_chunked_body_over_the_limit_gets_413(daemon):
    """No Content-Length to judge by: the server counts as it reads, keeps
    nothing past 64 KiB and answers 413 at the end of the body."""
    body = b'{"name": "' + b"z" * (100 * 1024) + b'"}'
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 8192]), body[i:i + 8192])
                      for i in range(0, len(body), 8192))
    data = (b"POST /v1/sites HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer e2e-bootstrap-token-0123456789\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n")
    status, reply, _ = exchange(daemon, data)
    assert status == 413, reply[:300]
    assert_healthy(daemon)


def test_endless_chunked_body_is_cut_off(daemon):
    """A chunked body far over the limit: the server reads at most about
    1 MiB of it and then closes the connection (libmicrohttpd 0.9.75
    cannot send a reply in the middle of an upload)."""
    chunk = b"y" * 16384
    piece = b"%x\r\n%s\r\n" % (len(chunk), chunk)
    sent = 0
    with connect(daemon) as s:
        s.sendall(b"POST /v1/sites HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Transfer-Encoding: chunked\r\n\r\n")
        s.settimeout(0.5)
        try:
            while sent < 8 * 1024 * 1024:
                s.sendall(piece)
                sent += len(chunk)
        except (socket.timeout, ConnectionResetError, BrokenPipeError):
            pass
        s.settimeout(IO_TIMEOUT)
        try:
            try:
                s.sendall(b"0\r\n\r\n")
            except (socket.timeout, ConnectionResetError, BrokenPipeError):
                pass
            reply, _ = read_reply(s)
        except OSError:
            reply = b""
    assert sent < 8 * 1024 * 1024, "the server read the whole 8 MiB"
    assert reply == b"" or status_of(reply) == 413, reply[:300]
    assert_healthy(daemon)


def test_small_chunked_body_is_read(daemon):
    body = b'{"name": "Chunked"}'
    data = (b"POST /v1/sites HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer e2e-bootstrap-token-0123456789\r\nConnection: close\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
    status, reply, _ = exchange(daemon, data)
    assert status == 201, reply[:300]


def test_body_just_over_the_limit_gets_413_and_at_the_limit_is_read(daemon):
    auth = b"Authorization: Bearer e2e-bootstrap-token-0123456789\r\n"
    over = b"{" + b" " * (64 * 1024 - 1) + b"}"
    status, reply, _ = exchange(daemon, b"POST /v1/sites HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                + auth + b"Content-Length: %d\r\n\r\n" % len(over) + over)
    assert status == 413, reply[:300]
    at = b'{"name": "Limit"' + b" " * (64 * 1024 - 17) + b"}"
    assert len(at) == 64 * 1024
    status, reply, _ = exchange(daemon, b"POST /v1/sites HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                + auth + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(at) + at)
    assert status == 201, reply[:300]


def test_tls_client_hello_on_the_plain_port(daemon):
    assert_refused(daemon, client_hello())


def test_binary_garbage(daemon):
    rng = random.Random(8)
    samples = [bytes(rng.getrandbits(8) for _ in range(n)) for n in (1, 17, 512, 4096, 40000)]
    samples.append(b"\x00" * 1024)
    samples.append(b"\r\n" * 2048)
    samples.append(b"\xff\xfe" + "GET / HTTP/1.1\r\n\r\n".encode("utf-16-le"))
    for data in samples:
        assert_refused(daemon, data, timeout=1.5)
    # several at once, interleaved with good requests
    socks = [connect(daemon) for _ in range(20)]
    try:
        for i, s in enumerate(socks):
            try:
                s.sendall(samples[i % len(samples)])
            except OSError:
                pass
        assert_healthy(daemon)
    finally:
        close_all(socks)
    assert_healthy(daemon)
