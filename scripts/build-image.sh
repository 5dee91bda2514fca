#!/usr/bin/env bash
# Builds rocketgate's container image from the Containerfile with podman (docker where podman
# is absent). See --help.
set -euo pipefail
. "$(dirname "$0")/container/engine.sh"

usage() {
  cat <<EOF
Usage: scripts/build-image.sh [options] [-- more arguments for "$CONTAINER_ENGINE build"]

Builds the Containerfile into an image.

  -t, --tag NAME     the image name (default: \$ROCKETGATE_IMAGE or localhost/rocketgate:latest)
  --base IMAGE       the base image, build argument BASE_IMAGE (default: the Containerfile's,
                     docker.io/library/node:20-slim)
  --standin-base     for machines that reach no container registry: build (once) a stand-in
                     for node:20-slim from Debian packages and this machine's Node.js 20
                     (scripts/container/standin-base.sh; needs root and debootstrap) and
                     build on it; also ROCKETGATE_STANDIN_BASE=1
  -h, --help         this text

Engine: CONTAINER_ENGINE=podman|docker (default podman when installed). podman runs with
scripts/container/containers.conf unless CONTAINERS_CONF is set, builds with
--format docker (the OCI format drops HEALTHCHECK) and uses the host network for the
build's npm ci. A CA bundle that npm is configured with (npm config cafile, or
NODE_EXTRA_CA_CERTS) is handed to the build as the secret npm_ca, never stored in the image.
The last line printed is the image name.
EOF
}

tag=${ROCKETGATE_IMAGE:-localhost/rocketgate:latest}
base=
standin=${ROCKETGATE_STANDIN_BASE:-}
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    -t|--tag) [ $# -ge 2 ] || die "$1 needs a value"; tag=$2; shift 2 ;;
    --tag=*) tag=${1#*=}; shift ;;
    --base) [ $# -ge 2 ] || die "$1 needs a value"; base=$2; shift 2 ;;
    --base=*) base=${1#*=}; shift ;;
    --standin-base) standin=1; shift ;;
    -h|--help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
if [ -n "$standin" ] && [ "$standin" != 0 ]; then
  [ -z "$base" ] || die "--base and --standin-base exclude each other"
  base=$("$ROCKETGATE_ROOT/scripts/container/standin-base.sh")
fi

args=(build -f "$ROCKETGATE_ROOT/Containerfile" -t "$tag" --network host)
[ "$CONTAINER_ENGINE" = podman ] && args+=(--format docker)
[ -n "$base" ] && args+=(--build-arg "BASE_IMAGE=$base")

ca=$(npm config get cafile 2>/dev/null || true)
case "$ca" in ''|null|undefined) ca=${NODE_EXTRA_CA_CERTS:-} ;; esac
[ -n "$ca" ] && [ -s "$ca" ] && args+=(--secret "id=npm_ca,src=$ca")

version=$(node -p "require('$ROCKETGATE_ROOT/package.json').version" 2>/dev/null || true)
[ -n "$version" ] && args+=(--label "org.opencontainers.image.version=$version")
revision=$(git -C "$ROCKETGATE_ROOT" rev-parse HEAD 2>/dev/null || true)
[ -n "$revision" ] && args+=(--label "org.opencontainers.image.revision=$revision")
args+=(--label "org.opencontainers.image.title=rocketgate")

echo "build-image: $CONTAINER_ENGINE ${args[*]} ${extra[*]} $ROCKETGATE_ROOT" >&2
engine "${args[@]}" "${extra[@]}" "$ROCKETGATE_ROOT" >&2
echo "$tag"
