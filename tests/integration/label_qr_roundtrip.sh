#!/bin/bash
# vigil label: the QR code decodes (zbarimg) to exactly the URI the label
# is meant to carry — GS1 Digital Link for devices with a GTIN, a device
# URN otherwise, the Digital Link of a raw EPC — in PNG, SVG and text,
# with the right geometry and quiet zone.
set -eu
. "$SRCDIR/tests/integration/lib.sh"

if ! command -v zbarimg >/dev/null; then
	notok "zbarimg is installed (zbar-tools)" "zbarimg not found"
	finish
fi

# Rasterises the SVG and text renderings to PGM so that zbarimg can read
# them: each dark module becomes a 4x4 block.
cat >"$WORK/raster.py" <<'PYEOF'
import re, sys, xml.etree.ElementTree as ET

def pgm(rows, path, scale=4):
    h, w = len(rows), len(rows[0])
    with open(path, 'wb') as f:
        f.write(b'P5 %d %d 255\n' % (w * scale, h * scale))
        for r in rows:
            line = bytes(0 if d else 255 for d in r for _ in range(scale))
            f.write(line * scale)

def from_svg(path):
    root = ET.parse(path).getroot()
    ns = '{http://www.w3.org/2000/svg}'
    vb = [int(x) for x in root.get('viewBox').split()]
    n = vb[2]
    rows = [[False] * n for _ in range(n)]
    paths = root.findall(ns + 'path')
    assert len(paths) == 1, 'expected one path'
    for x, y, w in re.findall(r'M(\d+) (\d+)h(\d+)v1h-\d+z',
                              paths[0].get('d')):
        for i in range(int(w)):
            rows[int(y)][int(x) + i] = True
    return rows

def from_txt(path, invert):
    cells = {' ': (0, 0), '\u2584': (0, 1), '\u2580': (1, 0),
             '\u2588': (1, 1)}
    rows = []
    for line in open(path, encoding='utf-8').read().split('\n')[:-1]:
        top, bot = [], []
        for c in line:
            t, b = cells[c]
            top.append(bool(t) != invert)
            bot.append(bool(b) != invert)
        rows += [top, bot]
    return rows

