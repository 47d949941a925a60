#!/usr/bin/env bash
# Installs what build/package.sh wrote into artifacts/packages/ the way each kind of user does, from outside the
# repository (no project reference, no path into src/), and checks each works:
#   packages - tests/consumer/packages reads every .nupkg: no packed assembly of ours carries test-only code (test
#            helper or ForTesting names, references to xunit or the test support), and the server package depends on
#            the trainer and feedback packages instead of packing their assemblies (no custom pack target)
#   nuget  - `dotnet new console` + `dotnet add package OnDeviceReco` from the local feed; tracks, flushes, recommends
#   server - `dotnet new web` + `dotnet add package OnDeviceReco.Server`; AddOnDeviceRecoServer/MapOnDeviceReco serve
#            /health and refuse to start without an API key
#   tool   - `dotnet tool install OnDeviceReco.Trainer.Cli --tool-path`; `ondevicereco-trainer evaluate --models popularity`
#   c-x64, c-arm64 - extract the C SDK archive to a temp prefix; CMake find_package build of samples/c and of the C
#            tests, ctest; a pkg-config build of the sample, run. arm64 is cross-compiled and runs under qemu-user.
# Usage: build/consumer-tests.sh [packages] [nuget] [server] [tool] [c-x64] [c-arm64]   (default: all six)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
feed="$root/artifacts/packages"
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props")"
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(packages nuget server tool c-x64 c-arm64)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
passed=0

# Same version, new content: drop earlier builds of our own packages from the global cache so restore takes the feed's.
packages_cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
rm -rf "$packages_cache"/ondevicereco "$packages_cache"/ondevicereco.ondevice "$packages_cache"/ondevicereco.protocol \
  "$packages_cache"/ondevicereco.server "$packages_cache"/ondevicereco.trainer "$packages_cache"/ondevicereco.trainer.cli \
  "$packages_cache"/ondevicereco.feedback
cat > "$work/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
CONFIG

packages() {
  echo "== Packages: test-only code and custom pack targets in $feed"
  # Built outside the repository's output folders, as a script would run: nothing of it lands beside src/.
  dotnet run --project "$root/tests/consumer/packages" -c Release --artifacts-path "$work/package-check" -- "$feed"
  passed=$((passed + 1))
}

nuget() {
  echo "== NuGet: dotnet new console + dotnet add package OnDeviceReco $version"
  local app="$work/ConsumerApp"
  dotnet new console -o "$app" --framework net10.0 > /dev/null
  cp "$work/nuget.config" "$app/"
  (cd "$app" && dotnet add package OnDeviceReco --version "$version" > "$work/add.log" 2>&1) || { cat "$work/add.log"; return 1; }
  grep -q "PackageReference Include=\"OnDeviceReco\" Version=\"$version\"" "$app/ConsumerApp.csproj"
  cp "$root/tests/consumer/nuget/Program.cs" "$app/Program.cs"
  dotnet run --project "$app" -c Release
  passed=$((passed + 1))
}

server() {
  echo "== NuGet: dotnet new web + dotnet add package OnDeviceReco.Server $version"
  local app="$work/ConsumerServer" port=$((20000 + ($$ + 7) % 20000))
  dotnet new web -o "$app" --framework net10.0 > /dev/null
  cp "$work/nuget.config" "$app/"
  (cd "$app" && dotnet add package OnDeviceReco.Server --version "$version" > "$work/add-server.log" 2>&1) || { cat "$work/add-server.log"; return 1; }
  cp "$root/tests/consumer/server/Program.cs" "$app/Program.cs"
  # linux-x64 only: TorchSharp (retraining) would otherwise copy libtorch for every platform into the output.
  dotnet build "$app" -c Release -r linux-x64 --self-contained false -nologo -v q > "$work/server-build.log" 2>&1 \
    || { cat "$work/server-build.log"; return 1; }
  local server_dll="$app/bin/Release/net10.0/linux-x64/ConsumerServer.dll"
  # Validated on start: no API key, no server (the host's unhandled OptionsValidationException aborts it; the
  # subshell keeps bash's "Aborted" job notice in the log).
  if (dotnet "$server_dll" --urls "http://127.0.0.1:$port") > "$work/server-invalid.log" 2>&1; then
    echo "the server started without an API key" >&2; return 1
  fi
  grep -q "Reco:ApiKeys" "$work/server-invalid.log" || { cat "$work/server-invalid.log"; return 1; }
  echo "without Reco:ApiKeys the host refused to start: $(grep -o 'Reco:ApiKeys[^.]*' "$work/server-invalid.log" | head -n 1)"
  dotnet "$server_dll" --urls "http://127.0.0.1:$port" --Reco:ApiKeys:0=consumer-key --Reco:DataDirectory="$work/server-data" \
    --Reco:Retraining:Enabled=false > "$work/server.log" 2>&1 &
  local server_pid=$!
  python3 -c "
import time, urllib.request
for _ in range(150):
    try:
        print('GET /health:', urllib.request.urlopen('http://127.0.0.1:$port/health', timeout=1).read().decode()); break
    except Exception: time.sleep(0.2)
else: raise SystemExit('the consumer server did not answer /health')
print('GET /:', urllib.request.urlopen('http://127.0.0.1:$port/', timeout=5).read().decode())" || { kill $server_pid; cat "$work/server.log"; return 1; }
  kill $server_pid
  passed=$((passed + 1))
}

