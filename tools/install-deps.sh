#!/bin/sh
# Install, idempotently, every Debian 12 package that building, running and testing
# sockscope needs (qemu, busybox and cpio boot the kernel matrix of `make vmtest`; clang's
# libFuzzer and sanitizer runtimes, libclang-rt-14-dev, build `make fuzz`). Runs
# `apt-get update` once, and only when something is missing.
set -eu

PACKAGES="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libzstd-dev pkg-config
libcmocka-dev libmicrohttpd-dev iproute2 jq util-linux procps libbpf-tools tmux curl scdoc
libclang-rt-14-dev
prometheus prometheus-node-exporter
qemu-system-x86 busybox-static cpio xz-utils debian-archive-keyring"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing; run as root (or: sudo apt-get install$missing)" >&2
	exit 1
fi
echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y -qq --no-install-recommends $missing
