/* ondevicereco.dll: the C ABI of include/ondevicereco.h on Windows, as a thin native shim over the .NET runtime that
 * ships beside it in ondevicereco-runtime\ (a self-contained app holding src/NativeExports, the very methods NativeAOT
 * compiles into the Linux library). On the first call of any odr_ function the shim starts that runtime with
 * coreclr_initialize, asks it once for the address of every function (ExportTable.Resolve) and from then on each
 * exported function is a plain indirect call (forwarders.c, generated from the header). A start that fails is
 * reported like any failure: the function returns ODR_EINTERNAL (NULL-free strings, 0 from odr_abi_version) and
 * odr_last_error() says why; nothing aborts the host. */
#include <windows.h>
#include <stdio.h>
#include <string.h>
#include "runtime_table.h"
#include "shim.h"

#define RUNTIME_DIR L"ondevicereco-runtime"
#define RUNTIME_DIR_UTF8 "ondevicereco-runtime"
#define HOST_APP_UTF8 "ondevicereco-host.dll"

/* coreclr's hosting API (coreclrhost.h of the .NET runtime; UTF-8 strings on every platform). */
typedef int (__stdcall *coreclr_initialize_fn)(const char *exe_path, const char *domain_name, int property_count,
                                               const char **keys, const char **values, void **host, unsigned int *domain);
typedef int (__stdcall *coreclr_create_delegate_fn)(void *host, unsigned int domain, const char *assembly,
                                                    const char *type, const char *method, void **delegate);
typedef int (__stdcall *resolve_fn)(const char *const *names, void **addresses, int count);

static INIT_ONCE start_once = INIT_ONCE_STATIC_INIT;
static void **targets;
static char start_error[2048];

const char *odr_shim_start_error(void) { return start_error[0] ? start_error : "the .NET runtime has not been started"; }

static BOOL fail(const char *what, const char *where, long code) {
    snprintf(start_error, sizeof start_error, "ondevicereco.dll could not start its .NET runtime: %s%s%s (0x%08lx)",
             what, where && where[0] ? " " : "", where ? where : "", (unsigned long)code);
    return TRUE; /* the attempt is over either way: later calls get the same answer instead of trying again */
}

/* The folder holding this DLL (ends with a backslash), from the module's own address: wherever the host put it. */
static BOOL own_directory(wchar_t *dir, DWORD size, HMODULE *self) {
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                            (LPCWSTR)(void *)&own_directory, self)) return FALSE;
    DWORD length = GetModuleFileNameW(*self, dir, size);
    if (length == 0 || length >= size) return FALSE;
    wchar_t *slash = wcsrchr(dir, L'\\');
    if (!slash) return FALSE;
    slash[1] = 0;
    return TRUE;
}

/* "<folder>\name;" for every assembly of the table: the trusted platform assemblies, the only ones the runtime binds. */
static char *trusted_assemblies(const char *folder) {
    size_t size = 1, folder_length = strlen(folder);
    for (int i = 0; i < odr_shim_assembly_count; i++) size += folder_length + strlen(odr_shim_assemblies[i]) + 1;
    char *list = (char *)malloc(size), *end = list;
    if (!list) return NULL;
    for (int i = 0; i < odr_shim_assembly_count; i++) end += sprintf(end, "%s%s;", folder, odr_shim_assemblies[i]);
    return list;
}

/* Starts the runtime as hostpolicy would, minus what it does at run time that the build already did: the assemblies
 * and the runtime properties were read from the published folder then (runtime_table.py), so no JSON is parsed and
 * no folder probed here; hostfxr.dll and hostpolicy.dll are not shipped. */
