/* Swapping the log callback while other threads cause log lines. Each installed callback has its own
 * function and user data and checks that it was called with its own data (never a pair mixed from two
 * installs). Once odr_set_log_callback has replaced or removed a callback, that callback must not be running
 * and must not run again: its user data may be freed. A callback may also swap the callback itself without
 * deadlocking. Usage: log_swap <database path> */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ondevicereco.h"
#include "check.h"

enum { SINKS = 4, SWAPS = 400, MIN_LINES = 1000, WORKERS = 3 };

typedef struct {
    atomic_int installed;    /* 1 from just before install until odr_set_log_callback replaced it */
    atomic_int in_flight;
    atomic_int calls;
} sink;

static sink sinks[SINKS];
static atomic_int mismatched, after_removal, total_calls, stop, failed_calls, still_running;
static odr_client *client;

static void busy_wait_us(long us) {
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    do clock_gettime(CLOCK_MONOTONIC, &now);
    while ((now.tv_sec - start.tv_sec) * 1000000L + (now.tv_nsec - start.tv_nsec) / 1000 < us);
}

static void on_log(int k, void *user_data) {
    sink *own = &sinks[k];
    atomic_fetch_add(&total_calls, 1);
    if (user_data != own) atomic_fetch_add(&mismatched, 1);
    atomic_fetch_add(&own->in_flight, 1);
    atomic_fetch_add(&own->calls, 1);
    if (!atomic_load(&own->installed)) atomic_fetch_add(&after_removal, 1);
    busy_wait_us(30); /* widen the window in which a swap could return under a running callback */
    if (!atomic_load(&own->installed)) atomic_fetch_add(&after_removal, 1);
    atomic_fetch_sub(&own->in_flight, 1);
}

#define SINK_FN(k) static void on_log_##k(void *user_data, int32_t level, const char *message) { \
    (void)level; (void)message; on_log(k, user_data); }
SINK_FN(0) SINK_FN(1) SINK_FN(2) SINK_FN(3)
static const odr_log_callback functions[SINKS] = { on_log_0, on_log_1, on_log_2, on_log_3 };

static void *cause_log_lines(void *arg) {
    (void)arg;
    for (int i = 0; !atomic_load(&stop); i++) {
        int32_t rc = odr_set_consent(client, i % 2 ? ODR_CONSENT_GRANTED : ODR_CONSENT_LOCAL_ONLY); /* logs "Consent set to …" */
        TALLY(failed_calls, rc == ODR_OK, "odr_set_consent returned %d", rc);
    }
    return NULL;
}

/* Swaps the callback from inside itself: must return, not wait for its own call to end. */
static atomic_int reentrant_done;
static void on_log_reentrant(void *user_data, int32_t level, const char *message) {
    (void)level; (void)message;
    if (atomic_exchange(&reentrant_done, 1)) return;
    atomic_store(&sinks[0].installed, 1);
    CHECK(odr_set_log_callback(on_log_0, &sinks[0]) == ODR_OK, "re-entrant odr_set_log_callback");
    (void)user_data;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s <database path>\n", argv[0]); return 2; }
    alarm(180);
    odr_config config = test_config(argv[1]);
    CHECK(odr_open(&config, &client) == ODR_OK, "odr_open: %s", odr_last_error());
    if (!client) return report();

    pthread_t workers[WORKERS];
    for (int t = 0; t < WORKERS; t++) pthread_create(&workers[t], NULL, cause_log_lines, NULL);
    int previous = -1;
    /* At least SWAPS swaps, and on until enough log lines went through swapped callbacks. */
    for (int i = 0; i < SWAPS || atomic_load(&total_calls) < MIN_LINES; i++) {
        int k = i % SINKS;
        atomic_store(&sinks[k].installed, 1);
        TALLY(failed_calls, odr_set_log_callback(functions[k], &sinks[k]) == ODR_OK, "odr_set_log_callback");
        if (previous >= 0) {
            atomic_store(&sinks[previous].installed, 0);
            int running = atomic_load(&sinks[previous].in_flight);
            TALLY(still_running, running == 0, "swap %d: the replaced callback is still running on %d threads", i, running);
        }
        previous = k;
        busy_wait_us(200);
    }
    CHECK(odr_set_log_callback(NULL, NULL) == ODR_OK, "removing the callback");
    atomic_store(&sinks[previous].installed, 0);
    CHECK(atomic_load(&sinks[previous].in_flight) == 0, "the removed callback is still running");
    int calls_at_removal = atomic_load(&total_calls);
    busy_wait_us(100000); /* log lines keep coming: none may reach a removed callback */
    atomic_store(&stop, 1);
    for (int t = 0; t < WORKERS; t++) pthread_join(workers[t], NULL);

    CHECK(atomic_load(&failed_calls) == 0, "%d odr_set_consent / odr_set_log_callback calls failed", atomic_load(&failed_calls));
    CHECK(atomic_load(&still_running) == 0, "%d swaps returned while the replaced callback was still running", atomic_load(&still_running));
    CHECK(atomic_load(&total_calls) == calls_at_removal, "%d log lines reached a removed callback", atomic_load(&total_calls) - calls_at_removal);
    CHECK(atomic_load(&mismatched) == 0, "%d calls got another callback's user data", atomic_load(&mismatched));
    CHECK(atomic_load(&after_removal) == 0, "%d callback runs overlapped or followed their removal", atomic_load(&after_removal));

    /* Re-entrant swap: the library must not wait for the very call it is made from. */
    CHECK(odr_set_log_callback(on_log_reentrant, NULL) == ODR_OK, "install the re-entrant callback");
    CHECK(odr_set_consent(client, ODR_CONSENT_GRANTED) == ODR_OK, "odr_set_consent under the re-entrant callback");
    CHECK(atomic_load(&reentrant_done) == 1, "the re-entrant callback did not run");
    int before = atomic_load(&sinks[0].calls);
    CHECK(odr_set_consent(client, ODR_CONSENT_LOCAL_ONLY) == ODR_OK, "odr_set_consent after the re-entrant swap");
    CHECK(atomic_load(&sinks[0].calls) == before + 1, "the callback installed from inside a callback is not the one in use");
    CHECK(odr_set_log_callback(NULL, NULL) == ODR_OK, "removing the callback");
    atomic_store(&sinks[0].installed, 0);
    CHECK(odr_close(client) == ODR_OK, "odr_close");
    return report();
}