tool() {
  echo "== .NET tool: dotnet tool install OnDeviceReco.Trainer.Cli $version --tool-path"
  dotnet tool install OnDeviceReco.Trainer.Cli --version "$version" --tool-path "$work/tools" --configfile "$work/nuget.config"
  "$work/tools/ondevicereco-trainer" evaluate --data "$root/data/movielens-small" --models popularity --report "$work/report.json"
  python3 -c "
import json, sys
report = json.load(open('$work/report.json'))
text = json.dumps(report)
if 'popularity' not in text: sys.exit('the report names no popularity model')
print('trainer tool report:', text[:300])"
  passed=$((passed + 1))
}

# c <rid>: the C SDK archive as a C/C++ developer uses it.
c_sdk() {
  local rid="$1" prefix="$work/prefix-$1"
  local archive="$feed/ondevicereco-$version-$rid.tar.gz"
  echo "== C SDK $rid: extract $archive"
  mkdir -p "$prefix" && tar -xzf "$archive" -C "$prefix" --strip-components=1
  local cmake_args=() cc=gcc run=()
  if [ "$rid" = linux-arm64 ] && [ "$(uname -m)" != aarch64 ]; then
    # Cross-compiled with Debian's aarch64 toolchain; ctest runs the binaries under qemu-user. The arm64 run-time
    # libraries come from Debian's multiarch packages (libc6, libstdc++6, libssl3 :arm64), found at their host paths
    # with -L /: the library needs libssl.so.3 (crypto, TLS), which the cross toolchain lacks, and qemu's
    # -L /usr/aarch64-linux-gnu would pair the cross ld.so with the multiarch libc.so.6, which hangs at start.
    cc=aarch64-linux-gnu-gcc
    run=(qemu-aarch64 -L /)
    cmake_args=(-DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=aarch64 -DCMAKE_C_COMPILER=aarch64-linux-gnu-gcc
      "-DCMAKE_CROSSCOMPILING_EMULATOR=qemu-aarch64;-L;/")
  fi
  for project in samples/c tests/native; do
    echo "-- CMake find_package(OnDeviceReco CONFIG REQUIRED): $project"
    # A copy outside the repository: the consumer has the archive and its own sources, nothing else.
    local source="$work/src-$rid-${project//\//-}"
    mkdir -p "$source" && cp "$root/$project"/*.c "$root/$project/CMakeLists.txt" "$source/"
    [ -f "$root/$project/check.h" ] && cp "$root/$project/check.h" "$source/"
    cmake -S "$source" -B "$source/build" -DCMAKE_PREFIX_PATH="$prefix" "${cmake_args[@]}" > "$source/configure.log" \
      || { cat "$source/configure.log"; return 1; }
    cmake --build "$source/build" -j 2 > "$source/build.log" 2>&1 || { cat "$source/build.log"; return 1; }
    ctest --test-dir "$source/build" --output-on-failure --no-tests=error --timeout 300
  done
  echo "-- pkg-config --cflags --libs ondevicereco: samples/c/recommend.c"
  local flags
  flags="$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs ondevicereco)"
  echo "pkg-config: $flags"
  # shellcheck disable=SC2086 # the flags are words on purpose
  "$cc" -std=c99 -Wall -Wextra -Werror "$root/samples/c/recommend.c" $flags -Wl,-rpath,"$prefix/lib" -o "$work/recommend-pc-$rid"
  "${run[@]}" "$work/recommend-pc-$rid" "$work/pc-$rid.db"
  passed=$((passed + 1))
}

for part in "${parts[@]}"; do
  case "$part" in
    packages) packages ;;
    nuget) nuget ;;
    server) server ;;
    tool) tool ;;
    c-x64) c_sdk linux-x64 ;;
    c-arm64) c_sdk linux-arm64 ;;
    *) echo "unknown part $part" >&2; exit 2 ;;
  esac
done
echo "consumer tests: $passed passed, 0 failed"
