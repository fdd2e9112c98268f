#!/usr/bin/env bash
# Runs a command with a Docker engine: the one already running, or a dockerd started here with the flags
# that work on our CI machines (vfs storage, no iptables, no bridge: containers use --network host),
# logging to tmp/ci/dockerd.log. On exit, also on failure or a signal, it removes the onex-kafka compose
# cluster, and when it started the daemon, every container of that daemon and the daemon itself.
#
#   KAFKA_MODE=container tools/scripts/with-docker.sh npm test      # what .ci/run does
#   tools/scripts/with-docker.sh env KAFKA_MODE=container npx jest -c e2e/jest.config.cjs --testPathIgnorePatterns src/cluster/
set -uo pipefail
cd "$(dirname "$0")/../.."
mkdir -p tmp/ci

dockerd_pid=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if docker info >/dev/null 2>&1; then
    if [ -n "$(docker ps -aq --filter label=com.docker.compose.project=onex-kafka)" ]; then
      docker-compose -p onex-kafka -f docker-compose.yml logs --no-color --timestamps --tail=5000 >tmp/ci/kafka-containers.log 2>&1 || true
      node tools/kafka/docker/compose.mjs down || docker ps -aq --filter label=com.docker.compose.project=onex-kafka | xargs -r docker rm -f
    fi
    [ -n "$dockerd_pid" ] && docker ps -aq | xargs -r docker rm -f >/dev/null
  fi
  if [ -n "$dockerd_pid" ]; then
    kill -TERM "$dockerd_pid" 2>/dev/null
    for _ in $(seq 30); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL "$dockerd_pid" 2>/dev/null || true
    echo "[with-docker] stopped dockerd (pid $dockerd_pid)"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ! docker info >/dev/null 2>&1; then
  command -v dockerd >/dev/null 2>&1 || { echo '[with-docker] no Docker engine: apt-get install docker.io docker-compose debootstrap' >&2; exit 1; }
  dockerd --storage-driver=vfs --iptables=false --ip6tables=false --bridge=none >tmp/ci/dockerd.log 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { echo '[with-docker] dockerd did not start; tmp/ci/dockerd.log:' >&2; tail -20 tmp/ci/dockerd.log >&2; exit 1; }
  echo "[with-docker] started dockerd (pid $dockerd_pid), log tmp/ci/dockerd.log"
fi

"$@"
