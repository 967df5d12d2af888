#!/usr/bin/env bash
# Build the test VM's initramfs: busybox for the basics, the host's own bash, jq, iproute2,
# bpftool and coreutils with the shared libraries they load (the guest runs the host's user
# space on the guest's kernel), the static sockscope and the test drivers, and the e2e tests.
#   usage: tools/vm/mkinitramfs.sh STATIC_BUILD_DIR OUT.cpio.gz
set -euo pipefail
build=$(readlink -f "$1") out=$2
cd "$(dirname "$0")/../.."

root=$(mktemp -d /tmp/sockscope-initramfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,root,etc}

cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done

# Copy a file to the same path in the image, resolving symlinks (Debian's /lib -> usr/lib).
copy_path() {
	local dest=$root$1
	[ -e "$dest" ] && return 0
	mkdir -p "$(dirname "$dest")"
	cp -L "$1" "$dest"
}

# Host tools the e2e tests run, with every library ldd names. Where busybox has a tool too,
# the host's wins (it is earlier on PATH): the tests were written against these.
tools="bash jq ip bpftool timeout mktemp stat date seq sleep grep sed awk mawk wc head tail cat
sort uniq tr cut rm mkdir basename dirname id env readlink ls sysctl ps kill chmod setpriv ss
paste diff tmux"
for t in $tools; do
	path=$(command -v "$t" 2>/dev/null) || { echo "mkinitramfs: $t not found" >&2; exit 1; }
	[ -x "$path" ] || continue # a shell builtin
	mkdir -p "$root/usr/bin"
	cp -L "$path" "$root/usr/bin/$t"
	ldd "$path" 2>/dev/null | grep -oE '/[^ ]+' | while read -r lib; do copy_path "$lib"; done
done

# tmux (top_tty) refuses to start without a UTF-8 locale, or without a description of the
# terminal it runs in (the kernel gives /init TERM=linux); its panes are "screen" terminals
copy_dir() { mkdir -p "$root$1" && cp -rL "$1/." "$root$1/"; }
copy_dir /usr/lib/locale/C.utf8
for term in s/screen l/linux; do
	found=
	for dir in /lib/terminfo /usr/share/terminfo; do
		[ -e "$dir/$term" ] && copy_path "$dir/$term" && found=1 && break
	done
	[ -n "$found" ] || { echo "mkinitramfs: no terminfo entry $term (ncurses-base)" >&2; exit 1; }
done

ln -sf ../usr/bin/bash "$root/bin/bash" # /init and the tests say #!/bin/bash or env bash
mkdir -p "$root/var"
ln -s ../run "$root/var/run" # where some iproute2 builds keep named namespaces

mkdir -p "$root/sockscope/build/tests"
cp "$build/sockscope" "$root/sockscope/build/sockscope"
for d in tcpdrive udpdrive udpcalls unixdrive sockdrive threaddrive lossdrive; do
	cp "$build/tests/$d" "$root/sockscope/build/tests/$d"
done
mkdir -p "$root/sockscope/build/bench"
cp "$build/bench/unixchurn" "$root/sockscope/build/bench/unixchurn" # top_plain's unix churn
cp -r tests "$root/sockscope/tests"
mkdir -p "$root/sockscope/docs"
cp docs/output.md "$root/sockscope/docs/" # json_keys reads the documented keys
# nobody: threads_users runs its drivers as uid 65534 and expects its name in `ports`
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
	>"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
cp tools/vm/guest-init.sh "$root/init"

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
