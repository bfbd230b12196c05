#!/usr/bin/python3
"""Peer figures for bench/bench_id.c: python-stdnum validation throughput.

Run with Debian's /usr/bin/python3 (python3-stdnum). For each identifier
type stdnum covers, validates COUNT (default 20000) generated valid values
five times and prints the median rate, one line per type:

    TYPE VALUES_PER_S python-stdnum-VERSION

bench_id reads this output from a file (see the top of bench_id.c). The
values mirror bench_id's generators (same kinds and spellings, not the
same digits), so both sides validate comparable inputs.
"""

import random
import statistics
import sys
import time

import stdnum
from stdnum import ean, gs1_128, imei, imsi, luhn, mac, meid
from stdnum.iso7064 import mod_97_10

RUNS = 5


def digits(rng, n):
    return ''.join(rng.choice('0123456789') for _ in range(n))


def gen_imei(rng):
    body = digits(rng, 14)
    return body + luhn.calc_check_digit(body)


def gen_meid(rng):
    return rng.choice('ABCDEF') + ''.join(
        rng.choice('0123456789ABCDEF') for _ in range(13))


def gen_iccid(rng):
    body = '8949' + digits(rng, 15)
    return body + luhn.calc_check_digit(body)


def gen_imsi(rng):
    plmn = rng.choice(['310150', '26201', '23415', '20810', '46000',
                       '44010', '310410', '50501'])
    return plmn + digits(rng, 15 - len(plmn))


def gen_eid(rng):
    body = '89' + digits(rng, 28)
    return body + mod_97_10.calc_check_digits(body)


def gen_mac(rng):
    octets = [rng.randrange(256) for _ in range(6)]
    octets[0] &= 0xfc
    return ':'.join('%02x' % o for o in octets)


def gen_gtin(rng):
    body = '0' + digits(rng, 12)
    return body + ean.calc_check_digit(body)


def gen_gs1(rng):
    return '(01)%s(21)%d' % (gen_gtin(rng), rng.randrange(100000000))


# (type, generator, validator); validators raise on an invalid value.
TYPES = [
    ('imei', gen_imei, imei.validate),
    ('meid', gen_meid, meid.validate),
    ('iccid', gen_iccid, luhn.validate),
    ('imsi', gen_imsi, imsi.validate),
    ('eid', gen_eid, mod_97_10.validate),
    # Manufacturer lookup off: vigil does not consult the OUI registry.
    ('mac', gen_mac, lambda v: mac.validate(v, validate_manufacturer=False)),
    ('gtin', gen_gtin, ean.validate),
    ('gs1', gen_gs1, gs1_128.validate),
]


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    peer = 'python-stdnum-%s' % stdnum.__version__
    for name, gen, validate in TYPES:
        rng = random.Random('bench-' + name)
        values = [gen(rng) for _ in range(count)]
        for v in values:
            validate(v)  # a generator bug must not pass for speed
        rates = []
        for _ in range(RUNS):
            t0 = time.perf_counter()
            for v in values:
                validate(v)
            rates.append(count / (time.perf_counter() - t0))
        print('%s %.0f %s' % (name, statistics.median(rates), peer))
        sys.stdout.flush()


if __name__ == '__main__':
    main()
