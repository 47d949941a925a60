/* A plugin host: loads the library at run time with dlopen(RTLD_NOW | RTLD_LOCAL), resolves every export it uses
 * by name, checks odr_abi_version(), opens a client, loads a signed model, tracks and recommends, closes the
 * client, removes its log callback and dlcloses the library — ten times in one process, as a tool that loads and
 * unloads plugins does. Per cycle it prints whether the library is still mapped after dlclose (/proc/self/maps),
 * the process's threads (/proc/self/task) and resident memory (/proc/self/statm), and checks that no cycle after
 * the first adds threads or more than a small tolerance of memory: a cycle that leaks shows up as growth.
 * It also checks that the library's static state is consistent after each reload: handles of the previous cycle
 * are refused, error messages and the log callback behave as on the first load.
 * Usage: plugin_host <libondevicereco.so> <database> <bundle dir> <public key pem file> */
#define _GNU_SOURCE
#include <dirent.h>
#include <time.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"

enum { CYCLES = 10, THREAD_TOLERANCE = 0 };
/* Cycle 1 ends with the runtime, SQLite and ONNX Runtime loaded; later cycles measured within ±2 MB of it. */
#define RSS_TOLERANCE_MB 8.0

/* The exports this host uses, resolved by name as a plugin loader does. */
typedef struct {
    int32_t (*abi_version)(void);
    const char *(*version)(void);
    const char *(*last_error)(void);
    const char *(*errmsg)(odr_client *);
    int32_t (*set_log_callback)(odr_log_callback, void *);
    int32_t (*open)(const odr_config *, odr_client **);
    int32_t (*load_model)(odr_client *, const char *, int64_t *);
    int32_t (*track)(odr_client *, const char *, const char *, int32_t, double, int64_t);
    int32_t (*recommend)(odr_client *, const char *, int32_t, odr_recommendation *, size_t, int32_t *);
    int32_t (*close)(odr_client *);
} odr_api;

static int resolve(void *lib, odr_api *api) {
    struct { const char *name; void **slot; } table[] = {
        { "odr_abi_version", (void **)&api->abi_version }, { "odr_version", (void **)&api->version },
        { "odr_last_error", (void **)&api->last_error }, { "odr_errmsg", (void **)&api->errmsg },
        { "odr_set_log_callback", (void **)&api->set_log_callback }, { "odr_open", (void **)&api->open },
        { "odr_load_model", (void **)&api->load_model }, { "odr_track", (void **)&api->track },
        { "odr_recommend", (void **)&api->recommend }, { "odr_close", (void **)&api->close },
    };
    int missing = 0;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        *table[i].slot = dlsym(lib, table[i].name);
        CHECK(*table[i].slot != NULL, "dlsym(%s): %s", table[i].name, dlerror());
        missing += *table[i].slot == NULL;
    }
    return missing == 0;
}

static int count_threads(void) {
    DIR *dir = opendir("/proc/self/task");
    int n = 0;
    for (struct dirent *entry; dir && (entry = readdir(dir)) != NULL;) n += entry->d_name[0] != '.';
    if (dir) closedir(dir);
    return n;
}

/* The threads' names (/proc/self/task/N/comm), to see which ones the library started. */
static void print_thread_names(const char *when) {
    DIR *dir = opendir("/proc/self/task");
    printf("threads %s:", when);
    for (struct dirent *entry; dir && (entry = readdir(dir)) != NULL;) {
        if (entry->d_name[0] == '.') continue;
        char path[300], name[64] = "?";
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", entry->d_name);
        FILE *f = fopen(path, "r");
        if (f && fgets(name, sizeof name, f)) name[strcspn(name, "\n")] = 0;
        if (f) fclose(f);
        printf(" [%s]", name);
    }
    if (dir) closedir(dir);
    printf("\n");
}

static double rss_mb(void) {
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f || fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    if (f) fclose(f);
    return resident * (double)sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0);
}

/* Whether a file whose path contains name is mapped into this process. */
static int mapped(const char *name) {
    FILE *f = fopen("/proc/self/maps", "r");
    char line[4096];
    int found = 0;
    while (f && !found && fgets(line, sizeof line, f)) found = strstr(line, name) != NULL;
    if (f) fclose(f);
    return found;
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    static char text[16384];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = 0;
    fclose(f);
    return text;
}

static atomic_int log_lines;
static void on_log(void *user_data, int32_t level, const char *message) {
    (void)user_data; (void)level; (void)message;
    atomic_fetch_add(&log_lines, 1);
}

