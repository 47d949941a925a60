#!/usr/bin/env bash
# The Windows C SDK archive, built on Linux: ondevicereco-<version>-win-x64.zip with
#   include/ondevicereco.h
#   bin/ondevicereco.dll                 the mingw-w64 shim (shim/), forwarding every odr_ function to ...
#   bin/ondevicereco-runtime/            ... the self-contained .NET runtime and the src/NativeExports methods (host/)
#   lib/ondevicereco.lib                 import library for MSVC (llvm-dlltool)
#   lib/libondevicereco.dll.a            import library for MinGW (llvm-dlltool)
#   lib/cmake/OnDeviceReco/              OnDeviceRecoConfig.cmake (OnDeviceReco::ondevicereco), ...ConfigVersion.cmake
#   licenses/
# NativeAOT cannot target Windows from Linux (it needs the MSVC linker and CRT), hence the shim over coreclr: the
# same managed source as the Linux library, packaged a second way (docs/windows.md). Usage: archive.sh <version> <output dir>
set -euo pipefail
version="$1" out="$2"
root="$(cd "$(dirname "$0")/../.." && pwd)"
name="ondevicereco-$version-win-x64"
stage="$root/artifacts/c-sdk/$name"
generated="$root/artifacts/c-sdk/$name.generated"
rm -rf "$stage" "$generated" && mkdir -p "$stage/include" "$stage/bin" "$stage/lib/cmake/OnDeviceReco" "$stage/licenses" "$generated"

log="$root/artifacts/c-sdk/$name.publish.log"
dotnet publish "$root/build/windows/host" -c Release -o "$stage/bin/ondevicereco-runtime" -nologo > "$log" 2>&1 \
  || { cat "$log"; exit 1; }
if grep -E "warning (IL|CS)" "$log" >&2; then
  echo "publish produced warnings" >&2; exit 1
fi
# What coreclr_initialize gets (the assemblies, the runtime properties) is read from the published folder now, once,
# and compiled into the DLL; the files only hostfxr and hostpolicy would read at run time then stay out.
runtime="$stage/bin/ondevicereco-runtime"
python3 "$root/build/windows/shim/runtime_table.py" "$runtime" ondevicereco-host "$generated"
# Never run as a program, nor debugged in place: the app host, its hosting layer, dump tool and link-time libraries stay out.
rm -f "$runtime/"{ondevicereco-host.exe,hostfxr.dll,hostpolicy.dll,ondevicereco-host.runtimeconfig.json,ondevicereco-host.deps.json,createdump.exe,*.lib,*.xml,*.pdb}

# The forwarders come from the header and the ABI manifest, so a function added there is exported here too.
python3 "$root/build/windows/shim/generate.py" "$root/src/NativeExports/include/ondevicereco.h" "$root/tests/native/abi_manifest.txt" "$generated"
# Static libgcc: the DLL needs nothing but Windows' own kernel32 and msvcrt.
x86_64-w64-mingw32-gcc -std=c11 -O2 -Wall -Wextra -Werror -shared -static-libgcc -I"$root/src/NativeExports/include" \
  -I"$root/build/windows/shim" "$root/build/windows/shim/shim.c" "$generated/forwarders.c" "$generated/runtime_table.c" \
  "$generated/ondevicereco.def" -o "$stage/bin/ondevicereco.dll"
x86_64-w64-mingw32-strip "$stage/bin/ondevicereco.dll"
llvm-dlltool -m i386:x86-64 -d "$generated/ondevicereco-public.def" -l "$stage/lib/ondevicereco.lib"
llvm-dlltool -m i386:x86-64 -d "$generated/ondevicereco-public.def" -l "$stage/lib/libondevicereco.dll.a"
# Every function of the manifest must be exported under its own name, and nothing else.
x86_64-w64-mingw32-objdump -p "$stage/bin/ondevicereco.dll" | sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p' \
  | grep -oE 'odr_[a-z_0-9]+' | sort > "$generated/exported.txt"
sort "$generated/exports.txt" | diff -u - "$generated/exported.txt" || { echo "ondevicereco.dll's exports differ from the ABI manifest" >&2; exit 1; }
echo "ondevicereco.dll exports all $(wc -l < "$generated/exported.txt") functions of tests/native/abi_manifest.txt"

cp "$root/src/NativeExports/include/ondevicereco.h" "$stage/include/"
cp "$root/build/windows/OnDeviceRecoConfig.cmake" "$stage/lib/cmake/OnDeviceReco/"
sed "s/@ODR_VERSION@/$version/g" "$root/build/c-sdk/OnDeviceRecoConfigVersion.cmake.in" > "$stage/lib/cmake/OnDeviceReco/OnDeviceRecoConfigVersion.cmake"
cp "$root/LICENSE" "$stage/licenses/LICENSE.txt"
cp "$root/THIRD-PARTY-NOTICES.txt" "$stage/licenses/"
packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
ort_version="$(sed -n 's/.*"Microsoft.ML.OnnxRuntime" Version="\([^"]*\)".*/\1/p' "$root/Directory.Packages.props")"
cp "$packages/microsoft.ml.onnxruntime/$ort_version/ThirdPartyNotices.txt" "$stage/licenses/onnxruntime-ThirdPartyNotices.txt"
# The .NET runtime in bin/ondevicereco-runtime is redistributed under its own licence and notices.
runtime_pack="$(ls -d "$packages/microsoft.netcore.app.runtime.win-x64"/* | sort -V | tail -n 1)"
cp "$runtime_pack/LICENSE.TXT" "$stage/licenses/dotnet-runtime-LICENSE.txt"
cp "$runtime_pack/THIRD-PARTY-NOTICES.TXT" "$stage/licenses/dotnet-runtime-THIRD-PARTY-NOTICES.txt"

# Reproducible archive: sorted names, fixed times (zip -X: no extra attributes).
rm -f "$out/$name.zip"
find "$stage" -exec touch -h -d @315532800 {} +
(cd "$root/artifacts/c-sdk" && find "$name" | LC_ALL=C sort | zip -X -q -9 "$out/$name.zip" -@)
echo "$out/$name.zip: $(du -h "$out/$name.zip" | cut -f1) ($(du -sh "$stage" | cut -f1) extracted)"