static BOOL CALLBACK start(PINIT_ONCE once, void *parameter, void **once_context) {
    (void)once; (void)parameter; (void)once_context;
    wchar_t dir[MAX_PATH], coreclr_path[MAX_PATH + 64];
    HMODULE self;
    if (!own_directory(dir, MAX_PATH, &self)) return fail("cannot find where ondevicereco.dll is", NULL, (long)GetLastError());
    _snwprintf(coreclr_path, MAX_PATH + 64, L"%ls%ls\\coreclr.dll", dir, RUNTIME_DIR);
    coreclr_path[MAX_PATH + 63] = 0;
    char folder[MAX_PATH * 3 + 64], coreclr_name[MAX_PATH * 3 + 64];
    if (!WideCharToMultiByte(CP_UTF8, 0, coreclr_path, -1, coreclr_name, sizeof coreclr_name, NULL, NULL)
        || !WideCharToMultiByte(CP_UTF8, 0, dir, -1, folder, MAX_PATH * 3, NULL, NULL))
        return fail("cannot convert the DLL's path to UTF-8", NULL, (long)GetLastError());
    strcat(folder, RUNTIME_DIR_UTF8 "\\");

    /* A .NET runtime cannot be unloaded, and its threads and GC heap outlive any FreeLibrary: pinned, this DLL stays
     * mapped for the life of the process, and LoadLibrary after FreeLibrary gets the same instance and runtime back
     * (Windows' counterpart of the Linux library's -z nodelete; tests/native/windows/load_unload.c). */
    HMODULE pinned;
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN, (LPCWSTR)(void *)&start, &pinned))
        return fail("cannot pin ondevicereco.dll in memory", NULL, (long)GetLastError());

    HMODULE coreclr = LoadLibraryExW(coreclr_path, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
    if (!coreclr) return fail("cannot load", coreclr_name, (long)GetLastError());
    coreclr_initialize_fn initialize = (coreclr_initialize_fn)(void *)GetProcAddress(coreclr, "coreclr_initialize");
    coreclr_create_delegate_fn create_delegate = (coreclr_create_delegate_fn)(void *)GetProcAddress(coreclr, "coreclr_create_delegate");
    if (!initialize || !create_delegate) return fail("coreclr.dll lacks the hosting API:", coreclr_name, 0);

    char *tpa = trusted_assemblies(folder);
    if (!tpa) return fail("out of memory", NULL, ERROR_OUTOFMEMORY);
    enum { fixed = 3 };
    int count = fixed + odr_shim_property_count;
    const char **keys = (const char **)calloc((size_t)count, sizeof *keys), **values = (const char **)calloc((size_t)count, sizeof *values);
    if (!keys || !values) { free(tpa); free(keys); free(values); return fail("out of memory", NULL, ERROR_OUTOFMEMORY); }
    keys[0] = "TRUSTED_PLATFORM_ASSEMBLIES";   values[0] = tpa;
    keys[1] = "NATIVE_DLL_SEARCH_DIRECTORIES"; values[1] = folder; /* e_sqlite3.dll, onnxruntime.dll */
    keys[2] = "APP_CONTEXT_BASE_DIRECTORY";    values[2] = folder;
    for (int i = 0; i < odr_shim_property_count; i++) {
        keys[fixed + i] = odr_shim_property_keys[i];
        values[fixed + i] = odr_shim_property_values[i];
    }
    char app_path[sizeof folder + 32];
    snprintf(app_path, sizeof app_path, "%s%s", folder, HOST_APP_UTF8);
    void *host = NULL;
    unsigned int domain = 0;
    int rc = initialize(app_path, "ondevicereco", count, keys, values, &host, &domain);
    free(tpa); free(keys); free(values); /* copied by the runtime */
    if (rc < 0 || !host) return fail("coreclr_initialize failed for", folder, rc);

    resolve_fn resolve = NULL;
    rc = create_delegate(host, domain, "ondevicereco-host", "OnDeviceReco.WindowsHost.ExportTable", "Resolve", (void **)&resolve);
    if (rc < 0 || !resolve) return fail("cannot find OnDeviceReco.WindowsHost.ExportTable.Resolve in", app_path, rc);
    void **table = (void **)calloc((size_t)odr_shim_count, sizeof *table);
    if (!table) return fail("out of memory", NULL, ERROR_OUTOFMEMORY);
    int found = resolve(odr_shim_names, table, odr_shim_count);
    if (found != odr_shim_count) {
        const char *missing = "?";
        for (int i = 0; i < odr_shim_count && found >= 0; i++) if (!table[i]) { missing = odr_shim_names[i]; break; }
        char what[256];
        snprintf(what, sizeof what, "the managed library exports %d of the header's %d functions (first missing: %s); it is not the one this DLL was built with:",
                 found, odr_shim_count, missing);
        free(table);
        return fail(what, app_path, found);
    }
    targets = table;
    return TRUE;
}

void *odr_shim_target(int index) {
    InitOnceExecuteOnce(&start_once, start, NULL, NULL);
    return targets ? targets[index] : NULL;
}
