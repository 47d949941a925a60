#!/usr/bin/env bash
# Builds the C distribution and proves it from C, Python and .NET: publishes the NativeAOT library into dist/
# (lib, include, licences), compiles the C sample and the C tests (tests/native) with the system C compiler
# against dist/ only, builds the .NET host sample (no project reference: C ABI only), and runs them all together with
# the Python (ctypes) sample and the LÖVE game (samples/love, under Xvfb). Usage: build/native.sh [--no-run]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dist="$root/dist"
cc="${CC:-gcc}"

rm -rf "$dist" && mkdir -p "$dist/lib" "$dist/include" "$dist/licenses"
dotnet publish "$root/src/NativeExports" -c Release -r linux-x64 -o "$dist/lib" -warnaserror 2>&1 | tee "$dist/publish.log" | grep -E "warning|error|->" || true
grep -qE "warning (IL|CS)" "$dist/publish.log" && { echo "publish produced trim/AOT warnings" >&2; exit 1; }
rm -f "$dist/publish.log" "$dist/lib/"*.dbg
cp "$root/src/NativeExports/include/ondevicereco.h" "$dist/include/"
cp "$root/LICENSE" "$dist/licenses/LICENSE.txt"
cp "$root/THIRD-PARTY-NOTICES.txt" "$dist/licenses/"
# libonnxruntime.so is redistributed as built by Microsoft: its own notices (the code compiled into it) go with it.
cp "${NUGET_PACKAGES:-$HOME/.nuget/packages}/microsoft.ml.onnxruntime/$(sed -n 's/.*"Microsoft.ML.OnnxRuntime" Version="\([^"]*\)".*/\1/p' "$root/Directory.Packages.props")/ThirdPartyNotices.txt" \
  "$dist/licenses/onnxruntime-ThirdPartyNotices.txt"

readelf -d "$dist/lib/libondevicereco.so" | grep -q 'RUNPATH.*\$ORIGIN' || { echo "libondevicereco.so lacks RUNPATH \$ORIGIN" >&2; exit 1; }
ls -l "$dist/lib"

out="$root/artifacts/native"
mkdir -p "$out"
"$cc" -std=c99 -Wall -Wextra -Werror -I"$dist/include" "$root/samples/c/recommend.c" -L"$dist/lib" -londevicereco -Wl,-rpath,"$dist/lib" -o "$out/recommend"
"$cc" -std=c99 -Wall -Wextra -Werror -I"$dist/include" "$root/samples/c/sync.c" -L"$dist/lib" -londevicereco -Wl,-rpath,"$dist/lib" -o "$out/sync"
"$cc" -std=c99 -Wall -Wextra -Werror -I"$dist/include" "$root/tests/native/bad_input.c" -L"$dist/lib" -londevicereco -Wl,-rpath,"$dist/lib" -o "$out/bad_input"
# The ABI's frozen layout (static_asserts: compiling it is the test) and the C ABI's memory-safety tests (threads,
# unmapped pages, leaks, polled requests); each prints "N passed, N failed".
c_tests=(abi_layout string_edges close_race errmsg_threads log_swap open_failures sync_odd_events poll_requests user_attributes onboarding erase_sync export_json)
for test in "${c_tests[@]}"; do
  "$cc" -std=c11 -Wall -Wextra -Werror -pthread -I"$dist/include" "$root/tests/native/$test.c" -L"$dist/lib" -londevicereco -Wl,-rpath,"$dist/lib" -ldl -o "$out/$test"
done
"${CXX:-g++}" -std=c++17 -Wall -Wextra -Werror -pthread -I"$dist/include" "$root/samples/cpp/game_loop.cpp" -L"$dist/lib" -londevicereco -Wl,-rpath,"$dist/lib" -o "$out/game_loop"
# Deliberately no -lm and no link against the library: it is loaded with dlopen(RTLD_LOCAL).
"$cc" -std=c99 -Wall -Wextra -Werror -I"$dist/include" "$root/tests/native/dlopen_local.c" -ldl -o "$out/dlopen_local"
"$cc" -std=c11 -Wall -Wextra -Werror -pthread -I"$dist/include" "$root/tests/native/plugin_host.c" -ldl -o "$out/plugin_host"
# LuaJIT's ffi.cdef takes plain C declarations: the header preprocessed, with its #defines kept (-dD) so that the
# game reads the ODR_* constants from the same file (samples/love/odr.lua).
echo '#include "ondevicereco.h"' | "$cc" -E -P -dD -I"$dist/include" - > "$out/ondevicereco.ffi.h"
dotnet build "$root/samples/dotnet/NativeHost" -c Release -warnaserror -nologo -v q
[ "${1:-}" = "--no-run" ] && exit 0

# The Python sample needs only the interpreter (ctypes is in the standard library). CI runs as root on Debian.
if ! command -v python3 > /dev/null; then
  [ "$(id -u)" = 0 ] || { echo "python3 is required for the Python sample (apt-get install python3)" >&2; exit 1; }
  apt-get update -qq && apt-get install -y -qq python3 > /dev/null
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# Runs one C test binary (a failure stops the script) and adds its "N passed, N failed" line to the C total.
c_passed=0 c_failed=0
run_c_test() {
  local name="$1"; shift
  echo "== C test: $name"
  "$@" | tee "$work/$name.out"
  local summary
  summary="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$work/$name.out" | tail -n 1)"
  [ -n "$summary" ] || { echo "$name printed no summary line" >&2; exit 1; }
  c_passed=$((c_passed + $(echo "$summary" | awk '{print $1}')))
  c_failed=$((c_failed + $(echo "$summary" | awk '{print $3}')))
}
run_c_test bad_input "$out/bad_input" "$work/bad.db"
run_c_test abi_layout "$out/abi_layout" "$work/layout.db"
run_c_test string_edges "$out/string_edges" "$work/edges.db"
run_c_test close_race "$out/close_race" "$work/race.db"
# glibc fills freed memory with this byte: a message freed under its reader shows up as garbage.
run_c_test errmsg_threads env MALLOC_PERTURB_=165 "$out/errmsg_threads" "$work/errmsg.db"
run_c_test log_swap "$out/log_swap" "$work/log.db"
run_c_test open_failures "$out/open_failures" "$work/open.db"
run_c_test poll_requests "$out/poll_requests" "$work/poll.db"
run_c_test user_attributes "$out/user_attributes" "$work/attributes.db"
run_c_test onboarding "$out/onboarding" "$work/onboarding.db"
echo "== C host loading the library with dlopen(RTLD_LOCAL)"
"$out/dlopen_local" "$dist/lib/libondevicereco.so" "$work/dlopen.db"
echo "== C host syncing 1,000 events to the real server on loopback"
dotnet build "$root/src/Server" -c Release -nologo -v q > "$work/server-build.log" 2>&1 || { cat "$work/server-build.log"; exit 1; }
port=$((20000 + $$ % 20000))
dotnet "$root/src/Server/bin/Release/net10.0/linux-x64/OnDeviceReco.Server.dll" --Reco:ApiKeys:0=native-key \
  --Reco:AdminKey=native-admin --Reco:DataDirectory="$work/server" --Reco:Urls="http://127.0.0.1:$port" \
  --Reco:Retraining:Enabled=false > "$work/server.log" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT
python3 -c "
import time, urllib.request
for _ in range(150):
    try:
        urllib.request.urlopen('http://127.0.0.1:$port/health', timeout=1); break
    except Exception: time.sleep(0.2)
else: raise SystemExit('server did not start')"
"$out/sync" "$work/sync.db" "http://127.0.0.1:$port/" native-key 1000
run_c_test sync_odd_events "$out/sync_odd_events" "$work/odd.db" "http://127.0.0.1:$port/" native-key
run_c_test erase_sync "$out/erase_sync" "$work/erase.db" "http://127.0.0.1:$port/" native-key
run_c_test export_json "$out/export_json" "$work/export.db" "http://127.0.0.1:$port/" native-key
python3 -c "
import glob
files = glob.glob('$work/server/feedback.db*')
assert files and not any(b'canary-c-host-erase' in open(f, 'rb').read() for f in files), 'the erased canary is still in the server files'"
# Counted by the server itself: 1,000 from the sync sample, 306 from the odd-events test (4 odd ids, 2 wrong times, 300
# ordinary), 10 from the erasure test's new identity (its 200 erased ones are gone), 1 from the export test's default device
# (its 31 others were erased).
python3 -c "
import json, urllib.request
request = urllib.request.Request('http://127.0.0.1:$port/v1/admin/stats', headers={'X-Admin-Key': 'native-admin'})
events = json.load(urllib.request.urlopen(request, timeout=10))['events']
print(f'server stored {events} events')
raise SystemExit(0 if events == 1317 else f'expected 1317 events on the server, found {events}')"
kill $server_pid
echo "== C sample, popularity only"
"$out/recommend" "$work/sample.db"
echo "== C sample with a signed model trained for one epoch on the repo's MovieLens copy"
dotnet run -c Release --project "$root/src/Trainer.Cli" -- train --data "$root/data/movielens-small" --out "$work/bundle" \
  --key "$work/signing-key.pem" --max-epochs 1 --threads 2 > "$work/train.log" 2>&1 || { cat "$work/train.log"; exit 1; }
"$out/recommend" "$work/model.db" "$work/bundle" "$work/signing-key.pem.pub"
echo "== Plugin host: ten dlopen / signed model / recommend / close / dlclose cycles in one process"
run_c_test plugin_host "$out/plugin_host" "$dist/lib/libondevicereco.so" "$work/plugin.db" "$work/bundle" "$work/signing-key.pem.pub"
echo "== LÖVE 11 game (LuaJIT FFI, poll API) playing a scripted session under Xvfb; screenshot in artifacts/"
for tool in love xvfb-run; do
  command -v "$tool" > /dev/null || { echo "$tool is required for the LÖVE sample (apt-get install love xvfb xauth)" >&2; exit 1; }
done
run_c_test love_shop xvfb-run -a love "$root/samples/love" --autoplay --lib "$dist/lib/libondevicereco.so" \
  --cdef "$out/ondevicereco.ffi.h" --db "$work/love.db" --bundle "$work/bundle" --key "$work/signing-key.pem.pub" \
  --catalogue "$root/data/movielens-small/movies.csv" --screenshot "$root/artifacts/love-shop.png"
echo "== C++ game-loop host (120 frames at 60 fps, recommendations fetched asynchronously)"
"$out/game_loop" "$work/game.db" "$work/bundle" "$work/signing-key.pem.pub"
echo "== Python sample (ctypes), popularity only"
python3 "$root/samples/python/recommend.py" "$dist/lib/libondevicereco.so" "$work/py.db"
echo "== Python sample with the signed model"
python3 "$root/samples/python/recommend.py" "$dist/lib/libondevicereco.so" "$work/py-model.db" "$work/bundle" "$work/signing-key.pem.pub"
echo "== .NET host sample (LibraryImport, no project reference), popularity only"
dotnet run -c Release --no-build --project "$root/samples/dotnet/NativeHost" -- "$dist/lib" "$work/net.db"
echo "== .NET host sample with the signed model"
dotnet run -c Release --no-build --project "$root/samples/dotnet/NativeHost" -- "$dist/lib" "$work/net-model.db" "$work/bundle" "$work/signing-key.pem.pub"
# Last line of the run, read by CI: every C check above, added up.
echo "== C tests, all binaries"
echo "$c_passed passed, $c_failed failed"
