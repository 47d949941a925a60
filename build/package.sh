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
