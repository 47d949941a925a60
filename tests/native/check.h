/* Counting checks for the C tests: thread-safe counters, one FAIL line per failed check, and the summary line
 * "N passed, N failed" that build/native.sh adds up. A hang is a failure too: every test arms alarm(). */
#ifndef ODR_TEST_CHECK_H
#define ODR_TEST_CHECK_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ondevicereco.h"

static atomic_int checks_run, checks_failed;

#define CHECK(cond, ...) do { atomic_fetch_add(&checks_run, 1); if (!(cond)) { atomic_fetch_add(&checks_failed, 1); \
    fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

/* For calls made thousands of times (loops on many threads): a failure is counted in the atomic_int tally and
 * its first few printed; one CHECK on the tally afterwards, so the summary counts checks, not iterations. */
#define TALLY(tally, cond, ...) do { if (!(cond) && atomic_fetch_add(&(tally), 1) < 5) { \
    fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

/* A zeroed odr_config of the current layout for the store at database_path; tests set the rest. */
static inline odr_config test_config(const char *database_path) {
    odr_config config;
    memset(&config, 0, sizeof config);
    config.struct_size = sizeof config;
    config.database_path = database_path;
    return config;
}

/* A test_config for a consenting store that syncs to server_url with api_key (three attempts per sync). */
static inline odr_config sync_test_config(const char *database_path, const char *server_url, const char *api_key) {
    odr_config config = test_config(database_path);
    config.initial_consent = ODR_CONSENT_GRANTED;
    config.sync_url = server_url;
    config.sync_api_key = api_key;
    config.sync_max_attempts = 3;
    return config;
}

/* Wall-clock milliseconds since the Unix epoch: the time base of odr_track's timestamps. */
static inline int64_t wall_clock_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The whole file at path, NUL-terminated, its length (without the NUL) in *length when length is not NULL; NULL
 * when it cannot be read. The caller frees it. */
static inline char *read_whole_file(const char *path, size_t *length) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) return NULL;
    size_t used = 0, capacity = 1 << 16, n;
    char *bytes = malloc(capacity + 1);
    while (bytes != NULL && (n = fread(bytes + used, 1, capacity - used, file)) > 0) {
        used += n;
        if (used == capacity) {
            char *grown = realloc(bytes, 2 * capacity + 1);
            if (grown == NULL) { free(bytes); bytes = NULL; break; }
            bytes = grown;
            capacity *= 2;
        }
    }
    fclose(file);
    if (bytes != NULL) bytes[used] = 0;
    if (length != NULL) *length = bytes != NULL ? used : 0;
    return bytes;
}

/* Prints the summary line and gives the exit status: 0 only when every check passed. */
static inline int report(void) {
    int run = atomic_load(&checks_run), failed = atomic_load(&checks_failed);
    printf("%d passed, %d failed\n", run - failed, failed);
    return failed == 0 ? 0 : 1;
}

#endif
