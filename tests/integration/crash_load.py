#!/usr/bin/python3
"""Load driver and checker of the vigild crash test (vigild_crash.sh).

  crash_load.py load --base URL --ca FILE --tenant T --tokens FILE
                     --prefix P --seconds S --threads N --acks OUT
      N threads, each with its own token and one keep-alive HTTPS
      connection, create devices named P-t<thread>-<n> as fast as they
      can and now and then PATCH one of their own devices with If-Match.
      A request counts as acknowledged only once its whole 2xx reply
      has been read; each acknowledgement is appended to OUT (JSON
      lines, flushed at once, so a kill of anything loses none) with
      the device name, id, version and the X-Request-Id. Requests
      whose reply never came (the server died under them) are written
      as "inflight". A thread stops when the server refuses a new
      connection (it was killed) or after S seconds. Prints a summary
      line of figures, then the same as "load-json: {...}".

  crash_load.py check --base URL --ca FILE --tenant T --token TOKEN
                      --acks FILE --audit FILE
      Checks, against the restarted server and the audit log exported
      from the data directory (JSON lines of `vigil audit export`), that
      nothing acknowledged was lost and that no device changed without
      its audit entry. Prints TAP-like "ok - ..." / "not ok - ..." lines
      (and "#   " details) for the shell to count.

Python's own http.client, ssl and threading only: the test depends on
nothing the machine does not have.
"""
import argparse
import http.client
import json
import random
import ssl
import sys
import threading
import time
import urllib.parse

TIMEOUT_S = 10
UPDATE_EVERY = 4  # one PATCH per this many requests


def connect(base, ctx):
    u = urllib.parse.urlsplit(base)
    c = http.client.HTTPSConnection(u.hostname, u.port, context=ctx,
                                    timeout=TIMEOUT_S)
    c.connect()
    return c


def tls_context(ca):
    return ssl.create_default_context(cafile=ca)


class Recorder:
    """Appends one JSON line per event, flushed under a lock."""

    def __init__(self, path):
        self.f = open(path, "a", encoding="utf-8")
        self.lock = threading.Lock()

    def put(self, rec):
        line = json.dumps(rec, sort_keys=True) + "\n"
        with self.lock:
            self.f.write(line)
            self.f.flush()

    def close(self):
        self.f.close()


class Loader(threading.Thread):
    def __init__(self, n, a, token, ctx, rec, deadline):
        super().__init__(daemon=True)
        self.n = n
        self.a = a
        self.token = token
        self.ctx = ctx
        self.rec = rec
        self.deadline = deadline
        self.rng = random.Random(n)
        self.mine = []  # [name, id, version] of acknowledged creates
        self.creates = 0
        self.updates = 0
        self.inflight = 0
        self.other = {}  # unexpected status -> count
        self.first_error = None
        self.last_ack = None
        self.stop_reason = "deadline"

    def headers(self, extra=None):
        h = {"Authorization": "Bearer " + self.token,
             "Content-Type": "application/json"}
        if extra:
            h.update(extra)
        return h

    def request(self, conn, method, path, body, extra=None):
        """(status, response, parsed body); raises on a broken
        exchange."""
        conn.request(method, path, body=json.dumps(body),
                     headers=self.headers(extra))
        resp = conn.getresponse()
        raw = resp.read()  # the whole reply, or an exception
        try:
            doc = json.loads(raw) if raw else None
        except ValueError:
            doc = None
        return resp.status, resp, doc

    def note_other(self, status, doc):
        self.other[status] = self.other.get(status, 0) + 1
        if self.first_error is None:
            self.first_error = "HTTP %d: %s" % (
                status, (doc or {}).get("detail", "") if
                isinstance(doc, dict) else "")

    def one(self, conn, i):
        tpath = "/v1/tenants/%s/devices" % self.a.tenant
        if self.mine and i % UPDATE_EVERY == UPDATE_EVERY - 1:
            dev = self.rng.choice(self.mine[-32:])
            op = {"op": "update", "name": dev[0], "id": dev[1],
                  "if_match": dev[2]}
            try:
                st, resp, doc = self.request(
                    conn, "PATCH", tpath + "/" + dev[1],
                    {"labels": {"load": str(i)}},
                    {"If-Match": '"v%d"' % dev[2]})
            except Exception:
                self.inflight += 1
                self.rec.put(dict(op, op="inflight-update"))
                raise
            if st == 200 and isinstance(doc, dict):
                dev[2] = doc["version"]
                self.updates += 1
                self.last_ack = time.monotonic()
                self.rec.put(dict(op, version=doc["version"],
                                  rid=resp.getheader("X-Request-Id")))
            else:
                self.note_other(st, doc)
            return
        name = "%s-t%d-%06d" % (self.a.prefix, self.n, i)
        try:
            st, resp, doc = self.request(conn, "POST", tpath,
                                         {"name": name, "model": "crash"})
        except Exception:
            self.inflight += 1
            self.rec.put({"op": "inflight-create", "name": name})
            raise
        if st == 201 and isinstance(doc, dict):
            self.mine.append([name, doc["id"], doc["version"]])
            self.creates += 1
            self.last_ack = time.monotonic()
            self.rec.put({"op": "create", "name": name, "id": doc["id"],
                          "version": doc["version"],
                          "rid": resp.getheader("X-Request-Id")})
        else:
            self.note_other(st, doc)

    def run(self):
        conn = None
        i = 0
        while time.monotonic() < self.deadline:
            if conn is None:
                try:
                    conn = connect(self.a.base, self.ctx)
                except OSError as e:
                    # Refused: the server is gone (killed); done.
                    self.stop_reason = "connect: %s" % e.__class__.__name__
                    return
            try:
                self.one(conn, i)
            except (OSError, http.client.HTTPException):
                # The exchange broke (kill, or a keep-alive connection
                # the server closed): reconnect, which tells which.
                conn.close()
                conn = None
            except Exception as e:  # a bug here or a reply out of spec
                self.stop_reason = "error: %r" % e
                conn.close()
                return
            i += 1
        if conn is not None:
            conn.close()


