#!/usr/bin/env python3
# The seed corpora from what tests/fuzz/make_corpus.sh gathered (WORK): a real capture, this
# host's /proc text, a sock_diag answer. Each target's input format is the one its file's
# comment gives (tests/fuzz/NAME.c).
#   usage: tests/fuzz/corpus.py WORK OUT
import os
import struct
import sys

work, out = sys.argv[1], sys.argv[2]

# fuzz_support.c's record_types[], in its order: a record's type byte is its index there
TYPES = [1, 2, 3, 4, 5, 6, 16, 17, 19, 20, 21, 22, 18, 23, 32, 33, 34, 35]
UNIX_FIXED = 120  # SS_UNIX_EVENT_FIXED


def seed(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def frames(cap):
    assert cap[:8] == b"SSCAPTUR", "not a capture"
    off = 8
    while off + 8 <= len(cap):
        size, _crc = struct.unpack_from("=II", cap, off)
        yield cap[off + 8:off + 8 + size]
        off += 8 + size


cap = open(os.path.join(work, "run.cap"), "rb").read()
all_frames = list(frames(cap))
header, records = all_frames[0], [r for r in all_frames[1:] if struct.unpack_from("=H", r)[0] in TYPES]
offset = header[32:40]  # capture_header.mono_to_real_ns


def typed(recs):
    return b"".join(bytes([TYPES.index(struct.unpack_from("=H", r)[0])]) + r for r in recs)


def of_types(*types):
    return [r for r in records if struct.unpack_from("=H", r)[0] in types]


tcp, udp, unix = of_types(1, 2, 3, 4, 5, 6), of_types(16, 17), of_types(19, 20, 21, 22)
groups = {"tcp": tcp, "udp": udp, "unix": unix, "all": records}

seed("capture", "run-json", b"\x00" + cap)
seed("capture", "run-text", b"\x01" + cap)
seed("capture", "cut", b"\x00" + cap[:len(cap) // 2])
for name, recs in groups.items():
    seed("trace_json", name, offset + typed(recs))
    seed("trace_text", name, offset + typed(recs))
    seed("table_fmt", name, typed(recs))
    seed("prom_page", name, b"\x40\x00\x01" + typed(recs) + b"\xff")
seed("prom_page", "tight-budget", b"\x02\x00\x00" + typed(records))


def packed(rec):
    """A unix event as the ring carries it: the fixed part, then only the paths' bytes."""
    n, m = struct.unpack_from("=HH", rec, 112)  # path_len, peer_path_len
    body = rec[:UNIX_FIXED] + rec[UNIX_FIXED:UNIX_FIXED + n] + rec[UNIX_FIXED + 108:UNIX_FIXED + 108 + m]
    body += b"\0" * (-len(body) % 8)
    return body[:4] + struct.pack("=I", len(body)) + body[8:]


for name, recs in groups.items():
    if recs and name != "all":
        r = recs[0]
        seed("record", name, packed(r) if struct.unpack_from("=H", r)[0] in (19, 20) else r)
seed("record", "stream", b"".join(r for r in records if struct.unpack_from("=H", r)[0] not in (19, 20)))

seed("unix_proc", "host", open(os.path.join(work, "proc_unix"), "rb").read())
seed("unix_diag", "host", open(os.path.join(work, "diag.bin"), "rb").read())

mountinfo = [l for l in open("/proc/self/mountinfo", "rb").read().splitlines(True) if b" - cgroup2 " in l]
proc_text = {
    "fd-socket": b"\x00socket:[4026532008]",
    "fd-pipe": b"\x00pipe:[35261]",
    "mountinfo": b"\x01" + (mountinfo[0] if mountinfo else b"35 24 0:30 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"),
    "mountinfo-escaped": b"\x0135 24 0:30 / /sys/fs/my\\040cgroup\\134x rw,nosuid shared:9 - cgroup2 cgroup2 rw\n",
    "protocols": b"\x02" + open("/proc/net/protocols", "rb").read(),
    "syscall-accept4": b"\x03288 0x3 0x7ffc1e2f3a40 0x7ffc1e2f3a3c 0x80800 0x0 0x0 0x7ffc1e2f3a18 0x7f5e2a8f1d57\n",
    "syscall-running": b"\x03running\n",
    "boot_id": b"\x04" + open("/proc/sys/kernel/random/boot_id", "rb").read(),
}
for name, data in proc_text.items():
    seed("proc_text", name, data)

# cli.c: a command byte (trace 0, verify 1, ports 2, assoc 3, top 4, export 5, doctor 6,
# record 7, replay 8), then NUL-separated arguments
cli = {
    "trace": (0, ["-j", "-p", "42", "--port", "80", "--port=443", "-6", "--proto", "tcp,udp",
                  "-d", "1.5", "--backend", "kprobe", "-vv", "--ring-size", "65536"]),
    "ports": (2, ["-j", "--proto", "unix"]),
    "assoc": (3, ["--watch", "-j", "--pid", "1"]),
    "export": (5, ["--listen", "[::1]:9100", "--peer-labels", "10.0.0.0/8,fd00::/8",
                   "--max-series", "500", "--textfile", "/var/lib/x.prom"]),
    "record": (7, ["-o", "/tmp/x.cap", "--max-flows", "16"]),
    "replay": (8, ["-j", "/tmp/x.cap"]),
    "help": (4, ["--help"]),
}
for name, (cmd, args) in cli.items():
    seed("cli", name, bytes([cmd]) + b"\0".join(a.encode() for a in args))
