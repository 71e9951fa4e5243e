#!/usr/bin/env bash
# Makes sure the system programs the test suite drives are present: Debian's chromium for the
# browser tests, PostgreSQL and Redis for the throwaway servers the storage, multi-instance
# and fault tests run against, and nginx for the forward-auth test. Installs them with apt when running as root; otherwise fails
# naming what to install. Never skips silently.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || [ -x "${GATEHOUSE_CHROMIUM:-/nonexistent}" ] || missing+=(chromium)
# Debian keeps the server binaries off PATH, under /usr/lib/postgresql/<version>/bin.
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
# Debian installs nginx in /usr/sbin, which a non-root PATH may lack.
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "test setup: installing Debian packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi

echo "test setup: missing system packages: ${missing[*]}" >&2
echo "install them (Debian/Ubuntu: sudo apt-get install ${missing[*]}), or set GATEHOUSE_CHROMIUM to a Chromium binary, then run npm test again." >&2
exit 1
