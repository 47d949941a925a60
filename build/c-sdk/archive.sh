#!/usr/bin/env bash
# One C SDK archive: publishes the NativeAOT library for <rid> and lays out
#   include/ondevicereco.h
#   lib/libondevicereco.so, libe_sqlite3.so, libonnxruntime.so   (RUNPATH $ORIGIN: each finds the others beside it)
#   lib/cmake/OnDeviceReco/OnDeviceRecoConfig.cmake, OnDeviceRecoConfigVersion.cmake   (OnDeviceReco::ondevicereco)
#   lib/pkgconfig/ondevicereco.pc   (relocatable: ${pcfiledir})
#   licenses/
# then tars it as ondevicereco-<version>-<rid>.tar.gz. Usage: archive.sh <rid> <version> <output dir>
set -euo pipefail
rid="$1" version="$2" out="$3"
root="$(cd "$(dirname "$0")/../.." && pwd)"
name="ondevicereco-$version-$rid"
stage="$root/artifacts/c-sdk/$name"
rm -rf "$stage" && mkdir -p "$stage/include" "$stage/lib/cmake/OnDeviceReco" "$stage/lib/pkgconfig" "$stage/licenses"

# linux-arm64 is cross-compiled with Debian's aarch64 toolchain (the recipe and why: docs/packaging.md).
publish_args=()
readelf=readelf
if [ "$rid" = linux-arm64 ] && [ "$(uname -m)" != aarch64 ]; then
  publish_args=(-p:CppCompilerAndLinker=aarch64-linux-gnu-gcc -p:ObjCopyName=aarch64-linux-gnu-objcopy -p:TargetTriple=)
  readelf=aarch64-linux-gnu-readelf
fi
log="$root/artifacts/c-sdk/$name.publish.log"
dotnet publish "$root/src/NativeExports" -c Release -r "$rid" -o "$stage/lib" -warnaserror -nologo "${publish_args[@]}" > "$log" 2>&1 \
  || { cat "$log"; exit 1; }
grep -qE "warning (IL|CS)" "$log" && { grep -E "warning (IL|CS)" "$log" >&2; echo "publish produced trim/AOT warnings" >&2; exit 1; }
rm -f "$stage/lib/"*.dbg
for library in libondevicereco.so libe_sqlite3.so libonnxruntime.so; do
  [ -f "$stage/lib/$library" ] || { echo "$library missing from the $rid publish" >&2; exit 1; }
done
"$readelf" -d "$stage/lib/libondevicereco.so" | grep -q 'RUNPATH.*\$ORIGIN' || { echo "libondevicereco.so lacks RUNPATH \$ORIGIN" >&2; exit 1; }
case "$rid" in
  linux-x64) machine="X86-64" ;;
  linux-arm64) machine="AArch64" ;;
esac
for library in "$stage/lib/"*.so; do
  "$readelf" -h "$library" | grep -q "Machine:.*$machine" || { echo "$library is not $machine" >&2; exit 1; }
done

cp "$root/src/NativeExports/include/ondevicereco.h" "$stage/include/"
cp "$root/build/c-sdk/OnDeviceRecoConfig.cmake" "$stage/lib/cmake/OnDeviceReco/"
sed "s/@ODR_VERSION@/$version/g" "$root/build/c-sdk/OnDeviceRecoConfigVersion.cmake.in" > "$stage/lib/cmake/OnDeviceReco/OnDeviceRecoConfigVersion.cmake"
sed "s/@ODR_VERSION@/$version/g" "$root/build/c-sdk/ondevicereco.pc.in" > "$stage/lib/pkgconfig/ondevicereco.pc"
cp "$root/LICENSE" "$stage/licenses/LICENSE.txt"
cp "$root/THIRD-PARTY-NOTICES.txt" "$stage/licenses/"
ort_version="$(sed -n 's/.*"Microsoft.ML.OnnxRuntime" Version="\([^"]*\)".*/\1/p' "$root/Directory.Packages.props")"
cp "${NUGET_PACKAGES:-$HOME/.nuget/packages}/microsoft.ml.onnxruntime/$ort_version/ThirdPartyNotices.txt" "$stage/licenses/onnxruntime-ThirdPartyNotices.txt"

# Reproducible archive: sorted names, fixed owner and times.
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$root/artifacts/c-sdk" -czf "$out/$name.tar.gz" "$name"
echo "$out/$name.tar.gz: $(du -h "$out/$name.tar.gz" | cut -f1)"
