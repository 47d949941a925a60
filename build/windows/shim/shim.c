/* ondevicereco.dll: the C ABI of include/ondevicereco.h on Windows, as a thin native shim over the .NET runtime that
 * ships beside it in ondevicereco-runtime\ (a self-contained app holding src/NativeExports, the very methods NativeAOT
 * compiles into the Linux library). On the first call of any odr_ function the shim starts that runtime through
 * hostfxr, asks it once for the address of every function (ExportTable.Resolve) and from then on each exported
 * function is a plain indirect call (forwarders.c, generated from the header). A start that fails is reported like
 * any failure: the function returns ODR_EINTERNAL (NULL-free strings, 0 from odr_abi_version) and odr_last_error()
 * says why; nothing aborts the host. */
#include <windows.h>
#include <stdio.h>
#include <string.h>
#include "hostfxr.h"
#include "coreclr_delegates.h"
#include "shim.h"

#define RUNTIME_DIR L"ondevicereco-runtime"
#define HOST_APP L"ondevicereco-host.dll"

typedef int (CORECLR_DELEGATE_CALLTYPE *resolve_fn)(const char *const *names, void **addresses, int count);

static INIT_ONCE start_once = INIT_ONCE_STATIC_INIT;
static void **targets;
static char start_error[2048];
static char hostfxr_said[1024];

const char *odr_shim_start_error(void) { return start_error[0] ? start_error : "the .NET runtime has not been started"; }

/* hostfxr reports its own errors (a missing file, an unsupported setting) through this writer: kept for the message. */
static void HOSTFXR_CALLTYPE keep_hostfxr_error(const char_t *message) {
    size_t used = strlen(hostfxr_said);
    if (used + 2 >= sizeof hostfxr_said) return;
    if (used) hostfxr_said[used++] = ' ';
    WideCharToMultiByte(CP_UTF8, 0, message, -1, hostfxr_said + used, (int)(sizeof hostfxr_said - used), NULL, NULL);
    hostfxr_said[sizeof hostfxr_said - 1] = 0;
}

static BOOL fail(const char *what, const wchar_t *where, long code) {
    char place[MAX_PATH * 3] = "";
    if (where) WideCharToMultiByte(CP_UTF8, 0, where, -1, place, sizeof place, NULL, NULL);
    snprintf(start_error, sizeof start_error, "ondevicereco.dll could not start its .NET runtime: %s%s%s (0x%08lx)%s%s",
             what, place[0] ? " " : "", place, (unsigned long)code, hostfxr_said[0] ? ": " : "", hostfxr_said);
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

static BOOL CALLBACK start(PINIT_ONCE once, void *parameter, void **once_context) {
    (void)once; (void)parameter; (void)once_context;
    wchar_t dir[MAX_PATH], hostfxr_path[MAX_PATH + 64], app_path[MAX_PATH + 64];
    HMODULE self;
    if (!own_directory(dir, MAX_PATH, &self)) return fail("cannot find where ondevicereco.dll is", NULL, (long)GetLastError());
    _snwprintf(hostfxr_path, MAX_PATH + 64, L"%ls%ls\\hostfxr.dll", dir, RUNTIME_DIR);
    _snwprintf(app_path, MAX_PATH + 64, L"%ls%ls\\%ls", dir, RUNTIME_DIR, HOST_APP);
    hostfxr_path[MAX_PATH + 63] = app_path[MAX_PATH + 63] = 0;

    /* A .NET runtime cannot be unloaded, and its threads and GC heap outlive any FreeLibrary: pinned, this DLL stays
     * mapped for the life of the process, and LoadLibrary after FreeLibrary gets the same instance and runtime back
     * (Windows' counterpart of the Linux library's -z nodelete; tests/native/windows/load_unload.c). */
    HMODULE pinned;
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN, (LPCWSTR)(void *)&start, &pinned))
        return fail("cannot pin ondevicereco.dll in memory", NULL, (long)GetLastError());

    HMODULE hostfxr = LoadLibraryExW(hostfxr_path, NULL, LOAD_WITH_ALTERED_SEARCH_PATH);
    if (!hostfxr) return fail("cannot load", hostfxr_path, (long)GetLastError());
    hostfxr_set_error_writer_fn set_error_writer = (hostfxr_set_error_writer_fn)(void *)GetProcAddress(hostfxr, "hostfxr_set_error_writer");
    hostfxr_initialize_for_dotnet_command_line_fn initialize =
        (hostfxr_initialize_for_dotnet_command_line_fn)(void *)GetProcAddress(hostfxr, "hostfxr_initialize_for_dotnet_command_line");
    hostfxr_get_runtime_delegate_fn get_delegate = (hostfxr_get_runtime_delegate_fn)(void *)GetProcAddress(hostfxr, "hostfxr_get_runtime_delegate");
    hostfxr_close_fn close_context = (hostfxr_close_fn)(void *)GetProcAddress(hostfxr, "hostfxr_close");
    if (!set_error_writer || !initialize || !get_delegate || !close_context) return fail("hostfxr.dll lacks the hosting API:", hostfxr_path, 0);
    set_error_writer(keep_hostfxr_error);

    /* hostfxr refuses to start a self-contained runtime as a component (initialize_for_runtime_config:
     * 0x80008093), so the managed side is an application, initialized (never run) from its command line. */
    const char_t *argv[] = { app_path };
    hostfxr_handle context = NULL;
    int32_t rc = initialize(1, argv, NULL, &context);
    if (rc != 0 || !context) { set_error_writer(NULL); return fail("hostfxr_initialize_for_dotnet_command_line failed for", app_path, rc); }
    get_function_pointer_fn get_function_pointer = NULL;
    rc = get_delegate(context, hdt_get_function_pointer, (void **)&get_function_pointer);
    close_context(context);
    set_error_writer(NULL);
    if (rc != 0 || !get_function_pointer) return fail("hostfxr_get_runtime_delegate failed for", app_path, rc);

    resolve_fn resolve = NULL;
    rc = get_function_pointer(L"OnDeviceReco.WindowsHost.ExportTable, ondevicereco-host", L"Resolve",
                              UNMANAGEDCALLERSONLY_METHOD, NULL, NULL, (void **)&resolve);
    if (rc != 0 || !resolve) return fail("cannot find OnDeviceReco.WindowsHost.ExportTable.Resolve in", app_path, rc);
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
