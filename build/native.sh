#!/usr/bin/env bash
# Builds the C distribution and proves it from C: publishes the NativeAOT library into dist/ (lib, include,
# licences), compiles the C sample and the bad-input test with the system C compiler against dist/ only,
# and runs both. Usage: build/native.sh [--no-run]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dist="$root/dist"
cc="${CC:-gcc}"

rm -rf "$dist" && mkdir -p "$dist/lib" "$dist/include" "$dist/licenses"
dotnet publish "$root/src/NativeExports" -c Release -r linux-x64 -o "$dist/lib" -warnaserror 2>&1 | tee "$dist/publish.log" | grep -E "warning|error|->" || true
grep -qE "warning (IL|CS)" "$dist/publish.log" && { echo "publish produced trim/AOT warnings" >&2; exit 1; }
rm -f "$dist/publish.log" "$dist/lib/"*.dbg
cp "$root/src/NativeExports/include/ondevicereco.h" "$dist/include/"
cp "$root/LICENSE" "$dist/licenses/OnDeviceReco.txt" 2>/dev/null || true
cp "$root/build/THIRD-PARTY-NOTICES.md" "$dist/licenses/" 2>/dev/null || true

readelf -d "$dist/lib/libondevicereco.so" | grep -q 'RUNPATH.*\$ORIGIN' || { echo "libondevicereco.so lacks RUNPATH \$ORIGIN" >&2; exit 1; }
ls -l "$dist/lib"

out="$root/artifacts/native"
mkdir -p "$out"
"$cc" -std=c99 -Wall -Wextra -Werror -I"$dist/include" "$root/samples/c/recommend.c" -L"$dist/lib" -londevicereco -Wl,-rpath,"$dist/lib" -o "$out/recommend"
"$cc" -std=c99 -Wall -Wextra -Werror -I"$dist/include" "$root/tests/native/bad_input.c" -L"$dist/lib" -londevicereco -Wl,-rpath,"$dist/lib" -o "$out/bad_input"
# Deliberately no -lm and no link against the library: it is loaded with dlopen(RTLD_LOCAL).
"$cc" -std=c99 -Wall -Wextra -Werror -I"$dist/include" "$root/tests/native/dlopen_local.c" -ldl -o "$out/dlopen_local"
[ "${1:-}" = "--no-run" ] && exit 0

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "== C bad-input test"
"$out/bad_input" "$work/bad.db"
echo "== C host loading the library with dlopen(RTLD_LOCAL)"
"$out/dlopen_local" "$dist/lib/libondevicereco.so" "$work/dlopen.db"
echo "== C sample, popularity only"
"$out/recommend" "$work/sample.db"
echo "== C sample with a signed model trained for one epoch on the repo's MovieLens copy"
dotnet run -c Release --project "$root/src/Trainer" -- train --data "$root/data/movielens-small" --out "$work/bundle" \
  --key "$work/signing-key.pem" --max-epochs 1 --threads 2 > "$work/train.log" 2>&1 || { cat "$work/train.log"; exit 1; }
"$out/recommend" "$work/model.db" "$work/bundle" "$work/signing-key.pem.pub"
