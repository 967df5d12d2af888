#!/usr/bin/env bash
# Fetch the newest cloud kernel of a Debian suite into a cache directory, with apt but with
# its own sources and state: the system's apt configuration stays untouched.
#   usage: tools/vm/fetch-kernel.sh SUITE DIR     SUITE: bullseye | bookworm | trixie | sid
# Leaves DIR/vmlinuz, DIR/version (the kernel release, e.g. 6.1.0-50-cloud-amd64) and
# DIR/modules.cpio.gz: the few modules the tests need that the cloud kernel does not build in
# (MODULES), uncompressed at /lib/modules/VERSION/, and the kernel's config at
# /boot/config-VERSION, in a cpio archive the guest's initramfs is extended with
# (tools/vmtest.sh); the guest's /init loads the modules.
set -euo pipefail
suite=$1 dir=$2
# the two_hosts tests' veth pair; clsact and tc BPF programs for export_quality's loss driver
MODULES="veth sch_ingress cls_bpf"

# what the cpio holds besides the modules: the kernel's config at /boot/config-VERSION, where
# sockscope reads the preemption model (auto's backend order)
EXTRAS="config"

# a cache made for another module list (or without the extras) is made again
[ -s "$dir/vmlinuz" ] && [ -s "$dir/version" ] && [ -s "$dir/modules.cpio.gz" ] &&
	[ "$(cat "$dir/modules.list" 2>/dev/null)" == "$MODULES $EXTRAS" ] && exit 0
mkdir -p "$dir"
dir=$(readlink -f "$dir")
apt_dir=$dir/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null ||
	true)
mirror=${mirror:-http://deb.debian.org/debian}
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
	>"$apt_dir/sources.list"
opts=(-o Dir::Etc::SourceList="$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir/cache"
	-o Debug::NoLocking=1 -o APT::Sandbox::User=root)
apt-get "${opts[@]}" update -qq
# The cloud flavour boots fast. Up to trixie its image is in
# linux-image-VER-cloud-amd64-unsigned, from sid (7.x) on in linux-binary-unsigned-VER-cloud-amd64.
pkg=$(apt-cache "${opts[@]}" search --names-only \
	'^linux-(image-[0-9].*-cloud-amd64-unsigned|binary-unsigned-[0-9].*-cloud-amd64)$' |
	awk '{ print $1 }' | sort -V | tail -1)
[ -n "$pkg" ] || { echo "fetch-kernel: no cloud kernel package in $suite" >&2; exit 1; }
# from sid (7.x) on the modules are a package of their own, linux-modules-VER-cloud-amd64,
# and the config is in linux-base-VER-cloud-amd64
pkgs=("$pkg")
case $pkg in
linux-binary-unsigned-*) pkgs+=("linux-modules-${pkg#linux-binary-unsigned-}" "linux-base-${pkg#linux-binary-unsigned-}") ;;
esac
rm -f "$dir"/*.deb
(cd "$dir" && apt-get "${opts[@]}" download "${pkgs[@]}" >/dev/null)
rm -rf "$dir/root"
for deb in "$dir"/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
# /boot/vmlinuz-VER up to trixie, /usr/lib/modules/VER/vmlinuz.unsigned from sid on
image=$(find "$dir/root" -name 'vmlinuz*' -type f | head -1)
[ -n "$image" ] || { echo "fetch-kernel: $pkg holds no vmlinuz" >&2; exit 1; }
cp "$image" "$dir/vmlinuz"
case $image in
*/boot/vmlinuz-*) basename "$image" | sed 's/^vmlinuz-//' ;;
*) basename "$(dirname "$image")" ;;
esac >"$dir/version"
version=$(cat "$dir/version")
stage=$dir/modules
rm -rf "$stage"
mkdir -p "$stage/lib/modules/$version"
for m in $MODULES; do
	ko=$(find "$dir/root" -name "$m.ko*" -type f | head -1)
	if [ -z "$ko" ] && grep -qs "/$m.ko" "$dir/root"/lib/modules/*/modules.builtin "$dir/root"/usr/lib/modules/*/modules.builtin; then
		continue # built in
	fi
	[ -n "$ko" ] || { echo "fetch-kernel: $pkg holds no $m module" >&2; exit 1; }
	case $ko in
	*.xz) xz -dc "$ko" ;;
	*.zst) zstd -qdc "$ko" ;;
	*) cat "$ko" ;;
	esac >"$stage/lib/modules/$version/$m.ko"
done
# /boot/config-VER up to trixie, /usr/lib/modules/VER/config from sid on
config=$(find "$dir/root" \( -name "config-$version" -o -path "*/modules/$version/config" \) -type f | head -1)
[ -n "$config" ] || { echo "fetch-kernel: $pkg holds no kernel config" >&2; exit 1; }
mkdir -p "$stage/boot"
cp "$config" "$stage/boot/config-$version"
(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) >"$dir/modules.cpio.gz"
echo "$MODULES $EXTRAS" >"$dir/modules.list"
# Besides those, the image is all we boot (what the tests need is built in).
rm -rf "$dir/root" "$dir"/*.deb "$stage"
