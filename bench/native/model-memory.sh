#!/usr/bin/env bash
# Resident memory and load time of a C host holding a model, at each catalogue size the CatalogueScale benchmark
# generates (10k, 100k, 1M items; compact and exact bundles). Needs dist/ (bash build/native.sh --no-run) and the
# benchmark's bundles, written under $TMPDIR/odr-bench-catalogue by its first run, e.g.
#   dotnet run -c Release --project bench/OnDeviceReco.Benchmarks -- catalogue-memory 1000000 compact
# Each measurement is a fresh process: prints one JSON line per bundle (see model_memory.c).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dist="$root/dist"
bundles="${TMPDIR:-/tmp}/odr-bench-catalogue"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cc -std=c11 -O2 -Wall -Wextra -Werror -I"$dist/include" "$root/bench/native/model_memory.c" \
  -L"$dist/lib" -londevicereco -Wl,-rpath,"$dist/lib" -o "$work/model_memory"
for items in ${ODR_CATALOGUE_ITEMS:-10000 100000 1000000}; do
  dir="$bundles/v2-$items"
  [ -f "$dir/done" ] || { echo "no bundles for $items items in $dir (run the catalogue-memory harness first)" >&2; exit 1; }
  for kind in compact exact; do
    rm -f "$work"/model_memory.db*
    size=$(du -sb "$dir/$kind" | cut -f1)
    line=$("$work/model_memory" "$dir/$kind" "$dir/key.pem.pub" "$work")
    echo "{\"items\":$items,\"kind\":\"$kind\",\"bundle_bytes\":$size,${line#\{}"
  done
done
