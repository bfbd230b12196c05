#!/usr/bin/env python3
"""score.py — the holdout evaluation of vigil's detection (issue 6).

Runs the analyser (tests/eval/eval_flows, or `vigil flows analyze --json`
with --cli) over each IoT/OT file of the holdout set with the DEFAULT
detection config, and scores what it flagged against the ground truth:

  IoT-23 conn.log.labeled (34-1 Mirai, 42-1 Trojan, Honeypot 4-1):
      per flow: each alert's evidence flows against the flows' labels
      (joined on the 5-tuple and start time); per host: the infected
      host flagged = TP, any other host flagged = FP.
  IoT-23 pcaps: 34-1 (only the IRC C&C channel: every flow is C&C),
      42-1 (a truncated COPY in the work directory, labels from the
      42-1 conn.log), the Hue honeypot (benign: any alert = FP).
  Stratosphere Nmap conn.log (JSON): the scanner flagged = TP.
  Modbus (CSET'16) pcaps: the per-packet labels give the malicious
      conversations; their originators are the attackers. An attacker
      flagged for lateral, scan.* or new.destination = TP; any other
      host flagged = FP.
  The real Modbus/TCP network (automayt, Zeek conn.log): unlabelled,
      benign: any alert = FP.

Reads the holdout data where it lies and never copies it into the repo
(only the truncated 42-1 pcap is copied, to the work directory). Prints
a table and writes it as Markdown to --out (default /tmp/eval.md).

  score.py --data DIR --analyzer PROG [--cli] [--work DIR] [--out FILE]
"""
import argparse
import collections
import datetime
import json
import os
import struct
import subprocess
import sys
import time

SCAN_KINDS = {"lateral", "scan.horizontal", "scan.vertical",
              "new.destination"}
PROTO = {"tcp": 6, "udp": 17, "icmp": 1}


def say(msg):
    print("score: " + msg, flush=True)


# ---- ground truth ---------------------------------------------------------

def read_zeek_labels(path):
    """(orig_h, orig_p, resp_h, resp_p, proto) -> [(ts, label)] of an
    IoT-23 labelled conn.log (the last column holds 'tunnel_parents
    label detailed-label' separated by three spaces)."""
    labels = collections.defaultdict(list)
    fields = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#fields"):
                fields = line.split("\t")[1:]
                continue
            if line.startswith("#") or not line or fields is None:
                continue
            cols = line.split("\t")
            if len(cols) < len(fields):
                continue
            row = dict(zip(fields, cols))
            last = cols[len(fields) - 1].split()
            label = last[1] if len(last) >= 2 else "-"
            detail = last[2] if len(last) >= 3 else "-"
            try:
                key = (row["id.orig_h"], int(row["id.orig_p"]),
                       row["id.resp_h"], int(row["id.resp_p"]),
                       PROTO.get(row["proto"], 0))
                ts = float(row["ts"])
            except (KeyError, ValueError):
                continue
            mal = label.lower() == "malicious"
            labels[key].append((ts, "malicious" if mal else "benign",
                                detail))
    return labels


def read_pcap(path, limit=None):
    """(index from 1, ts, src, dst, proto, sport, dport, tcp flags) of
    each IPv4
    packet of an Ethernet pcap (little or big endian, usec); bounded:
    a truncated record ends the walk."""
    out = []
    with open(path, "rb") as f:
        data = f.read() if limit is None else f.read(limit)
    if len(data) < 24:
        return out
    magic = data[:4]
    end = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") \
        else ">"
    pos, idx = 24, 0
    while pos + 16 <= len(data):
        sec, usec, incl, _ = struct.unpack(end + "IIII", data[pos:pos + 16])
        pos += 16
        if incl > len(data) - pos:
            break
        pkt = data[pos:pos + incl]
        pos += incl
        idx += 1
        if len(pkt) < 34:
            out.append((idx, sec + usec / 1e6, None, None, 0, 0, 0, 0))
            continue
        etype = struct.unpack(">H", pkt[12:14])[0]
        off = 14
        if etype == 0x8100 and len(pkt) >= 18:
            etype = struct.unpack(">H", pkt[16:18])[0]
            off = 18
        if etype != 0x0800:
            out.append((idx, sec + usec / 1e6, None, None, 0, 0, 0, 0))
            continue
        ihl = (pkt[off] & 0x0F) * 4
        proto = pkt[off + 9]
        src = ".".join(str(b) for b in pkt[off + 12:off + 16])
        dst = ".".join(str(b) for b in pkt[off + 16:off + 20])
        sport = dport = flags = 0
        l4 = off + ihl
        if proto in (6, 17) and len(pkt) >= l4 + 4:
            sport, dport = struct.unpack(">HH", pkt[l4:l4 + 4])
        if proto == 6 and len(pkt) >= l4 + 14:
            flags = pkt[l4 + 13]
        out.append((idx, sec + usec / 1e6, src, dst, proto, sport, dport,
                    flags))
    return out


