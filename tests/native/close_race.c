/* odr_close while other threads are inside calls on the same handle. Every call must return ODR_OK or
 * ODR_ESTATE (never crash, never another code); every odr_track that returned ODR_OK must be on disk after the
 * close (none silently lost); every odr_recommend_async that was accepted must have called back before
 * odr_close returned (none runs later). Several rounds, each on a fresh handle. Last, a callback closes the
 * handle it was called for: no deadlock, and the handle is closed. Usage: close_race <database path> */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ondevicereco.h"
#include "check.h"

enum { THREADS = 4, ROUNDS = 30, MAX_TRACKS = 400 };

typedef struct {
    odr_client *client;
    int round;
    atomic_int calls;              /* calls made by all workers, to close once they are busy */
    atomic_int tracked;            /* odr_track calls that returned ODR_OK */
    atomic_int next_item;          /* distinct item ids, so the stored sequence is not collapsed */
    atomic_int async_accepted, async_done;
    atomic_int closed;             /* set once odr_close has returned */
    atomic_int late_callbacks;     /* callbacks still running after odr_close returned */
    atomic_int bad_results;        /* calls or callbacks that saw a code other than ODR_OK / ODR_ESTATE */
} round_state;

static void on_async(void *user_data, int32_t result, const odr_recommendation *items, int32_t count) {
    round_state *round = user_data;
    TALLY(round->bad_results, result == ODR_OK || result == ODR_ESTATE, "async callback got %d (%s)", result, odr_errstr(result));
    TALLY(round->bad_results, result != ODR_OK || items != NULL || count == 0, "async callback: OK without items");
    struct timespec busy = { 0, 2000000 }; /* a host doing real work here: odr_close must wait for it */
    nanosleep(&busy, NULL);
    atomic_fetch_add(&round->async_done, 1);
    if (atomic_load(&round->closed)) atomic_fetch_add(&round->late_callbacks, 1);
}

/* A callback that closes the handle it was called for: must not wait for itself. */
static odr_client *closing_client;
static atomic_int close_from_callback = -1;
static void close_in_callback(void *user_data, int32_t result, const odr_recommendation *items, int32_t count) {
    (void)user_data; (void)result; (void)items; (void)count;
    atomic_store(&close_from_callback, odr_close(closing_client));
}

static int acceptable(int32_t rc) { return rc == ODR_OK || rc == ODR_ESTATE; }

