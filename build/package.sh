#!/usr/bin/env bash
# Writes every package into artifacts/packages/ (version from Directory.Build.props):
#   NuGet: OnDeviceReco (+ OnDeviceReco.OnDevice, OnDeviceReco.Protocol it depends on), OnDeviceReco.Server
#          (+ OnDeviceReco.Trainer, OnDeviceReco.Feedback it depends on), OnDeviceReco.Trainer.Cli (.NET tool
#          `ondevicereco-trainer`), each with its .snupkg symbols;
#   C SDK: ondevicereco-<version>-linux-x64.tar.gz and ondevicereco-<version>-linux-arm64.tar.gz.
# build/consumer-tests.sh then installs them as a user would. Usage: build/package.sh [--rids "linux-x64 linux-arm64"]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/artifacts/packages"
rids="linux-x64 linux-arm64"
[ "${1:-}" = "--rids" ] && rids="$2"
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props")"
[ -n "$version" ] || { echo "no <Version> in Directory.Build.props" >&2; exit 1; }

# Prerequisites, checked before anything is built: what is missing and how to install it (the Debian packages .ci/run
# installs), instead of a failure deep inside MSBuild.
missing=()
command -v dotnet >/dev/null 2>&1 || missing+=("dotnet: the .NET 10 SDK (https://dot.net/download; this machine kind ships it at /usr/share/dotnet)")
for rid in $rids; do
  case "$rid" in
    linux-x64)
      # NativeAOT links the C SDK's library with the system C compiler; readelf checks it.
      command -v gcc >/dev/null 2>&1 && command -v readelf >/dev/null 2>&1 \
        || missing+=("gcc and readelf, to link the linux-x64 C SDK: apt-get install gcc g++")
      ;;
    linux-arm64)
      if [ "$(uname -m)" = aarch64 ]; then
        command -v gcc >/dev/null 2>&1 && command -v readelf >/dev/null 2>&1 \
          || missing+=("gcc and readelf, to link the linux-arm64 C SDK: apt-get install gcc g++")
      elif ! command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || ! command -v aarch64-linux-gnu-objcopy >/dev/null 2>&1 \
           || ! command -v aarch64-linux-gnu-readelf >/dev/null 2>&1; then
        missing+=("aarch64-linux-gnu-gcc, -objcopy and -readelf, to cross-link the linux-arm64 C SDK: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross (or leave arm64 out: build/package.sh --rids linux-x64)")
      fi
      ;;
    *) missing+=("a known runtime for the C SDK: '$rid' is neither linux-x64 nor linux-arm64") ;;
  esac
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "build/package.sh cannot run here; missing:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi
case " $rids " in *" linux-arm64 "*) ;; *) echo "linux-arm64 C SDK skipped (--rids \"$rids\"); the consumer tests' c-arm64 part needs it" ;; esac
rm -rf "$out" && mkdir -p "$out"

for project in Protocol/OnDeviceReco.Protocol OnDevice/OnDeviceReco.OnDevice Sdk/OnDeviceReco.Sdk Feedback/OnDeviceReco.Feedback \
  Trainer/OnDeviceReco.Trainer Server/OnDeviceReco.Server Trainer.Cli/OnDeviceReco.Trainer.Cli; do
  echo "== dotnet pack src/$project.csproj"
  dotnet pack "$root/src/$project.csproj" -c Release -o "$out" -warnaserror -nologo -v q
done

for rid in $rids; do
  echo "== C SDK for $rid"
  bash "$root/build/c-sdk/archive.sh" "$rid" "$version" "$out"
done
ls -l "$out"
