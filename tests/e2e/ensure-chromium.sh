#!/usr/bin/env bash
# The browser test needs Debian's Chromium (Playwright never downloads a browser here).
# Installs it when missing and this user may (root, or password-less sudo); otherwise stops at
# once with the one command to run.  Used by `make e2e` (so by `make test`) and by .ci/run.
set -euo pipefail
command -v chromium >/dev/null && exit 0
if [[ $(id -u) -eq 0 ]]; then
    sudo=""
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo="sudo"
else
    echo "make e2e needs Chromium and cannot install it as this user. Run:" >&2
    echo "    sudo apt-get install -y chromium" >&2
    echo "then make test again." >&2
    exit 1
fi
echo "installing Debian's chromium for the browser test (apt-get)" >&2
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q chromium
