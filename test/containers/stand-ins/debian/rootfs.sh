#!/usr/bin/env bash
# Builds the stand-ins' common base offline from Debian's packages: debootstrap's minbase of
# bookworm, imported into the private engine as one layer. Usage: rootfs.sh IMAGE-REFERENCE
# The host's CA bundle goes in, so HTTPS inside builds (npm) trusts what the host trusts, as
# behind any corporate proxy; apt itself fetches over plain HTTP and checks Debian's signatures.
set -euo pipefail
image=${1:?usage: rootfs.sh IMAGE-REFERENCE}
suite=bookworm
mirror=$(awk '/^URIs:/ { print $2; exit } /^deb / { print $2; exit }' \
  /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}
: "${DOCKER_HOST:?DOCKER_HOST must point at the private engine}"

root=$(mktemp -d /var/tmp/tristack-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$root.log" 2>&1 ||
  { tail -20 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"

cat >"$root/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb ${mirror%/debian}/debian-security $suite-security main
SOURCES
# Services installed in an image must not try to start during the build (as in Docker's debian).
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
# Images stay small: no package caches, no documentation (Docker's debian image does the same).
cat >"$root/etc/apt/apt.conf.d/90container" <<'APT'
APT::Install-Recommends "false";
Binary::apt::APT::Keep-Downloaded-Packages "false";
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/*.bin || true"; };
APT
cat >"$root/etc/dpkg/dpkg.cfg.d/90container" <<'DPKG'
path-exclude /usr/share/doc/*
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
DPKG
mkdir -p "$root/etc/ssl/certs"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/log/*.log "$root"/tmp/*

tar --numeric-owner -C "$root" -c . | /usr/bin/docker import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["bash"]' \
  --change "LABEL tristack.stand-in=debian tristack.stand-in.digest=${STAND_IN_DIGEST:-unknown}" \
  - "$image" >/dev/null