def modbus_truth(pcap, csv):
    """Malicious conversations (both directions) and their originators:
    the sender of the conversation's TCP SYN, else of its first
    malicious packet."""
    mal = set()
    with open(csv) as f:
        for line in f:
            parts = line.strip().split(";")
            if len(parts) == 2 and parts[1] == "1":
                mal.add(int(parts[0]))
    pkts = read_pcap(pcap)
    convs, first, syn = {}, {}, {}
    for idx, ts, src, dst, proto, sport, dport, flags in pkts:
        if src is None:
            continue
        key = conv_key(src, sport, dst, dport, proto)
        if flags & 0x12 == 0x02 and key not in syn:
            syn[key] = src
        if idx in mal and key not in convs:
            convs[key] = "malicious"
            first[key] = src
    attackers = collections.Counter(syn.get(k, first[k]) for k in convs)
    return convs, attackers


def conv_key(a, ap, b, bp, proto):
    return (proto,) + tuple(sorted([(a, ap), (b, bp)]))


# ---- the analyser ---------------------------------------------------------

def analyze(args, path, extra):
    if args.cli:
        cmd = [args.analyzer, "flows", "analyze", "--json"] + extra + [path]
    else:
        cmd = [args.analyzer] + extra + [path]
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True)
    el = time.monotonic() - t0
    # The CLI exits 1 when it found alerts (0 none, 2 errors).
    if p.returncode != 0 and not (args.cli and p.returncode == 1):
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), p.returncode,
                                               p.stderr.strip()[-400:]))
    return json.loads(p.stdout), el


def alerts_of(report):
    """The alerts of a report: eval_flows' "alerts"; the CLI's
    "endpoints"[].alerts (each alert's evidence a list of firings, their
    samples joined); else the first list of objects with a "kind"."""
    if isinstance(report.get("alerts"), list):
        return report["alerts"]
    if isinstance(report.get("endpoints"), list):
        out = []
        for ep in report["endpoints"]:
            for a in ep.get("alerts") or []:
                ev = a.get("evidence")
                firings = ev if isinstance(ev, list) else [ev or {}]
                samples = []
                for fi in firings:
                    if isinstance(fi, dict):
                        samples += fi.get("samples") or []
                out.append({"kind": a.get("kind"),
                            "addr": ep.get("address", "?"),
                            "evidence": {"samples": samples}})
        return out
    stack = [report]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            for x in v.values():
                if isinstance(x, list) and x and isinstance(x[0], dict) \
                        and "kind" in x[0]:
                    return x
                stack.append(x)
        elif isinstance(v, list):
            stack.extend(v)
    return []


def alert_addr(a):
    for k in ("addr", "address", "ip", "endpoint"):
        if isinstance(a.get(k), str):
            return a[k]
    return "?"


def samples_of(a):
    ev = a.get("evidence") or {}
    s = ev.get("samples") if isinstance(ev, dict) else None
    return s if isinstance(s, list) else []