/* One load/use/close/unload cycle; returns 0 when the library could not even be loaded. */
static void *first_load;
static double close_ms; /* the last odr_close, which also returns the managed heap to the OS */
static int cycle(int n, char **argv, const char *key, odr_client **stale) {
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    CHECK(lib != NULL, "cycle %d: dlopen: %s", n, dlerror());
    /* The library stays resident (NODELETE), so dlopen hands back the instance of the first load. */
    if (n == 1) first_load = lib;
    else CHECK(lib == first_load, "cycle %d: dlopen gave a new instance of the library", n);
    odr_api api;
    if (!lib || !resolve(lib, &api)) return 0;
    CHECK(api.abi_version() == ODR_ABI_VERSION, "cycle %d: ABI %d, header %d", n, api.abi_version(), ODR_ABI_VERSION);
    CHECK(api.set_log_callback(on_log, NULL) == ODR_OK, "cycle %d: odr_set_log_callback", n);

    /* Static state after a reload: the previous cycle's (closed) handle is refused, not dereferenced; a failure
     * leaves this thread's message as on a first load. No client is open here, so the value cannot be reused. */
    if (*stale) CHECK(api.track(*stale, "u", "i", ODR_EVENT_PLAY, 0, 0) == ODR_ESTATE, "cycle %d: stale handle accepted", n);
    odr_client *client = NULL;
    CHECK(api.open(NULL, &client) == ODR_EINVAL && api.last_error() != NULL && strstr(api.last_error(), "config"),
          "cycle %d: odr_open(NULL) message: %s", n, api.last_error() ? api.last_error() : "(null)");

    odr_config config = test_config(argv[2]);
    config.trusted_key_pem = key;
    config.initial_consent = ODR_CONSENT_LOCAL_ONLY;
    int32_t rc = api.open(&config, &client);
    CHECK(rc == ODR_OK, "cycle %d: odr_open: %s", n, api.last_error());
    if (rc != ODR_OK) { dlclose(lib); return 1; }
    int64_t version = 0;
    rc = api.load_model(client, argv[3], &version);
    CHECK(rc == ODR_OK && version > 0, "cycle %d: odr_load_model: %d %s", n, rc, api.errmsg(client) ? api.errmsg(client) : "");
    const char *played[] = { "1", "260", "1196", "2571", "318" };
    for (int i = 0; i < 5; i++) CHECK(api.track(client, "player", played[i], ODR_EVENT_PLAY, 0, 0) == ODR_OK, "cycle %d: odr_track", n);
    odr_recommendation results[10];
    int32_t count = 0;
    rc = api.recommend(client, "player", 10, results, sizeof results[0], &count);
    CHECK(rc == ODR_OK && count == 10 && results[0].source == ODR_SOURCE_MODEL,
          "cycle %d: odr_recommend: rc %d, %d items, first from source %d", n, rc, count, count ? results[0].source : -1);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(api.close(client) == ODR_OK, "cycle %d: odr_close", n);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    close_ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    *stale = client;
    /* The host's callback lives in the host; a plugin host removes it before unloading anything. */
    CHECK(api.set_log_callback(NULL, NULL) == ODR_OK, "cycle %d: removing the log callback", n);
    CHECK(dlclose(lib) == 0, "cycle %d: dlclose: %s", n, dlerror());
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: %s <libondevicereco.so> <database> <bundle dir> <public key pem>\n", argv[0]); return 2; }
    alarm(240);
    char *key = read_file(argv[4]);
    CHECK(key != NULL, "cannot read %s", argv[4]);
    if (!key) return report();
    printf("before loading: %d threads, RSS %.1f MB\n", count_threads(), rss_mb());
    int threads[CYCLES + 1];
    double rss[CYCLES + 1];
    odr_client *stale = NULL;
    for (int n = 1; n <= CYCLES; n++) {
        if (!cycle(n, argv, key, &stale)) return report();
        usleep(100 * 1000); /* let threads the cycle ended finish exiting before counting */
        threads[n] = count_threads();
        rss[n] = rss_mb();
        CHECK(mapped("libondevicereco.so"), "cycle %d: dlclose unmapped the library: the .NET runtime inside cannot be "
              "unloaded (its threads and heap stay behind); it must be linked -z nodelete", n);
        printf("cycle %2d: odr_close %.1f ms; after dlclose library %s, onnxruntime %s; %d threads, RSS %.1f MB\n", n, close_ms,
               mapped("libondevicereco.so") ? "still mapped" : "unmapped", mapped("libonnxruntime.so") ? "mapped" : "unmapped",
               threads[n], rss[n]);
    }
    print_thread_names("after the last dlclose");
    for (int n = 2; n <= CYCLES; n++) {
        CHECK(threads[n] <= threads[1] + THREAD_TOLERANCE, "cycle %d: %d threads, cycle 1 ended with %d", n, threads[n], threads[1]);
        CHECK(rss[n] <= rss[1] + RSS_TOLERANCE_MB, "cycle %d: RSS %.1f MB, cycle 1 ended with %.1f MB", n, rss[n], rss[1]);
    }
    printf("plugin cycles: threads %d after cycle 1, %d after cycle %d; RSS %.1f MB after cycle 1, %.1f MB after cycle %d (%+.1f MB)\n",
           threads[1], threads[CYCLES], CYCLES, rss[1], rss[CYCLES], CYCLES, rss[CYCLES] - rss[1]);
    return report();
}
