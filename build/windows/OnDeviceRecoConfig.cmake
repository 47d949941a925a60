# CMake package configuration of the OnDeviceReco C SDK for Windows (ondevicereco-<version>-win-x64.zip).
# Relocatable: every path is found from this file's own location (<prefix>/lib/cmake/OnDeviceReco).
#   find_package(OnDeviceReco CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE OnDeviceReco::ondevicereco)
# At run time ondevicereco.dll must be found by the loader (beside the executable, or on PATH) and keeps its
# ondevicereco-runtime folder beside itself: copy both from bin/, e.g. with OnDeviceReco_RUNTIME_FILES below.
get_filename_component(_odr_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

if(NOT TARGET OnDeviceReco::ondevicereco)
  add_library(OnDeviceReco::ondevicereco SHARED IMPORTED)
  # MSVC links the .lib import library, MinGW (and clang in GNU mode) the .dll.a; both name ondevicereco.dll.
  if(MSVC)
    set(_odr_implib "${_odr_prefix}/lib/ondevicereco.lib")
  else()
    set(_odr_implib "${_odr_prefix}/lib/libondevicereco.dll.a")
  endif()
  set_target_properties(OnDeviceReco::ondevicereco PROPERTIES
    IMPORTED_LOCATION "${_odr_prefix}/bin/ondevicereco.dll"
    IMPORTED_IMPLIB "${_odr_implib}"
    INTERFACE_INCLUDE_DIRECTORIES "${_odr_prefix}/include")
  unset(_odr_implib)
endif()

set(OnDeviceReco_INCLUDE_DIRS "${_odr_prefix}/include")
set(OnDeviceReco_LIBRARY_DIR "${_odr_prefix}/lib")
# What an application ships beside its executable: the DLL and the runtime folder it starts.
set(OnDeviceReco_RUNTIME_FILES "${_odr_prefix}/bin/ondevicereco.dll" "${_odr_prefix}/bin/ondevicereco-runtime")
set(OnDeviceReco_FOUND TRUE)
unset(_odr_prefix)