def cmd_load(a):
    ctx = tls_context(a.ca)
    tokens = [l.split()[0] for l in open(a.tokens, encoding="utf-8")
              if l.strip()]
    rec = Recorder(a.acks)
    start = time.monotonic()
    deadline = start + a.seconds
    threads = [Loader(n, a, tokens[n % len(tokens)], ctx, rec, deadline)
               for n in range(a.threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(a.seconds + TIMEOUT_S + 5)
    rec.close()
    creates = sum(t.creates for t in threads)
    updates = sum(t.updates for t in threads)
    inflight = sum(t.inflight for t in threads)
    last = max([t.last_ack for t in threads if t.last_ack] or [start])
    span = max(last - start, 1e-3)
    other = {}
    for t in threads:
        for k, v in t.other.items():
            other[k] = other.get(k, 0) + v
    errs = [t.first_error for t in threads if t.first_error]
    stops = sorted(set(t.stop_reason for t in threads))
    print("load: %d creates + %d updates acknowledged in %.2f s "
          "(%.0f acknowledged requests/s), %d in flight when the "
          "server died, other replies %s%s; threads stopped on: %s" % (
              creates, updates, span, (creates + updates) / span,
              inflight, json.dumps(other, sort_keys=True),
              " (first: %s)" % errs[0] if errs else "", ", ".join(stops)))
    print("load-json: " + json.dumps({
        "creates": creates, "updates": updates, "inflight": inflight,
        "other": other, "rps": round((creates + updates) / span)},
        sort_keys=True))
    alive = [t.n for t in threads if t.is_alive()]
    if alive:
        print("load: threads %s still running" % alive)
        return 1
    return 1 if any(r.startswith("error") for r in stops) else 0


# ----------------------------------------------------------------------
# check


class Client:
    def __init__(self, a):
        self.a = a
        self.ctx = tls_context(a.ca)
        self.conn = None

    def get(self, path):
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = connect(self.a.base, self.ctx)
            try:
                self.conn.request("GET", path, headers={
                    "Authorization": "Bearer " + self.a.token})
                resp = self.conn.getresponse()
                return resp.status, resp, resp.read()
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        raise AssertionError("unreachable")


def report(good, what, details=()):
    if good:
        print("ok - " + what)
    else:
        print("not ok - " + what)
        for d in list(details)[:10]:
            print("#   " + d)
    return bool(good)


def parallel_gets(a, paths, nthreads=4):
    """{path: (status, parsed body or None)} with a few connections."""
    out = {}
    lock = threading.Lock()
    todo = list(paths)

    def work():
        c = Client(a)
        while True:
            with lock:
                if not todo:
                    return
                p = todo.pop()
            st, _, raw = c.get(p)
            try:
                doc = json.loads(raw)
            except ValueError:
                doc = None
            with lock:
                out[p] = (st, doc)

    ts = [threading.Thread(target=work, daemon=True)
          for _ in range(nthreads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


def list_devices(a):
    """(status, every device of the tenant, why) by cursor paging."""
    c = Client(a)
    devices = []
    cursor = ""
    while True:
        path = "/v1/tenants/%s/devices?limit=1000" % a.tenant
        if cursor:
            path += "&cursor=" + urllib.parse.quote(cursor)
        st, _, raw = c.get(path)
        if st != 200:
            return st, devices, "GET %s: HTTP %d %s" % (path, st, raw[:200])
        doc = json.loads(raw)
        devices += doc["items"]
        cursor = doc["next_cursor"]
        if not cursor:
            return st, devices, ""


def cmd_check(a):
    recs = [json.loads(l) for l in open(a.acks, encoding="utf-8")
            if l.strip()]
    creates = [r for r in recs if r["op"] == "create"]
    updates = [r for r in recs if r["op"] == "update"]
    inflight = [r for r in recs if r["op"] == "inflight-create"]
    audit = [json.loads(l) for l in open(a.audit, encoding="utf-8")
             if l.strip()]
    tpath = "/v1/tenants/%s/devices/" % a.tenant
    ok = True

    # 1. Every acknowledged create is there, under the id it was given.
    res = parallel_gets(a, [tpath + urllib.parse.quote(r["name"])
                            for r in creates])
    bad = []
    current = {}  # id -> device JSON
    for r in creates:
        st, doc = res[tpath + urllib.parse.quote(r["name"])]
        if st != 200 or not isinstance(doc, dict) or doc["id"] != r["id"]:
            bad.append("%s (%s): HTTP %d %s" % (r["name"], r["id"], st,
                                               json.dumps(doc)[:200]))
        else:
            current[doc["id"]] = doc
    ok &= report(not bad and len(creates) > 0, "%d acknowledged creates all present "
                 "after kill -9 (GET by name = 200, same id)" % len(creates),
                 ["missing: " + b for b in bad] or ["no acknowledged "
                                                    "create at all"])

    # 2. Every acknowledged update is there: version at least as acked.
    best = {}
    for r in updates:
        best[r["id"]] = max(best.get(r["id"], 0), r["version"])
    bad = ["%s: version %s < acknowledged %d" % (
        i, current.get(i, {}).get("version"), v)
           for i, v in sorted(best.items())
           if current.get(i, {}).get("version", 0) < v]
    ok &= report(not bad, "%d acknowledged updates (%d devices) kept: each "
                 "device's version >= its acknowledged version" % (
                     len(updates), len(best)), bad)

    # 3. The audit log has an entry for each acknowledged request, with
    # the request id the client was given.
    by_rid = {}
    for e in audit:
        if e["outcome"] == "ok":
            by_rid[e["request_id"]] = e
    bad = []
    for r in creates:
        e = by_rid.get(r["rid"])
        if e is None or e["action"] != "device.create" or \
                e["object"] != "device/" + r["id"]:
            bad.append("create %s (%s), request %s: %s" % (
                r["name"], r["id"], r["rid"],
                json.dumps(e) if e else "no entry"))
    ok &= report(not bad, "%d acknowledged creates each have their "
                 "device.create audit entry with their X-Request-Id" %
                 len(creates), bad)
    bad = []
    for r in updates:
        e = by_rid.get(r["rid"])
        if e is None or e["action"] != "device.update" or \
                e["object"] != "device/" + r["id"]:
            bad.append("update %s v%d, request %s: %s" % (
                r["id"], r["version"], r["rid"],
                json.dumps(e) if e else "no entry"))
    ok &= report(not bad, "%d acknowledged updates each have their "
                 "device.update audit entry with their X-Request-Id" %
                 len(updates), bad)

    # 4. All devices of the tenant, and their audit entries: no state
    # change without its entry (creates, and one update per version).
    st, devices, why = list_devices(a)
    ok &= report(st == 200 and len(devices) >= len(creates),
                 "device count %d >= %d acknowledged creates" % (
                     len(devices), len(creates)),
                 [why or "only %d devices" % len(devices)])
    created = {}
    nupd = {}
    for e in audit:
        if e["outcome"] != "ok" or not e["object"].startswith("device/"):
            continue
        did = e["object"][len("device/"):]
        if e["action"] == "device.create":
            created[did] = created.get(did, 0) + 1
        elif e["action"] == "device.update":
            nupd[did] = nupd.get(did, 0) + 1
    bad = ["%s (%s): %d device.create entries" % (
        d["name"], d["id"], created.get(d["id"], 0))
           for d in devices if created.get(d["id"], 0) != 1]
    ok &= report(not bad, "each of the %d devices has exactly one "
                 "device.create audit entry" % len(devices), bad)
    bad = ["%s (%s): version %d but %d device.update entries" % (
        d["name"], d["id"], d["version"], nupd.get(d["id"], 0))
           for d in devices if d["version"] != 1 + nupd.get(d["id"], 0)]
    ok &= report(not bad, "each device's version is 1 + its device.update "
                 "audit entries (no update without its entry)", bad)
    ids = set(d["id"] for d in devices)
    bad = ["audit device.create %s: no such device" % i
           for i in created if i not in ids]
    ok &= report(not bad, "each device.create audit entry names an "
                 "existing device (%d entries)" % len(created), bad)

    names = set(d["name"] for d in devices)
    landed = sum(1 for r in inflight if r["name"] in names)
    print("# %d creates were in flight at the kills so far: %d of them "
          "were committed, %d not (either is allowed)" % (
              len(inflight), landed, len(inflight) - landed))
    print("# checker done")
    return 0 if ok else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("load", "check"):
        s = sub.add_parser(name)
        s.add_argument("--base", required=True)
        s.add_argument("--ca", required=True)
        s.add_argument("--tenant", required=True)
        s.add_argument("--acks", required=True)
        if name == "load":
            s.add_argument("--tokens", required=True)
            s.add_argument("--prefix", required=True)
            s.add_argument("--seconds", type=float, default=8.0)
            s.add_argument("--threads", type=int, default=8)
        else:
            s.add_argument("--token", required=True)
            s.add_argument("--audit", required=True)
    a = p.parse_args()
    return cmd_load(a) if a.cmd == "load" else cmd_check(a)


if __name__ == "__main__":
    sys.exit(main())
