/* dlopen, dlsym, dladdr over LoadLibrary / GetProcAddress, for the Windows build of tests/native. A Linux library
 * name beside libondevicereco.so (libe_sqlite3.so) names the Windows module of the same library that ondevicereco.dll's
 * runtime has loaded (e_sqlite3.dll), so the test gets that same instance, as dlopen does on Linux. */
#ifndef ODR_TEST_DLFCN_H
#define ODR_TEST_DLFCN_H
#include <windows.h>
#include <string.h>

#define RTLD_NOW 2
#define RTLD_LOCAL 0

typedef struct { const char *dli_fname; void *dli_fbase; const char *dli_sname; void *dli_saddr; } Dl_info;

static inline void *dlopen(const char *path, int mode) {
    (void)mode;
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    if (strncmp(name, "lib", 3) == 0 && strstr(name, ".so")) {
        char module[MAX_PATH];
        size_t length = (size_t)(strstr(name, ".so") - (name + 3));
        if (length + 5 > sizeof module) return NULL;
        memcpy(module, name + 3, length);
        memcpy(module + length, ".dll", 5);
        return (void *)GetModuleHandleA(module);
    }
    return (void *)LoadLibraryA(path);
}

static inline void *dlsym(void *handle, const char *symbol) { return (void *)GetProcAddress((HMODULE)handle, symbol); }

static inline int dlclose(void *handle) { return FreeLibrary((HMODULE)handle) ? 0 : -1; }

static inline const char *dlerror(void) { return "the module is not loaded (Windows)"; }

static inline int dladdr(const void *address, Dl_info *info) {
    static char path[MAX_PATH];
    HMODULE module;
    if (!GetModuleHandleExA(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT, (LPCSTR)address, &module)) return 0;
    DWORD length = GetModuleFileNameA(module, path, sizeof path);
    if (length == 0 || length >= sizeof path) return 0;
    for (char *c = path; *c; c++) if (*c == '\\') *c = '/';
    info->dli_fname = path;
    info->dli_fbase = module;
    info->dli_sname = NULL;
    info->dli_saddr = NULL;
    return 1;
}
#endif
