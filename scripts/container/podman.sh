#!/usr/bin/env bash
# podman with this project's settings (scripts/container/containers.conf: runc, cgroupfs,
# ulimits below the host's hard limits) unless CONTAINERS_CONF is set. Takes podman's
# arguments: scripts/container/podman.sh run --rm rocketgate --help
set -euo pipefail
CONTAINER_ENGINE=podman
. "$(dirname "$0")/engine.sh"
command -v podman >/dev/null 2>&1 || die "podman is not installed (Debian: apt-get install podman runc)"
exec podman "$@"
