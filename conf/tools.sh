#!/bin/sh
# Check that the tools the build, QEMU runs and the grader need are here.
# As root on Debian or Ubuntu, install what is missing with apt-get;
# otherwise print the command that would, and fail.
# Usage: conf/tools.sh [GCCPREFIX]

prefix=$1
missing=

have() { command -v "$1" >/dev/null 2>&1; }

# A compiler that can build and link freestanding 32-bit code with libgcc
# (libgcc supplies 64-bit division).
cc_works() {
	cc=${prefix}gcc
	[ -n "$prefix" ] || cc="gcc -m32"
	have "${prefix}gcc" || return 1
	tmp=$(mktemp -d) || return 1
	echo 'unsigned long long d(unsigned long long a, unsigned long long b) { return a / b; } void _start(void) { }' > "$tmp/t.c"
	$cc -nostdlib -ffreestanding -o "$tmp/t" "$tmp/t.c" \
		"$($cc -print-libgcc-file-name)" >/dev/null 2>&1
	ok=$?
	rm -rf "$tmp"
	return $ok
}

check() {
	missing=
	have qemu-system-i386 || missing="$missing qemu-system-x86"
	cc_works || missing="$missing gcc-multilib"
	have gdb || missing="$missing gdb"
	have perl || missing="$missing perl"
	have python3 || missing="$missing python3"
}

check
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" = 0 ] && have apt-get; then
	echo "+ installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get update -q && apt-get install -y -q --no-install-recommends $missing; } >&2
	check
	[ -z "$missing" ] && exit 0
	echo "*** still missing after apt-get:$missing" >&2
	exit 1
fi
echo "*** missing tools:$missing" >&2
echo "*** install them with:  sudo $cmd" >&2
exit 1
