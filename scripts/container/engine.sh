# Sourced by the container scripts (not run): picks the container engine and its settings.
#
#   CONTAINER_ENGINE   podman or docker; default podman when installed, else docker
#   CONTAINERS_CONF    podman's settings file; default scripts/container/containers.conf
#                      (runc, cgroupfs, ulimits below the host's hard limits), so that
#                      nothing on the machine has to change
#
# Defines: ROCKETGATE_ROOT, CONTAINER_ENGINE, engine (runs the engine), die.

die() {
  printf '%s: %s\n' "${0##*/}" "$*" >&2
  exit 1
}

ROCKETGATE_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

if [ -z "${CONTAINER_ENGINE:-}" ]; then
  if command -v podman >/dev/null 2>&1; then
    CONTAINER_ENGINE=podman
  elif command -v docker >/dev/null 2>&1; then
    CONTAINER_ENGINE=docker
  else
    die "neither podman nor docker is installed (Debian: apt-get install podman runc)"
  fi
fi
case "$CONTAINER_ENGINE" in
  podman) export CONTAINERS_CONF="${CONTAINERS_CONF:-$ROCKETGATE_ROOT/scripts/container/containers.conf}" ;;
  docker) ;;
  *) die "CONTAINER_ENGINE must be podman or docker, not \"$CONTAINER_ENGINE\"" ;;
esac

engine() {
  command "$CONTAINER_ENGINE" "$@"
}
