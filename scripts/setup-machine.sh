#!/usr/bin/env bash
# Install what a fresh machine lacks for the tests and the main job: Debian's PyPy 3.9
# (the PyPy tests must really run on PyPy), patchelf, qemu-user-static (its
# qemu-aarch64-static runs the aarch64 interpreters of devtools/foreign.py, which unpacks
# them itself with a private apt configuration), and the C libraries of the real projects
# tests/test_real_projects.py builds: libvips-dev (pyvips, API mode; it brings pkg-config)
# and libsndfile1 (soundfile, ABI mode); and what compiling free-threaded CPython 3.13 from
# source needs (devtools/newer_pythons.py builds it into the cache on first use: a compiler
# and the headers of the C libraries its standard modules wrap). Idempotent; needs root for
# apt-get.
set -euo pipefail

wanted=(pypy3 pypy3-dev pypy3-venv qemu-user-static libvips-dev libsndfile1
        build-essential libssl-dev zlib1g-dev libffi-dev libbz2-dev libsqlite3-dev liblzma-dev
        libreadline-dev uuid-dev libncurses-dev libgdbm-dev libgdbm-compat-dev)
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
