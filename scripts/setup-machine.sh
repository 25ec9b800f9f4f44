#!/usr/bin/env bash
# Install what a fresh machine lacks for the tests and the main job: Debian's PyPy 3.9
# (the PyPy tests must really run on PyPy), patchelf, qemu-user-static (its
# qemu-aarch64-static runs the aarch64 interpreters of devtools/foreign.py, which unpacks
# them itself with a private apt configuration), and the C libraries of the real projects
# tests/test_real_projects.py builds: libvips-dev (pyvips, API mode; it brings pkg-config)
# and libsndfile1 (soundfile, ABI mode). Idempotent; needs root for apt-get.
set -euo pipefail

wanted=(pypy3 pypy3-dev pypy3-venv qemu-user-static libvips-dev libsndfile1)
missing=()
for pkg in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done
if ((${#missing[@]} == 0)); then
    exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
    sudo="sudo"
fi
echo "installing ${missing[*]} (Debian packages)"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
