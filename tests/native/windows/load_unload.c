/* A Windows plugin host: ten cycles of LoadLibrary / open / load a signed model / track / recommend / close /
 * FreeLibrary in one process, loading every function with GetProcAddress (no import library). Shows what unloading
 * does on Windows: once the runtime has started, ondevicereco.dll pins itself (a .NET runtime cannot be unloaded),
 * so FreeLibrary leaves it mapped, LoadLibrary hands back the same module, and no cycle after the first leaves more
 * threads behind. Usage: load_unload <ondevicereco.dll> <database path> <bundle dir> <public key PEM file> */
#include <windows.h>
#include <tlhelp32.h>
#include <stdio.h>
#include <stdlib.h>
#include "ondevicereco.h"
#include "../check.h"

enum { CYCLES = 10 };

typedef struct {
    int32_t (*abi_version)(void);
    int32_t (*open)(const odr_config *, odr_client **);
    int32_t (*load_model)(odr_client *, const char *, int64_t *);
    int32_t (*track)(odr_client *, const char *, const char *, int32_t, double, int64_t);
    int32_t (*recommend)(odr_client *, const char *, int32_t, odr_recommendation *, size_t, int32_t *);
    int32_t (*close)(odr_client *);
    const char *(*last_error)(void);
} api_table;

static int threads(void) {
    HANDLE snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
    THREADENTRY32 entry = { .dwSize = sizeof entry };
    int n = 0;
    for (BOOL more = Thread32First(snapshot, &entry); more; more = Thread32Next(snapshot, &entry))
        n += entry.th32OwnerProcessID == GetCurrentProcessId();
    CloseHandle(snapshot);
    return n;
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    static char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    return text;
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: %s <ondevicereco.dll> <database path> <bundle dir> <public key PEM file>\n", argv[0]); return 2; }
    alarm(240);
    const char *pem = read_file(argv[4]);
    CHECK(pem != NULL, "cannot read %s", argv[4]);
    HMODULE first = NULL;
    int threads_after_first = 0;
    for (int cycle = 1; cycle <= CYCLES && pem; cycle++) {
        LARGE_INTEGER frequency, t0, t1;
        QueryPerformanceFrequency(&frequency);
        QueryPerformanceCounter(&t0);
        HMODULE lib = LoadLibraryA(argv[1]);
        CHECK(lib != NULL, "cycle %d: LoadLibrary failed (%lu)", cycle, GetLastError());
        if (!lib) break;
        if (cycle == 1) first = lib;
        else CHECK(lib == first, "cycle %d: LoadLibrary returned another module than the first load", cycle);
        api_table api = {
            (int32_t (*)(void))(void *)GetProcAddress(lib, "odr_abi_version"),
            (int32_t (*)(const odr_config *, odr_client **))(void *)GetProcAddress(lib, "odr_open"),
            (int32_t (*)(odr_client *, const char *, int64_t *))(void *)GetProcAddress(lib, "odr_load_model"),
            (int32_t (*)(odr_client *, const char *, const char *, int32_t, double, int64_t))(void *)GetProcAddress(lib, "odr_track"),
            (int32_t (*)(odr_client *, const char *, int32_t, odr_recommendation *, size_t, int32_t *))(void *)GetProcAddress(lib, "odr_recommend"),
            (int32_t (*)(odr_client *))(void *)GetProcAddress(lib, "odr_close"),
            (const char *(*)(void))(void *)GetProcAddress(lib, "odr_last_error"),
        };
        CHECK(api.abi_version && api.open && api.load_model && api.track && api.recommend && api.close && api.last_error,
              "cycle %d: GetProcAddress found every function", cycle);
        if (!(api.abi_version && api.open && api.load_model && api.track && api.recommend && api.close && api.last_error)) break;
        CHECK(api.abi_version() >= ODR_ABI_VERSION, "cycle %d: odr_abi_version %d < %d: %s", cycle, api.abi_version(), ODR_ABI_VERSION,
              api.last_error() ? api.last_error() : "");

        odr_config config = test_config(argv[2]);
        config.trusted_key_pem = pem;
        config.initial_consent = ODR_CONSENT_LOCAL_ONLY;
        odr_client *client = NULL;
        int32_t rc = api.open(&config, &client);
        CHECK(rc == ODR_OK, "cycle %d: odr_open: %d %s", cycle, rc, api.last_error() ? api.last_error() : "");
        if (rc != ODR_OK) break;
        int64_t version = 0;
        rc = api.load_model(client, argv[3], &version);
        CHECK(rc == ODR_OK && version > 0, "cycle %d: odr_load_model: %d", cycle, rc);
        odr_recommendation results[10];
        int32_t count = 0;
        CHECK(api.track(client, "player", "1", ODR_EVENT_PLAY, 0, 0) == ODR_OK, "cycle %d: odr_track", cycle);
        rc = api.recommend(client, "player", 10, results, sizeof results[0], &count);
        CHECK(rc == ODR_OK && count == 10, "cycle %d: odr_recommend: %d, %d items", cycle, rc, count);
        CHECK(api.close(client) == ODR_OK, "cycle %d: odr_close", cycle);
        CHECK(FreeLibrary(lib), "cycle %d: FreeLibrary", cycle);
        QueryPerformanceCounter(&t1);

        HMODULE still = GetModuleHandleA("ondevicereco.dll");
        int now = threads();
        printf("cycle %d: %.1f ms, still mapped after FreeLibrary: %s, %d threads\n", cycle,
               1000.0 * (double)(t1.QuadPart - t0.QuadPart) / (double)frequency.QuadPart, still ? "yes" : "no", now);
        CHECK(still == first, "cycle %d: ondevicereco.dll was unmapped by FreeLibrary although its runtime cannot be unloaded", cycle);
        Sleep(100); /* let threads the cycle ended finish exiting before counting */
        now = threads();
        if (cycle == 2) threads_after_first = now;
        else if (cycle > 2) CHECK(now <= threads_after_first, "cycle %d: %d threads, %d after cycle 2", cycle, now, threads_after_first);
    }
    return report();
}
