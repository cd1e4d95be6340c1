#!/bin/sh
# Builds every C perf tool twice: against libnanomsg (build/nanomsg/) and
# against nng through its nanomsg-compatible headers (build/nng/).
# Usage: bench/c/build.sh [build-dir]   (default: bench/c/build)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/build"}
cc=${CC:-gcc}
cflags="-O2 -Wall -Wextra -std=gnu11"
tools="local_thr remote_thr local_lat remote_lat inproc_thr inproc_lat fanout_pub fanout_sub"

mkdir -p "$out/nanomsg" "$out/nng"
for tool in $tools; do
    # <nanomsg/nn.h> resolves to /usr/include/nanomsg by default; with the
    # compat directory first on the include path it is nng's version.
    $cc $cflags -o "$out/nanomsg/$tool" "$here/$tool.c" -lnanomsg -lpthread
    $cc $cflags -I/usr/include/nng/compat -o "$out/nng/$tool" "$here/$tool.c" -lnng -lpthread
done
echo "built into $out/{nanomsg,nng}: $tools"
