#!/usr/bin/env bash
# Make the fuzz targets' seed corpora (tests/fuzz/corpus/NAME/) again from a real run: a
# `sockscope record` capture of TCP, UDP and unix traffic by processes with hostile names
# (quotes, newlines, escape sequences, invalid UTF-8) and a unix path holding a newline, this
# host's /proc text, and one sock_diag answer. Needs root and a build (make); python3 turns
# the capture into each target's input format (tests/fuzz/corpus.py). Not part of any test run:
# the corpora are committed, this only says where they came from.
#   usage: tests/fuzz/make_corpus.sh
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lib.sh
. tests/lib.sh
need_root
netns_up
out=tests/fuzz/corpus

ip netns exec "$NS" "$SOCKSCOPE" record -o "$WORK/run.cap" 2>"$WORK/rec.err" & # not in_ns: $! must be sockscope
REC=$!
BG_PIDS+=("$REC")
wait_ready "$WORK/rec.err" "$REC"
start_server "$(printf 'srv"}\n\033[31m')" 127.0.0.1 8080 2 100
in_ns "$TCPDRIVE" client "$(printf 'cli\xff\xfe\x7f')" 127.0.0.1 8080 2 10 >/dev/null || fail "tcp client"
wait_server
in_ns "$TCPDRIVE" refused refused 127.0.0.1 9 >/dev/null
start_udp_server udp-srv 127.0.0.1 5353 3
in_ns "$UDPDRIVE" client "$(printf 'udp\tcli')" 127.0.0.1 5353 3 20 connected >/dev/null || fail "udp client"
wait_server
in_ns "$UNIXDRIVE" stream ux-stream "$WORK/$(printf 'ux\nsock')" 100 >/dev/null || fail "unixdrive stream"
in_ns "$UNIXDRIVE" stream ux-abstract "@$(printf 'abs\033]0;t\a')" 100 >/dev/null || fail "unixdrive abstract"
in_ns "$UNIXDRIVE" dgram ux-dgram "$WORK/dg.sock" 3 32 >/dev/null || fail "unixdrive dgram"
sleep 1
kill -INT $REC
wait $REC || fail "record: $(tail -3 "$WORK/rec.err")"

# what the /proc readers and sock_diag read on this host, with a unix socket bound to a path
# holding a newline
ux=$(mktemp -d)
python3 -c 'import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(); time.sleep(2)' \
	"$ux/$(printf 'a\nb')" &
sleep 0.5
head -40 /proc/net/unix >"$WORK/proc_unix"
python3 - "$WORK/diag.bin" <<'EOF' || fail "the sock_diag answer"
import socket, struct, sys
s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, 4)  # NETLINK_SOCK_DIAG
# nlmsghdr + unix_diag_req: every state, name, peer and uid
req = struct.pack("=BBHIIIII", socket.AF_UNIX, 0, 0, 0xffffffff, 0, 1 | 4 | 64, 0xffffffff, 0xffffffff)
s.send(struct.pack("=IHHII", 16 + len(req), 20, 0x301, 1, 0) + req)  # SOCK_DIAG_BY_FAMILY, dump
data = s.recv(65536)
keep, off = b"", 0
while off + 16 <= len(data) and len(keep) < 2048:  # whole messages, a few
	n = struct.unpack_from("=I", data, off)[0]
	keep += data[off:off + ((n + 3) & ~3)]
	off += (n + 3) & ~3
open(sys.argv[1], "wb").write(keep)
EOF
wait
rm -rf "$ux"
python3 tests/fuzz/corpus.py "$WORK" "$out" || fail "corpus.py"
echo "seed corpora written under $out"
