/* Failed odr_open calls leave nothing behind (no thread, no file descriptor) and map to the right code, also
 * when the store had already been opened when the failure came (another connection holds the write lock, so
 * the start-up write times out with SQLITE_BUSY). Closing twice is refused, not a double free.
 * Usage: open_failures <database path> */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ondevicereco.h"
#include "check.h"

/* SQLite's entry points, declared here: the test needs only these three. */
typedef int (*sqlite3_open_v2_fn)(const char *, void **, int, const char *);
typedef int (*sqlite3_exec_fn)(void *, const char *, void *, void *, char **);
typedef int (*sqlite3_close_fn)(void *);
enum { SQLITE_OPEN_READWRITE = 0x2, LOCKED_OPENS = 2, QUICK_FAILURES = 20 };

/* The libe_sqlite3.so beside libondevicereco.so: the one the library loaded, so dlopen returns that same instance. */
static void *open_sqlite_beside_library(void) {
    Dl_info info;
    char path[4096];
    if (!dladdr((void *)odr_open, &info) || !info.dli_fname) return NULL;
    snprintf(path, sizeof path, "%s", info.dli_fname);
    char *slash = strrchr(path, '/');
    snprintf(slash ? slash + 1 : path, sizeof path - (size_t)(slash ? slash + 1 - path : 0), "libe_sqlite3.so");
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) fprintf(stderr, "dlopen %s: %s\n", path, dlerror());
    return handle;
}

#ifdef _WIN32
#include "windows/process_counts.h"
#else
static int count_entries(const char *directory) {
    DIR *dir = opendir(directory);
    int n = 0;
    for (struct dirent *entry; dir && (entry = readdir(dir));) n += entry->d_name[0] != '.';
    if (dir) closedir(dir);
    return n; /* for /proc/self/fd this includes opendir's own descriptor: the same in every count */
}
static int threads(void) { return count_entries("/proc/self/task"); }
static int descriptors(void) { return count_entries("/proc/self/fd"); }
#endif

static void pause_ms(int ms) {
#ifdef _WIN32
    Sleep(ms);
#else
    usleep(ms * 1000);
#endif
}

/* Threads the runtime starts on demand (its tiered-compilation worker) come and go; a leaked thread stays. So the
   least of several counts over half a second is the count that is compared. */
static int settled_threads(void) {
    int least = threads();
    for (int i = 0; i < 20; i++) {
        pause_ms(25);
        int n = threads();
        if (n < least) least = n;
    }
    return least;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s <database path>\n", argv[0]); return 2; }
    alarm(120);
    odr_config config = test_config(argv[1]);
    odr_client *client = NULL;
    CHECK(odr_open(&config, &client) == ODR_OK, "odr_open: %s", odr_last_error());
    CHECK(odr_track(client, "user", "item", ODR_EVENT_PLAY, 0, 0) == ODR_OK, "odr_track");
    CHECK(odr_close(client) == ODR_OK, "odr_close");
    CHECK(odr_close(client) == ODR_ESTATE, "second odr_close is not refused");
    CHECK(odr_close(NULL) == ODR_OK, "odr_close(NULL)");

    odr_config bad_key = config, bad_url = config, no_dir = config;
    bad_key.trusted_key_pem = "-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n";
    bad_url.sync_url = "http://[::1";
    bad_url.sync_api_key = "key";
    no_dir.database_path = "/nonexistent-dir/x.db";
    void *sqlite = open_sqlite_beside_library();
    sqlite3_open_v2_fn sqlite3_open_v2 = (sqlite3_open_v2_fn)dlsym(sqlite, "sqlite3_open_v2");
    sqlite3_exec_fn sqlite3_exec = (sqlite3_exec_fn)dlsym(sqlite, "sqlite3_exec");
    sqlite3_close_fn sqlite3_close = (sqlite3_close_fn)dlsym(sqlite, "sqlite3_close");
    CHECK(sqlite3_open_v2 && sqlite3_exec && sqlite3_close, "libe_sqlite3.so symbols not found");
    if (!sqlite3_open_v2 || !sqlite3_exec || !sqlite3_close) return report();

    /* A whole round of failures first, so that threads the runtime creates lazily (a timer, a background GC) exist
       before counting; a second round must then add none: a leak would add some with every failed open. */
    void *holder = NULL;
    CHECK(sqlite3_open_v2(argv[1], &holder, SQLITE_OPEN_READWRITE, NULL) == 0, "sqlite3_open_v2");
    CHECK(sqlite3_exec(holder, "BEGIN IMMEDIATE", NULL, NULL, NULL) == 0, "BEGIN IMMEDIATE");
    int threads_before = 0, descriptors_before = 0;
    for (int round = 0; round < 2; round++) {
        if (round == 1) {
            threads_before = settled_threads();
            descriptors_before = descriptors();
        }
        for (int i = 0; i < LOCKED_OPENS; i++) {
            int32_t rc = odr_open(&config, &client);
            CHECK(rc == ODR_EIO, "locked store: odr_open returned %d (%s): %s", rc, odr_errstr(rc), odr_last_error());
            CHECK(client == NULL, "out_client set on failure");
        }
        for (int i = 0; i < QUICK_FAILURES; i++) {
            CHECK(odr_open(&bad_key, &client) == ODR_EINVAL, "bad key");
            CHECK(odr_open(&bad_url, &client) == ODR_EINVAL, "bad sync_url");
            CHECK(odr_open(&no_dir, &client) == ODR_EIO, "missing directory");
        }
    }
    int threads_after = settled_threads(), descriptors_after = descriptors();
    CHECK(threads_after <= threads_before, "%d threads before the failed opens, %d after", threads_before, threads_after);
    CHECK(descriptors_after <= descriptors_before, "%d file descriptors before the failed opens, %d after", descriptors_before, descriptors_after);

    sqlite3_exec(holder, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(holder);
    CHECK(odr_open(&config, &client) == ODR_OK, "odr_open once the lock is gone: %s", odr_last_error());
    CHECK(odr_close(client) == ODR_OK, "odr_close");
    return report();
}
