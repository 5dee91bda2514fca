#!/usr/bin/env bash
# Builds, once, a local stand-in for the official node:20-slim image, for machines that reach
# no container registry, and prints its name. The Containerfile builds on it unchanged
# (scripts/build-image.sh --standin-base passes it as BASE_IMAGE).
#
# Like node:20-slim it is Debian bookworm (minbase, from Debian packages by debootstrap,
# without apt lists, docs, man pages and locales) with node and npm in /usr/local and the
# user node (uid 1000, gid 1000); its Node.js is this machine's (`command -v node`, 20.x).
#
# The name carries a hash of what goes in (this script, the Node binary, npm's version, the
# suite and the mirror): an image of that name is reused, and the debootstrap root file system
# is kept as a tarball in $ROCKETGATE_CONTAINER_CACHE (default /tmp/rocketgate-container-cache)
# so that a lost image store costs no second debootstrap. Needs root and debootstrap.
#
#   STANDIN_NODE           the node binary (default: command -v node)
#   STANDIN_DEBIAN_MIRROR  default http://deb.debian.org/debian
set -euo pipefail
. "$(dirname "$0")/engine.sh"

suite=bookworm
mirror=${STANDIN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache_dir=${ROCKETGATE_CONTAINER_CACHE:-/tmp/rocketgate-container-cache}

node_bin=$(readlink -f "${STANDIN_NODE:-$(command -v node || true)}")
[ -x "$node_bin" ] || die "no node binary (set STANDIN_NODE)"
node_version=$("$node_bin" --version)
case "$node_version" in v20.*) ;; *) die "the stand-in needs Node.js 20 like node:20-slim; $node_bin is $node_version" ;; esac
# npm as this Node.js ships it: <prefix>/lib/node_modules/npm
npm_dir=$(cd "$(dirname "$node_bin")/../lib/node_modules/npm" 2>/dev/null && pwd) \
  || die "no npm beside $node_bin (expected $(dirname "$node_bin")/../lib/node_modules/npm)"
npm_version=$("$node_bin" -p "require('$npm_dir/package.json').version")

script_sum=$(sha256sum "$0" | cut -c1-64)
rootfs_key=$(printf '%s\n' "$script_sum" "$suite" "$mirror" | sha256sum | cut -c1-16)
image_key=$(printf '%s\n' "$rootfs_key" "$(sha256sum "$node_bin" | cut -c1-64)" "$npm_version" | sha256sum | cut -c1-16)
image="localhost/rocketgate-standin/node:20-slim-$image_key"

if engine image inspect "$image" >/dev/null 2>&1; then
  echo "$image"
  exit 0
fi

[ "$(id -u)" = 0 ] || die "building the stand-in base needs root (debootstrap, file ownership)"
mkdir -p "$cache_dir"
exec 9>"$cache_dir/standin.lock"
flock 9
# another build may have made it while we waited for the lock
if engine image inspect "$image" >/dev/null 2>&1; then
  echo "$image"
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/rocketgate-standin.XXXXXX")
trap 'rm -rf "$work"' EXIT

rootfs_tar="$cache_dir/debian-$suite-minbase-$rootfs_key.tar"
if [ ! -s "$rootfs_tar" ]; then
  command -v debootstrap >/dev/null 2>&1 || die "debootstrap is not installed (apt-get install debootstrap)"
  echo "standin-base: debootstrap --variant=minbase $suite from $mirror" >&2
  debootstrap --variant=minbase "$suite" "$work/debian" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
  # what debian:bookworm-slim leaves out, and what no image carries (device nodes, logs)
  (cd "$work/debian" && rm -rf var/cache/apt/archives/*.deb var/cache/apt/*.bin var/lib/apt/lists/* \
    usr/share/doc/* usr/share/man/* usr/share/info/* usr/share/locale/* var/log/* dev/* proc/* sys/* run/*)
  tar --numeric-owner -C "$work/debian" -cf "$rootfs_tar.tmp" .
  mv "$rootfs_tar.tmp" "$rootfs_tar"
  rm -rf "$work/debian"
fi

root="$work/root"
mkdir -p "$root"
tar --numeric-owner -C "$root" -xf "$rootfs_tar"
install -D -m 0755 "$node_bin" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
# the user of node:20-slim
echo 'node:x:1000:' >>"$root/etc/group"
echo 'node:x:1000:1000::/home/node:/bin/bash' >>"$root/etc/passwd"
echo 'node:*:19000:0:99999:7:::' >>"$root/etc/shadow"
mkdir -p "$root/home/node"
chown 1000:1000 "$root/home/node"

echo "standin-base: importing $image (Node.js $node_version, npm $npm_version)" >&2
tar --numeric-owner -C "$root" -cf - . | engine import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=${node_version#v}" \
  --change 'CMD ["node"]' \
  --change "LABEL org.opencontainers.image.description=\"stand-in for node:20-slim: Debian $suite minbase and this machine's Node.js $node_version\"" \
  - "$image" >/dev/null
echo "$image"
