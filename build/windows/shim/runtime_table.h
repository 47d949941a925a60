/* What the shim passes to coreclr_initialize, generated at build time from the published runtime folder
 * (runtime_table.py): the trusted platform assemblies and the app's runtime properties. */
#ifndef ODR_RUNTIME_TABLE_H
#define ODR_RUNTIME_TABLE_H

/* File names of the managed assemblies in ondevicereco-runtime\ (joined with the folder at start). */
extern const int odr_shim_assembly_count;
extern const char *const odr_shim_assemblies[];

/* The app's runtime properties (.runtimeconfig.json configProperties), as name/value pairs. */
extern const int odr_shim_property_count;
extern const char *const odr_shim_property_keys[];
extern const char *const odr_shim_property_values[];

#endif
