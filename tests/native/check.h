/* Counting checks for the C tests: thread-safe counters, one FAIL line per failed check, and the summary line
 * "N passed, N failed" that build/native.sh adds up. A hang is a failure too: every test arms alarm(). */
#ifndef ODR_TEST_CHECK_H
#define ODR_TEST_CHECK_H

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
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

/* Prints the summary line and gives the exit status: 0 only when every check passed. */
static inline int report(void) {
    int run = atomic_load(&checks_run), failed = atomic_load(&checks_failed);
    printf("%d passed, %d failed\n", run - failed, failed);
    return failed == 0 ? 0 : 1;
}

#endif