kind, src, dst = sys.argv[1:4]
rows = from_svg(src) if kind == 'svg' else from_txt(src, kind == 'txti')
pgm(rows, dst)
# Quiet zone: 4 light modules on every side.
n = len(rows[0])
q = all(not rows[y][x] for y in range(len(rows)) for x in range(n)
        if x < 4 or y < 4 or x >= n - 4 or y >= 2 * ((n + 1) // 2) - 5)
print('quiet' if q else 'no-quiet-zone')
PYEOF

decode() {
	zbarimg --raw -q "$1" 2>/dev/null || true
}

# expect_decode NAME FILE URI
expect_decode() {
	got=$(decode "$2")
	if [ "$got" = "$3" ]; then
		ok "$1"
	else
		notok "$1" "expected the QR code to read: $3" "zbarimg read: $got"
	fi
}

# --- a raw value needs no database ---------------------------------------
run "$VIGIL" label 3074257BF7194E4000001A85 -o "$WORK/epc.png"
expect_rc "label of a raw EPC value succeeds without a database" 0
expect_decode "label of an SGTIN-96 EPC carries its GS1 Digital Link" \
    "$WORK/epc.png" "https://id.gs1.org/01/80614141123458/21/6789"
if [ ! -e "$VIGIL_DATA/vigil.db" ]; then
	ok "label of a raw value does not create a database"
else
	notok "label of a raw value does not create a database" \
	    "$VIGIL_DATA/vigil.db exists"
fi
run "$VIGIL" label urn:epc:id:sgtin:0614141.812345.6789 -o "$WORK/epc2.png"
expect_decode "label of an EPC pure-identity URI carries the same Digital Link" \
    "$WORK/epc2.png" "https://id.gs1.org/01/80614141123458/21/6789"
run "$VIGIL" label --type gtin 9520123456788 -o "$WORK/gtin.png"
expect_decode "label of a GTIN-13 carries the Digital Link of its GTIN-14" \
    "$WORK/gtin.png" "https://id.gs1.org/01/09520123456788"
run "$VIGIL" label https://example.com/shop/01/09520123456788/21/12345 -o "$WORK/dl.png"
expect_decode "label of a Digital Link keeps its own domain, not the id.gs1.org digital-link form" \
    "$WORK/dl.png" "https://example.com/shop/01/09520123456788/21/12345"
run "$VIGIL" label --type serial SN-0042
expect_err "label refuses a value with no URI form (exit 1)" 1 \
    "has no URI to put on a label"

# --- devices of the inventory ----------------------------------------------
"$VIGIL" tenant create labels >/dev/null
"$VIGIL" device add --name gs1-dev --gtin 9520123456788 --serial 12345 \
    --imei 490154203237518 >/dev/null
"$VIGIL" device add --name gtin-only --gtin 00614141123452 >/dev/null
"$VIGIL" device add --name imei-dev --imei 352099001761481 >/dev/null
"$VIGIL" device add --name mac-dev --imei 356938035643809 \
    --mac 00-1B-63-84-45-E6 >/dev/null
bare_id=$("$VIGIL" --json device add --name bare-dev |
    "$PY" -c 'import json,sys; print(json.load(sys.stdin)["id"])')

run "$VIGIL" label gs1-dev -o "$WORK/gs1.png"
expect_decode "label of a device with GTIN and serial carries (01)(21) as Digital Link" \
    "$WORK/gs1.png" "https://id.gs1.org/01/09520123456788/21/12345"
run "$VIGIL" label gtin-only -o "$WORK/gtin-only.png"
expect_decode "label of a device with a GTIN and no serial carries the (01) link" \
    "$WORK/gtin-only.png" "https://id.gs1.org/01/00614141123452"
run "$VIGIL" label imei-dev -o "$WORK/imei.png"
expect_decode "label of a device without GTIN carries its IMEI URN" \
    "$WORK/imei.png" "urn:gsma:imei:35209900-176148-0"
run "$VIGIL" label mac-dev -o "$WORK/mac.png"
expect_decode "label prefers the device URN (urn:dev:mac) over the IMEI URN" \
    "$WORK/mac.png" "urn:dev:mac:001b63ffff8445e6"
run "$VIGIL" label bare-dev -o "$WORK/bare.png"
expect_decode "label of a device without identifiers carries urn:uuid:<device id>" \
    "$WORK/bare.png" "urn:uuid:$bare_id"
run "$VIGIL" label 49-015420-323751-8 -o "$WORK/byimei.png"
expect_decode "label finds the device by another spelling of its IMEI" \
    "$WORK/byimei.png" "https://id.gs1.org/01/09520123456788/21/12345"

# --- what was encoded is reported ------------------------------------------
run "$VIGIL" --json label gs1-dev -o "$WORK/j.png"
expect_json "label --json reports the encoded URI, its kind and the device" 0 \
    "[d['encoded'], d['kind'], d['device_name'], d['ec_level'], d['format']]" \
    '["https://id.gs1.org/01/09520123456788/21/12345", "digital-link", "gs1-dev", "M", "png"]'
modules=$(json "d['modules']")
run "$VIGIL" label gs1-dev -o "$WORK/n.png"
expect_err "label reports what it encoded on stderr" 0 \
    "label: encoded https://id.gs1.org/01/09520123456788/21/12345 (QR version"

# --- PNG geometry and stdout -------------------------------------------------
run "$VIGIL" label gs1-dev --size 3 -o "$WORK/s3.png"
dims=$("$PY" -c '
import struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n"
w, h, depth, colour = struct.unpack(">IIBB", b[16:26])
print(w, h, depth, colour)' "$WORK/s3.png")
want=$(( (modules + 8) * 3 ))
if [ "$dims" = "$want $want 1 0" ]; then
	ok "PNG is 1-bit grey, (modules + 8 quiet-zone modules) x --size pixels square"
else
	notok "PNG is 1-bit grey, (modules + 8 quiet-zone modules) x --size pixels square" \
	    "expected '$want $want 1 0'" "got '$dims'"
fi
expect_decode "PNG with 3-pixel modules still decodes" "$WORK/s3.png" \
    "https://id.gs1.org/01/09520123456788/21/12345"
set +e
"$VIGIL" label gs1-dev >"$WORK/stdout.png" 2>"$ERR"
RC=$?
set -e
expect_decode "label writes the PNG to stdout when stdout is not a terminal" \
    "$WORK/stdout.png" "https://id.gs1.org/01/09520123456788/21/12345"
if command -v script >/dev/null; then
	set +e
	script -qec "'$VIGIL' label gs1-dev" /dev/null >"$OUT" 2>&1
	RC=$?
	set -e
	if [ "$RC" = 1 ] && grep -q "refusing to write a PNG image to a terminal" "$OUT" &&
	    ! grep -q 'PNG' <(tr -d '\r' <"$OUT" | grep -v refusing); then
		ok "label refuses to write a PNG to a terminal (exit 1)"
	else
		notok "label refuses to write a PNG to a terminal (exit 1)" \
		    "expected exit 1 and the refusal" "got $(_show)"
	fi
fi

# --- SVG -----------------------------------------------------------------------
run "$VIGIL" label gs1-dev --format svg --size 5 -o "$WORK/l.svg"
n=$((modules + 8))
svghead=$("$PY" -c '
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
print(r.get("viewBox"), r.get("width"), r.get("height"))' "$WORK/l.svg" 2>&1)
if [ "$svghead" = "0 0 $n $n $((n * 5)) $((n * 5))" ]; then
	ok "SVG is well-formed with a viewBox of modules + quiet zone and --size pixels per module"
else
	notok "SVG is well-formed with a viewBox of modules + quiet zone and --size pixels per module" \
	    "expected '0 0 $n $n $((n * 5)) $((n * 5))'" "got '$svghead'"
fi
q=$("$PY" "$WORK/raster.py" svg "$WORK/l.svg" "$WORK/svg.pgm")
expect_decode "SVG path, rasterised, decodes to the device's Digital Link" \
    "$WORK/svg.pgm" "https://id.gs1.org/01/09520123456788/21/12345"
[ "$q" = quiet ] && ok "SVG keeps a 4-module quiet zone" ||
    notok "SVG keeps a 4-module quiet zone" "got $q"

# --- text ----------------------------------------------------------------------
run "$VIGIL" label gs1-dev --format txt
cp "$OUT" "$WORK/l.txt"
q=$("$PY" "$WORK/raster.py" txt "$WORK/l.txt" "$WORK/txt.pgm")
expect_decode "text label (Unicode half blocks) decodes to the device's Digital Link" \
    "$WORK/txt.pgm" "https://id.gs1.org/01/09520123456788/21/12345"
[ "$q" = quiet ] && ok "text label keeps a 4-module quiet zone" ||
    notok "text label keeps a 4-module quiet zone" "got $q"
lines=$(wc -l <"$WORK/l.txt")
if [ "$lines" = $(( (n + 1) / 2 )) ]; then
	ok "text label packs two module rows per line"
else
	notok "text label packs two module rows per line" \
	    "expected $(( (n + 1) / 2 )) lines" "got $lines"
fi
run "$VIGIL" label gs1-dev --format txt --invert
cp "$OUT" "$WORK/li.txt"
"$PY" "$WORK/raster.py" txti "$WORK/li.txt" "$WORK/txti.pgm" >/dev/null
if ! cmp -s "$WORK/l.txt" "$WORK/li.txt"; then
	expect_decode "text label --invert draws light modules and still decodes" \
	    "$WORK/txti.pgm" "https://id.gs1.org/01/09520123456788/21/12345"
else
	notok "text label --invert draws light modules and still decodes" \
	    "--invert output equals the normal output"
fi

# --- usage -----------------------------------------------------------------------
run "$VIGIL" label gs1-dev --format gif
expect_err "label rejects an unknown format (exit 2)" 2 \
    "unknown format 'gif' (png, svg, txt)"
run "$VIGIL" label gs1-dev --size 0 -o "$WORK/x.png"
expect_err "label rejects a module size of 0 (exit 2)" 2 \
    "--size: 0 is out of range 1-64"
run "$VIGIL" label no-such-device-or-id -o "$WORK/x.png"
expect_err "label says when the argument is neither a device nor an identifier (exit 1)" \
    1 "no device 'no-such-device-or-id' in tenant labels"

# --- several tenants ----------------------------------------------------------------
"$VIGIL" tenant create second >/dev/null
run "$VIGIL" label 3074257BF7194E4000001A85 -o "$WORK/epc3.png"
if [ "$RC" = 0 ] && ! grep -q '^vigil:' "$ERR"; then
	ok "label of a raw value with several tenants needs no --tenant and prints no error"
else
	notok "label of a raw value with several tenants needs no --tenant and prints no error" \
	    "got $(_show)"
fi
run "$VIGIL" label gs1-dev -o "$WORK/x.png"
expect_err "label of a device name with several tenants asks for --tenant (exit 1)" \
    1 "(to label a device, choose its tenant with --tenant)"
run "$VIGIL" --tenant labels label gs1-dev -o "$WORK/t.png"
expect_decode "label --tenant finds the device among several tenants" \
    "$WORK/t.png" "https://id.gs1.org/01/09520123456788/21/12345"

finish
