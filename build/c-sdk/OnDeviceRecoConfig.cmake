# CMake package configuration of the OnDeviceReco C SDK archive. Relocatable: every path is found from this
# file's own location (<prefix>/lib/cmake/OnDeviceReco), so the archive works wherever it is extracted.
#   find_package(OnDeviceReco CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE OnDeviceReco::ondevicereco)
# The library finds libe_sqlite3.so and libonnxruntime.so beside itself (RUNPATH $ORIGIN); an executable finds
# libondevicereco.so through the build RPATH CMake adds for imported targets, or through its own install RPATH.
get_filename_component(_odr_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)

if(NOT TARGET OnDeviceReco::ondevicereco)
  add_library(OnDeviceReco::ondevicereco SHARED IMPORTED)
  set_target_properties(OnDeviceReco::ondevicereco PROPERTIES
    IMPORTED_LOCATION "${_odr_prefix}/lib/libondevicereco.so"
    IMPORTED_SONAME "libondevicereco.so"
    INTERFACE_INCLUDE_DIRECTORIES "${_odr_prefix}/include")
endif()

set(OnDeviceReco_INCLUDE_DIRS "${_odr_prefix}/include")
set(OnDeviceReco_LIBRARY_DIR "${_odr_prefix}/lib")
set(OnDeviceReco_FOUND TRUE)
unset(_odr_prefix)
