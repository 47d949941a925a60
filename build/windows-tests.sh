#!/usr/bin/env bash
# Windows, built on Linux and proven under Wine (one Wine prefix for the whole run: Wine's start-up is the slow part).
#   dotnet - a .NET app that installs OnDeviceReco from artifacts/packages (build/package.sh), published self-contained
#            for win-x64 (tests/consumer/windows): store, track, signed and tampered bundles, DirectML fallback,
#            plain/exploring/onboarding recommendations, sync with the real server on loopback, erase, reopen.
#   c      - ondevicereco-<version>-win-x64.zip (build/windows/archive.sh) extracted; the C samples and the C tests of
#            tests/native compiled with mingw-w64 against it (tests/native/windows: the POSIX calls mingw lacks) and
#            run under Wine, plus a LoadLibrary/FreeLibrary host (tests/native/windows/load_unload.c). bad_input also
#            runs against the Linux archive: both platforms must answer every bad call with the same code and message.
#   measure - Recommend through ondevicereco.dll next to the managed call it forwards to (printed, not checked).
# Prints each C test's "N passed, N failed", then "windows tests: N passed, N failed" last.
# Usage: build/windows-tests.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
feed="$root/artifacts/packages"
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props")"
wine=/usr/lib/wine/wine64

missing=()
[ -x "$wine" ] || missing+=("wine64, to run Windows programs: apt-get install wine64")
command -v python3 >/dev/null 2>&1 || missing+=("python3, to wait for the server: apt-get install python3")
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || missing+=("x86_64-w64-mingw32-gcc, to build the C tests for Windows: apt-get install gcc-mingw-w64-x86-64")
command -v unzip >/dev/null 2>&1 || missing+=("unzip, to extract the Windows C SDK: apt-get install unzip")
[ -f "$feed/OnDeviceReco.$version.nupkg" ] || missing+=("$feed/OnDeviceReco.$version.nupkg: run build/package.sh first")
[ -f "$feed/ondevicereco-$version-win-x64.zip" ] || missing+=("$feed/ondevicereco-$version-win-x64.zip: run build/package.sh first")
# The Linux answers bad_input's Windows answers are compared with.
[ -f "$feed/ondevicereco-$version-linux-x64.tar.gz" ] || missing+=("$feed/ondevicereco-$version-linux-x64.tar.gz: run build/package.sh first")
command -v gcc >/dev/null 2>&1 || missing+=("gcc, to build bad_input for Linux: apt-get install gcc")
if [ ${#missing[@]} -gt 0 ]; then
  echo "build/windows-tests.sh cannot run here; missing:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  WINEPREFIX="$work/wine" wineserver -k 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
export WINEPREFIX="$work/wine" WINEDEBUG=-all
# Wine maps Z: to /; Windows programs get Windows paths.
winpath() { printf 'Z:%s' "${1//\//\\}"; }
passed=0 failed=0
# Runs one Windows program under Wine, tees its output and adds its "N passed, N failed" line to the totals.
run_windows() {
  local name="$1"; shift
  echo "== Wine: $name"
  local status=0 summary
  "$wine" "$@" 2>&1 | tee "$work/$name.out" || status=$?
  summary="$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$work/$name.out" | tail -n 1 | tr -d '\r')"
  [ -n "$summary" ] || { echo "$name printed no summary line (exit $status)" >&2; exit 1; }
  passed=$((passed + $(echo "$summary" | awk '{print $1}')))
  failed=$((failed + $(echo "$summary" | awk '{print $3}')))
  [ "$status" -eq 0 ] || { echo "$name failed (exit $status)" >&2; exit 1; }
}

echo "== Wine prefix (started in the background while the rest builds)"
"$wine" wineboot --init > "$work/wineboot.log" 2>&1 &
wineboot_pid=$!

echo "== .NET app: dotnet new console + dotnet add package OnDeviceReco $version, published self-contained for win-x64"
# Same version, new content: drop earlier builds of our own packages from the global cache so restore takes the feed's.
packages_cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
rm -rf "$packages_cache"/ondevicereco "$packages_cache"/ondevicereco.ondevice "$packages_cache"/ondevicereco.protocol
app="$work/WindowsConsumer"
dotnet new console -o "$app" --framework net10.0 > /dev/null
cat > "$app/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
CONFIG
(cd "$app" && dotnet add package OnDeviceReco --version "$version" > "$work/add.log" 2>&1) || { cat "$work/add.log"; exit 1; }
cp "$root/tests/consumer/windows/Program.cs" "$app/Program.cs"
# No dynamic code (as the DLL's runtime): Wine's CLR crashes now and then finalising a dynamic method
# (DynamicResolver+DestroyScout, 0x80131506) after the app's last line; docs/windows.md.
dotnet publish "$app" -c Release -r win-x64 --self-contained -p:DynamicCodeSupport=false -warnaserror -nologo -v q -o "$work/win-app" > "$work/publish.log" 2>&1 \
  || { cat "$work/publish.log"; exit 1; }

echo "== Signed bundle: one epoch on the repository's MovieLens copy"
dotnet run -c Release --project "$root/src/Trainer.Cli" -- train --data "$root/data/movielens-small" --out "$work/bundle" \
  --key "$work/signing-key.pem" --max-epochs 1 --threads 2 > "$work/train.log" 2>&1 || { cat "$work/train.log"; exit 1; }

echo "== Server on the Linux side, 127.0.0.1"
dotnet build "$root/src/Server" -c Release -nologo -v q > "$work/server-build.log" 2>&1 || { cat "$work/server-build.log"; exit 1; }
port=$((20000 + ($$ + 13) % 20000))
dotnet "$root/src/Server/bin/Release/net10.0/linux-x64/OnDeviceReco.Server.dll" --Reco:ApiKeys:0=windows-key \
  --Reco:AdminKey=windows-admin --Reco:DataDirectory="$work/server" --Reco:Urls="http://127.0.0.1:$port" \
  --Reco:Retraining:Enabled=false > "$work/server.log" 2>&1 &
server_pid=$!
python3 -c "
import time, urllib.request
for _ in range(150):
    try:
        urllib.request.urlopen('http://127.0.0.1:$port/health', timeout=1); break
    except Exception: time.sleep(0.2)
else: raise SystemExit('server did not start')" || { cat "$work/server.log"; exit 1; }

wait "$wineboot_pid" || { cat "$work/wineboot.log"; exit 1; }
mkdir -p "$work/dotnet-work"
run_windows dotnet-consumer "$work/win-app/WindowsConsumer.exe" "$(winpath "$work/bundle")" "$(winpath "$work/signing-key.pem.pub")" \
  "http://127.0.0.1:$port/" windows-key "$(winpath "$work/dotnet-work")"
# Counted by the server itself: 20 players × 10 plays and two onboarding answers.
python3 -c "
import json, urllib.request
request = urllib.request.Request('http://127.0.0.1:$port/v1/admin/stats', headers={'X-Admin-Key': 'windows-admin'})
events = json.load(urllib.request.urlopen(request, timeout=10))['events']
print(f'server stored {events} events from the Windows app')
raise SystemExit(0 if events == 202 else f'expected 202 events on the server, found {events}')"
passed=$((passed + 1))

echo "== C SDK for Windows: extract ondevicereco-$version-win-x64.zip, build the C samples and tests with mingw-w64"
prefix="$work/prefix"
mkdir -p "$prefix" && unzip -q "$feed/ondevicereco-$version-win-x64.zip" -d "$prefix"
prefix="$prefix/ondevicereco-$version-win-x64"
c_out="$work/c"
mkdir -p "$c_out"
compat="$root/tests/native/windows"
mingw=(x86_64-w64-mingw32-gcc -Wall -Wextra -Werror -I"$prefix/include")
# Linked statically (libgcc, winpthreads): the test programs need nothing but the archive's bin/ at run time.
for sample in recommend sync; do
  "${mingw[@]}" -std=c99 "$root/samples/c/$sample.c" -L"$prefix/lib" -londevicereco -static -lpthread -o "$c_out/$sample.exe"
done
c_tests=(bad_input abi_layout string_edges close_race errmsg_threads log_swap open_failures poll_requests user_attributes onboarding sync_odd_events export_json)
for test in "${c_tests[@]}"; do
  "${mingw[@]}" -std=c11 -pthread -include "$compat/posix_compat.h" -I"$compat/include" "$root/tests/native/$test.c" \
    -L"$prefix/lib" -londevicereco -static -o "$c_out/$test.exe"
done
# Deliberately without the import library: the host loads ondevicereco.dll with LoadLibrary.
"${mingw[@]}" -std=c11 -include "$compat/posix_compat.h" "$compat/load_unload.c" -static -o "$c_out/load_unload.exe"
# The loader finds ondevicereco.dll through the search path; the DLL finds its runtime beside itself.
export WINEPATH="$(winpath "$prefix/bin")"
db="$(winpath "$work/c")"
run_windows abi_layout "$c_out/abi_layout.exe" "$db\\layout.db"
# Same codes and messages on both platforms: bad_input writes every checked call's code and message; Linux's come from
# the linux-x64 archive's library, built from the same source with NativeAOT.
run_windows bad_input "$c_out/bad_input.exe" "$db\\bad_input.db" "$db\\bad_input.windows.txt"
linux="$work/linux"
mkdir -p "$linux" && tar -xzf "$feed/ondevicereco-$version-linux-x64.tar.gz" -C "$linux"
linux="$linux/ondevicereco-$version-linux-x64"
gcc -std=c99 -Wall -Wextra -Werror -I"$linux/include" "$root/tests/native/bad_input.c" -L"$linux/lib" -londevicereco \
  -Wl,-rpath,"$linux/lib" -o "$work/bad_input.linux"
"$work/bad_input.linux" "$work/c/bad_input.linux.db" "$work/c/bad_input.linux.txt" > /dev/null
tr -d '\r' < "$work/c/bad_input.windows.txt" > "$work/c/bad_input.windows.lf.txt"
if diff -u "$work/c/bad_input.linux.txt" "$work/c/bad_input.windows.lf.txt"; then
  echo "bad_input: the same code and message on Windows as on Linux for all $(wc -l < "$work/c/bad_input.linux.txt") checked calls"
  passed=$((passed + 1))
else
  echo "bad_input: Windows answers differ from Linux's (above)" >&2; failed=$((failed + 1))
fi
for test in string_edges close_race errmsg_threads log_swap open_failures poll_requests user_attributes onboarding; do
  run_windows "$test" "$c_out/$test.exe" "$db\\$test.db"
done
run_windows sync_odd_events "$c_out/sync_odd_events.exe" "$db\\odd.db" "http://127.0.0.1:$port/" windows-key
run_windows export_json "$c_out/export_json.exe" "$db\\export.db" "http://127.0.0.1:$port/" windows-key
echo "== Wine: C sample syncing 1,000 events to the server"
"$wine" "$c_out/sync.exe" "$db\\sync.db" "http://127.0.0.1:$port/" windows-key 1000
echo "== Measure: odr_recommend through ondevicereco.dll next to the managed call it forwards to (same bundle, one event)"
"${mingw[@]}" -std=c11 -O2 "$root/build/windows/measure/recommend_latency.c" -L"$prefix/lib" -londevicereco -static -o "$c_out/recommend_latency.exe"
"$wine" "$c_out/recommend_latency.exe" "$db\\latency.db" "$(winpath "$work/bundle")" "$(winpath "$work/signing-key.pem.pub")" 2>/dev/null \
  | tr -d '\r' | tee "$work/latency.out"
python3 - "$work/dotnet-consumer.out" "$work/latency.out" <<'RATIO'
import re, sys
median = lambda path, what: float(re.search(what + r".*median ([0-9.]+) us", open(path, encoding="utf-8", errors="replace").read()).group(1))
managed, native = median(sys.argv[1], r"RecoClient\.Recommend"), median(sys.argv[2], r"odr_recommend")
print(f"measure - Recommend median: {native:.1f} us through ondevicereco.dll, {managed:.1f} us managed: {native / managed:.2f}x")
RATIO
echo "== Wine: C sample with the signed model"
"$wine" "$c_out/recommend.exe" "$db\\model.db" "$(winpath "$work/bundle")" "$(winpath "$work/signing-key.pem.pub")"
run_windows load_unload "$c_out/load_unload.exe" "$(winpath "$prefix/bin/ondevicereco.dll")" "$db\\plugin.db" \
  "$(winpath "$work/bundle")" "$(winpath "$work/signing-key.pem.pub")"
# Counted by the server itself: 202 from the .NET app, 306 from the odd-events test, 1,000 from the sync sample, 1 from the
# export test's default device (its other 31 were erased).
python3 -c "
import json, urllib.request
request = urllib.request.Request('http://127.0.0.1:$port/v1/admin/stats', headers={'X-Admin-Key': 'windows-admin'})
events = json.load(urllib.request.urlopen(request, timeout=10))['events']
print(f'server stored {events} events from Windows programs')
raise SystemExit(0 if events == 1509 else f'expected 1509 events on the server, found {events}')"
passed=$((passed + 1))

echo "windows tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