static void *worker(void *arg) {
    round_state *round = arg;
    char user[32], item[32];
    snprintf(user, sizeof user, "round-%d", round->round);
    for (int i = 0; ; i++) {
        int32_t rc;
        if (i < MAX_TRACKS) {
            snprintf(item, sizeof item, "item-%d", atomic_fetch_add(&round->next_item, 1));
            rc = odr_track(round->client, user, item, ODR_EVENT_VIEW, 0, 0);
            TALLY(round->bad_results, acceptable(rc), "odr_track returned %d (%s)", rc, odr_errstr(rc));
            if (rc == ODR_OK) atomic_fetch_add(&round->tracked, 1);
            if (rc == ODR_ESTATE) break;
        }
        odr_recommendation results[5];
        int32_t count = 0;
        rc = odr_recommend(round->client, user, 5, results, sizeof *results, &count);
        TALLY(round->bad_results, acceptable(rc), "odr_recommend returned %d (%s)", rc, odr_errstr(rc));
        if (rc == ODR_ESTATE) break;
        odr_profile profile;
        rc = odr_get_profile(round->client, user, &profile, sizeof profile);
        TALLY(round->bad_results, acceptable(rc), "odr_get_profile returned %d (%s)", rc, odr_errstr(rc));
        if (rc == ODR_ESTATE) break;
        if (i % 4 == 1) {
            rc = odr_flush(round->client);
            TALLY(round->bad_results, acceptable(rc), "odr_flush returned %d (%s)", rc, odr_errstr(rc));
            if (rc == ODR_ESTATE) break;
        }
        if (i % 8 == 0) {
            rc = odr_recommend_async(round->client, user, 3, sizeof(odr_recommendation), on_async, round);
            TALLY(round->bad_results, acceptable(rc), "odr_recommend_async returned %d (%s)", rc, odr_errstr(rc));
            if (rc == ODR_OK) atomic_fetch_add(&round->async_accepted, 1);
            if (rc == ODR_ESTATE) break;
        }
        atomic_fetch_add(&round->calls, 1);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s <database path>\n", argv[0]); return 2; }
    alarm(240);
    odr_config config = test_config(argv[1]);
    int total_tracked[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        round_state round = { .round = r };
        int32_t rc = odr_open(&config, &round.client);
        CHECK(rc == ODR_OK, "odr_open: %s", odr_last_error());
        if (rc != ODR_OK) return report();
        pthread_t threads[THREADS];
        for (int t = 0; t < THREADS; t++) pthread_create(&threads[t], NULL, worker, &round);
        /* Close once the workers are in full swing; later rounds close earlier, while tracking is still going on. */
        int busy = r % 2 == 0 ? 40 : 4;
        while (atomic_load(&round.calls) < busy) {
            struct timespec pause = { 0, 200000 };
            nanosleep(&pause, NULL);
        }
        rc = odr_close(round.client);
        atomic_store(&round.closed, 1);
        CHECK(rc == ODR_OK, "odr_close returned %d (%s)", rc, odr_errstr(rc));
        rc = odr_close(round.client);
        CHECK(rc == ODR_ESTATE, "second odr_close returned %d", rc);
        for (int t = 0; t < THREADS; t++) pthread_join(threads[t], NULL);
        total_tracked[r] = atomic_load(&round.tracked);
        /* Give callbacks that (wrongly) outlived the close the time to show themselves, then count. */
        struct timespec pause = { 0, 50000000 };
        nanosleep(&pause, NULL);
        int late = atomic_load(&round.late_callbacks), accepted = atomic_load(&round.async_accepted);
        CHECK(atomic_load(&round.bad_results) == 0, "round %d: %d calls returned another code than ODR_OK or ODR_ESTATE", r, atomic_load(&round.bad_results));
        CHECK(late == 0, "round %d: %d of %d async callbacks ran after odr_close returned", r, late, accepted);
        CHECK(atomic_load(&round.async_done) == accepted, "round %d: %d callbacks for %d accepted calls", r, atomic_load(&round.async_done), accepted);
    }

    /* Every acknowledged event is on disk: odr_close committed them all. */
    odr_client *client = NULL;
    CHECK(odr_open(&config, &client) == ODR_OK, "reopen: %s", odr_last_error());
    static odr_recent_item recent[THREADS * MAX_TRACKS];
    for (int r = 0; r < ROUNDS && client; r++) {
        char user[32];
        snprintf(user, sizeof user, "round-%d", r);
        int32_t count = 0;
        int32_t rc = odr_recent_sequence(client, user, THREADS * MAX_TRACKS, recent, sizeof *recent, &count);
        CHECK(rc == ODR_OK && count == total_tracked[r], "round %d: %d events acknowledged, %d stored (rc %d)", r, total_tracked[r], count, rc);
    }
    odr_close(client);

    CHECK(odr_open(&config, &closing_client) == ODR_OK, "odr_open: %s", odr_last_error());
    CHECK(odr_recommend_async(closing_client, "user", 3, sizeof(odr_recommendation), close_in_callback, NULL) == ODR_OK, "odr_recommend_async");
    while (atomic_load(&close_from_callback) == -1) {
        struct timespec pause = { 0, 1000000 };
        nanosleep(&pause, NULL);
    }
    CHECK(atomic_load(&close_from_callback) == ODR_OK, "odr_close from the async callback returned %d", atomic_load(&close_from_callback));
    int32_t rc = odr_track(closing_client, "user", "item", ODR_EVENT_PLAY, 0, 0);
    CHECK(rc == ODR_ESTATE, "odr_track after odr_close from a callback returned %d", rc);
    return report();
}