def sample_ts(s):
    ts = s.get("ts")
    if isinstance(ts, (int, float)):
        return float(ts)
    try:
        return datetime.datetime.fromisoformat(
            str(ts).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


# ---- scoring --------------------------------------------------------------

def label_sample(s, truth):
    """'malicious' | 'benign' | 'unlabelled' for one evidence flow."""
    kind, data = truth
    src, dst = s.get("src"), s.get("dst")
    sp, dp, pr = s.get("sport", 0), s.get("dport", 0), s.get("proto", 0)
    if kind == "zeek":
        ts = sample_ts(s)
        cands = data.get((src, sp, dst, dp, pr), []) + \
            data.get((dst, dp, src, sp, pr), [])
        if not cands:
            return "unlabelled"
        if ts is None:
            return cands[0][1]
        return min(cands, key=lambda c: abs(c[0] - ts))[1]
    if kind == "conv":
        return data.get(conv_key(src, sp, dst, dp, pr), "benign")
    if kind == "rule":
        return data(s)
    return "unlabelled"


def score(name, report, infected, truth, flag_kinds, elapsed):
    alerts = alerts_of(report)
    by_host = collections.defaultdict(collections.Counter)
    ev = collections.Counter()
    for a in alerts:
        by_host[alert_addr(a)][a.get("kind", "?")] += 1
        for s in samples_of(a):
            ev[label_sample(s, truth) if truth else "unlabelled"] += 1
    tp, fp, other = [], [], []
    for host, kinds in sorted(by_host.items()):
        if host in infected:
            if flag_kinds is None or set(kinds) & flag_kinds:
                tp.append(host)
            else:
                other.append(host)
        else:
            fp.append(host)
    fn = sorted(set(infected) - set(tp) - set(other))
    kinds = collections.Counter()
    for k in by_host.values():
        kinds.update(k)
    local = report.get("engine", {}).get("entities")
    flows = report.get("flows", "?")
    if isinstance(report.get("endpoints"), list):
        local = len(report["endpoints"])
        flows = sum((f.get("stats") or {}).get("records", 0)
                    for f in report.get("files") or [])
    return {
        "name": name, "flows": flows,
        "local": local if local is not None else "?",
        "flagged": len(by_host), "alerts": len(alerts),
        "kinds": ", ".join("%s %d" % kv for kv in sorted(kinds.items()))
        or "-",
        "tp": len(tp), "fp": len(fp), "fn": len(fn), "other": len(other),
        "fp_hosts": fp, "tp_hosts": tp, "fn_hosts": fn,
        "other_hosts": other,
        "ev_mal": ev["malicious"], "ev_ben": ev["benign"],
        "ev_unl": ev["unlabelled"], "secs": elapsed,
        "hosts": {h: dict(k) for h, k in by_host.items()},
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--analyzer", required=True)
    ap.add_argument("--cli", action="store_true")
    ap.add_argument("--work", default="/tmp")
    ap.add_argument("--out", default="/tmp/eval.md")
    args = ap.parse_args()
    d = args.data.rstrip("/")
    iot = d + "/devarship97__PracticeIDS"
    mb = d + "/antoine-lemay__Modbus_dataset"

    # The 42-1 pcap's last record is truncated: a clean COPY.
    p42 = iot + "/CTU-IoT-Malware-Capture-42-1/" \
        "2019-01-10-14-34-38-192.168.1.197.pcap"
    p42c = os.path.join(args.work, "42-1-clean.pcap")
    with open(p42, "rb") as f, open(p42c, "wb") as g:
        g.write(f.read(2908099))

    l34 = d + "/alejandro945__ul-feature-selection-for-botnet-detection" \
        "/data/conn.log.labeled"
    l42 = iot + "/CTU-IoT-Malware-Capture-42-1/bro/conn.log.labeled"
    l41 = iot + "/CTU-Honeypot-Capture-4-1/bro/conn.log.labeled"
    t34 = ("zeek", read_zeek_labels(l34))
    t42 = ("zeek", read_zeek_labels(l42))
    t41 = ("zeek", read_zeek_labels(l41))

    def irc_rule(s):
        hosts = {s.get("src"), s.get("dst")}
        return "malicious" if hosts == {"192.168.1.195",
                                        "185.244.25.235"} else "benign"

    def nmap_rule(s):
        return "malicious" if "172.16.1.11" in (s.get("src"),
                                                s.get("dst")) else "benign"

    runs = [
        ("IoT-23 34-1 Mirai conn.log", l34, [], {"192.168.1.195"}, t34,
         None),
        ("IoT-23 42-1 Trojan conn.log", l42, [], {"192.168.1.197"}, t42,
         None),
        ("IoT-23 Honeypot 4-1 conn.log (benign)", l41, [], set(), t41,
         None),
        ("IoT-23 34-1 IRC C&C pcap", iot + "/CTU-IoT-Malware-Capture-34-1/"
         "2018-12-21-15-50-14-192.168.1.195.irc.pcap", [],
         {"192.168.1.195"}, ("rule", irc_rule), None),
        ("IoT-23 42-1 pcap (clean copy)", p42c, [], {"192.168.1.197"}, t42,
         None),
        ("Hue honeypot pcap (benign)", iot + "/CTU-Honeypot-Capture-4-1/"
         "2018-09-14-13-40-25-Philips-Hue-Bridge.pcap", [], set(), None,
         None),
        ("Stratosphere Nmap conn.log (JSON)", d +
         "/stratosphereips__security-datasets-for-testing/"
         "002-zeek-scenario-port-scanning/conn.log", [], {"172.16.1.11"},
         ("rule", nmap_rule), None),
    ]
    for base in ("send_a_fake_command_modbus_6RTU_with_operate",
                 "characterization_modbus_6RTU_with_operate",
                 "CnC_uploading_exe_modbus_6RTU_with_operate",
                 "exploit_ms08_netapi_modbus_6RTU_with_operate",
                 "moving_two_files_modbus_6RTU"):
        convs, attackers = modbus_truth(mb + "/" + base + ".pcap",
                                        mb + "/" + base + "_labeled.csv")
        say("Modbus %s: %d malicious conversations, attackers %s" %
            (base, len(convs), dict(attackers)))
        runs.append(("Modbus " + base.replace("_modbus_6RTU", "")
                     .replace("_with_operate", ""), mb + "/" + base +
                     ".pcap", [], set(attackers), ("conv", convs),
                     SCAN_KINDS))
    ab = d + "/automayt__ICS-pcap/ETHERNET_IP/mb/conn.log"
    runs.append(("Real Modbus/TCP net conn.log (benign; 141.81/16 is not "
                 "local by default)", ab, [], set(), None, None))
    runs.append(("Real Modbus/TCP net conn.log (benign) --local "
                 "141.81.0.0/16", ab, ["--local", "141.81.0.0/16"], set(),
                 None, None))

    rows = []
    for name, path, extra, infected, truth, kinds in runs:
        say("analysing %s (%s)" % (name, os.path.basename(path)))
        try:
            report, el = analyze(args, path, extra)
        except (RuntimeError, ValueError) as e:
            say("FAILED: %s" % e)
            rows.append({"name": name, "error": str(e)})
            continue
        r = score(name, report, infected, truth, kinds, el)
        say("%s: flagged %s, kinds %s" % (name, r["hosts"] or "none",
                                          r["kinds"]))
        rows.append(r)

    hdr = ("| file | flows | local | flagged | alerts | kinds | host TP | "
           "host FP | host FN | evidence mal/ben/unl | s |")
    lines = ["# vigil detection on the holdout IoT/OT traffic "
             "(default config, %s)" % datetime.date.today().isoformat(), "",
             "Analyser: %s. Host TP: the infected/attacking host flagged "
             "(Modbus: for lateral, scan.* or new.destination); host FP: "
             "any other host flagged; evidence: the alerts' sample flows "
             "against the flow labels (pcaps without labels: "
             "unlabelled). local: endpoints the analyser reported "
             "(eval_flows: every tracked local entity; the CLI: the "
             "endpoints in its report)." % ("vigil flows analyze --json" if args.cli
                               else "tests/eval/eval_flows (the library, "
                               "as vigil flows analyze)"), "",
             hdr, "|" + "---|" * 11]
    tot = collections.Counter()
    for r in rows:
        if "error" in r:
            lines.append("| %s | error: %s |" % (r["name"],
                                                 r["error"][:200]))
            continue
        for k in ("tp", "fp", "fn", "ev_mal", "ev_ben", "ev_unl"):
            tot[k] += r[k]
        lines.append("| %s | %s | %s | %d | %d | %s | %d%s | %d%s | %d%s | "
                     "%d/%d/%d | %.1f |" % (
                         r["name"], r["flows"], r["local"], r["flagged"],
                         r["alerts"], r["kinds"], r["tp"],
                         " (%s)" % ", ".join(r["tp_hosts"])
                         if r["tp_hosts"] else "",
                         r["fp"], " (%s)" % ", ".join(r["fp_hosts"][:6])
                         if r["fp_hosts"] else "",
                         r["fn"], " (%s)" % ", ".join(r["fn_hosts"])
                         if r["fn_hosts"] else "",
                         r["ev_mal"], r["ev_ben"], r["ev_unl"], r["secs"]))
        if r["other_hosts"]:
            lines.append("|  ↳ attacker flagged only for other kinds: %s "
                         "|" % "; ".join("%s %s" % (h, r["hosts"][h])
                                         for h in r["other_hosts"]))
    lines += ["", "Totals: host TP %d, host FP %d, host FN %d; evidence "
              "flows malicious %d, benign %d, unlabelled %d." % (
                  tot["tp"], tot["fp"], tot["fn"], tot["ev_mal"],
                  tot["ev_ben"], tot["ev_unl"]), "",
              "Per host and kind:", ""]
    for r in rows:
        if "error" not in r:
            lines.append("- %s: %s" % (r["name"], json.dumps(r["hosts"],
                                                             sort_keys=True)))
    text = "\n".join(lines) + "\n"
    print(text)
    with open(args.out, "w") as f:
        f.write(text)
    say("wrote %s" % args.out)
    return 1 if any("error" in r for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
