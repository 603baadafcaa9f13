#!/usr/bin/env bash
# Install the Debian packages qiao's tests need, only when missing (apt is slow).
#   postgresql-client + libpq5: PostgreSQL client tools/libraries
#   postgresql: the server, on machines that do not already run one
#   libreoffice-calc-nogui: writes the .xls/.xlsx files the import tests read, as real
#     users' spreadsheets are written
#   chromium + fonts-wqy-microhei: the browser of the e2e tests, and a CJK font so
#     that Chinese renders in screenshots
set -euo pipefail
want=(postgresql-client libpq5 chromium fonts-wqy-microhei libreoffice-calc-nogui)
if ! command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  want+=(postgresql)
fi
missing=()
for pkg in "${want[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
