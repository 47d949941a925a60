/* The polling API (odr_recommend_start / odr_poll / odr_request_cancel / odr_request_free) as a frame loop uses
 * it: one answer polled to completion and polled again; 200 requests in flight on one client; cancel before and
 * after the answer; odr_close with 100 requests queued (each then answers ODR_OK or ODR_ECANCELED, none stays
 * pending) and with one being computed (waited for, answers ODR_OK); polls and frees after close, in any order; bad arguments; four threads starting, polling and freeing
 * while the main thread closes the client. It times every odr_poll and odr_recommend_start: their cost is what a
 * frame pays. Usage: poll_requests <database path> */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

enum { IN_FLIGHT = 200, QUEUED_AT_CLOSE = 100, THREADS = 4, MAX_SAMPLES = 1 << 20 };

/* Durations of odr_poll calls in ns, to report the cost a frame pays (worst and 99th percentile). */
static long poll_ns[MAX_SAMPLES];
static atomic_int poll_samples;
static long start_ns[4096];
static int start_samples; /* odr_recommend_start is timed on the main thread only */

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

static int32_t timed_poll(odr_request *request, odr_recommendation *results, int32_t capacity, int32_t *count) {
    long t0 = now_ns();
    int32_t rc = odr_poll(request, results, capacity, sizeof(odr_recommendation), count);
    int i = atomic_fetch_add(&poll_samples, 1);
    if (i < MAX_SAMPLES) poll_ns[i] = now_ns() - t0;
    return rc;
}

static odr_request *timed_start(odr_client *client, const char *user, int32_t count, int32_t *rc) {
    odr_request *request = NULL;
    long t0 = now_ns();
    *rc = odr_recommend_start(client, user, count, &request);
    if (start_samples < 4096) start_ns[start_samples++] = now_ns() - t0;
    return request;
}

static void sleep_ms(int ms) {
    struct timespec pause = { 0, ms * 1000000L };
    nanosleep(&pause, NULL);
}

/* Polls once per "frame" (1 ms) until the answer is there or 10 s have passed; returns the last code. */
static int32_t poll_until_done(odr_request *request, odr_recommendation *results, int32_t capacity, int32_t *count) {
    int32_t rc = ODR_PENDING;
    for (int frame = 0; frame < 10000 && rc == ODR_PENDING; frame++) {
        rc = timed_poll(request, results, capacity, count);
        if (rc == ODR_PENDING) sleep_ms(1);
    }
    return rc;
}

static odr_client *open_client(const char *path) {
    odr_config config = test_config(path);
    config.initial_consent = ODR_CONSENT_LOCAL_ONLY;
    odr_client *client = NULL;
    CHECK(odr_open(&config, &client) == ODR_OK, "odr_open: %s", odr_last_error());
    return client;
}

static void one_answer(odr_client *client) {
    int32_t rc;
    odr_request *request = timed_start(client, "player", 5, &rc);
    CHECK(rc == ODR_OK && request != NULL, "odr_recommend_start: %d %s", rc, odr_errmsg(client));
    odr_recommendation results[5];
    int32_t count = -1;
    rc = poll_until_done(request, results, 5, &count);
    CHECK(rc == ODR_OK && count == 5, "first answer: rc %d, %d items", rc, count);
    for (int i = 0; i < count; i++) CHECK(results[i].rank == i + 1 && results[i].request_id[0] != 0, "item %d: rank %d", i, results[i].rank);
    /* Ready answers are given again, and cut to the caller's capacity. */
    odr_recommendation again[2];
    rc = timed_poll(request, again, 2, &count);
    CHECK(rc == ODR_OK && count == 2 && strcmp(again[0].item_id, results[0].item_id) == 0, "second poll: rc %d, %d items", rc, count);
    CHECK(odr_request_cancel(request) == ODR_OK, "cancel after the answer");
    rc = timed_poll(request, results, 5, &count);
    CHECK(rc == ODR_ECANCELED && count == 0, "poll after cancel: rc %d, %d items", rc, count);
    CHECK(odr_last_error() != NULL && strstr(odr_last_error(), "cancel") != NULL, "cancel message: %s", odr_last_error());
    CHECK(odr_request_free(request) == ODR_OK, "free");
    CHECK(odr_request_free(request) == ODR_ESTATE, "second free");
    CHECK(timed_poll(request, results, 5, &count) == ODR_ESTATE, "poll after free");
    CHECK(odr_request_cancel(request) == ODR_ESTATE, "cancel after free");
}

static void bad_arguments(odr_client *client) {
    odr_request *request = (odr_request *)1;
    CHECK(odr_recommend_start(client, NULL, 5, &request) == ODR_EINVAL && request == NULL, "NULL user_id");
    CHECK(odr_recommend_start(client, "player", 0, &request) == ODR_EINVAL && request == NULL, "count 0");
    CHECK(odr_recommend_start(client, "player", 1001, &request) == ODR_EINVAL, "count 1001");
    CHECK(odr_recommend_start(client, "player", 5, NULL) == ODR_EINVAL, "NULL out_request");
    CHECK(odr_recommend_start(NULL, "player", 5, &request) == ODR_ESTATE && request == NULL, "NULL client");
    odr_recommendation results[1];
    int32_t count = 0;
    CHECK(odr_poll(NULL, results, 1, sizeof *results, &count) == ODR_ESTATE, "poll NULL");
    CHECK(odr_poll((odr_request *)&count, results, 1, sizeof *results, &count) == ODR_ESTATE, "poll of a foreign pointer");
    CHECK(odr_request_cancel(NULL) == ODR_ESTATE, "cancel NULL");
    CHECK(odr_request_free(NULL) == ODR_OK, "free NULL");
    int32_t rc;
    request = timed_start(client, "player", 1, &rc);
    CHECK(odr_poll(request, NULL, 1, sizeof *results, &count) == ODR_EINVAL, "NULL results");
    CHECK(odr_poll(request, results, 0, sizeof *results, &count) == ODR_EINVAL, "capacity 0");
    CHECK(odr_poll(request, results, 1, sizeof *results, NULL) == ODR_EINVAL, "NULL out_count");
    CHECK(odr_poll(request, results, 1, sizeof *results - 1, &count) == ODR_EINVAL, "item_size smaller than odr_recommendation");
    CHECK(odr_request_free(request) == ODR_OK, "free a request that may still be pending");
}

static void many_in_flight(odr_client *client) {
    static odr_request *requests[IN_FLIGHT];
    int32_t rc;
    int started = 0;
    for (int i = 0; i < IN_FLIGHT; i++) {
        char user[32];
        snprintf(user, sizeof user, "player-%d", i % 7);
        requests[i] = timed_start(client, i % 2 ? user : "player", 3, &rc);
        started += rc == ODR_OK;
    }
    CHECK(started == IN_FLIGHT, "%d of %d requests started", started, IN_FLIGHT);
    /* Cancel every tenth while it may still be queued; then poll all round-robin, once per frame, as a game does. */
    for (int i = 0; i < IN_FLIGHT; i += 10) CHECK(odr_request_cancel(requests[i]) == ODR_OK, "cancel %d", i);
    int done = 0, ok = 0, canceled = 0, other = 0;
    int finished[IN_FLIGHT] = { 0 };
    for (int frame = 0; frame < 10000 && done < IN_FLIGHT; frame++) {
        for (int i = 0; i < IN_FLIGHT; i++) {
            if (finished[i]) continue;
            odr_recommendation results[3];
            int32_t count = 0;
            rc = timed_poll(requests[i], results, 3, &count);
            if (rc == ODR_PENDING) continue;
            finished[i] = 1;
            done++;
            if (rc == ODR_OK && count == 3) ok++;
            else if (rc == ODR_ECANCELED && i % 10 == 0) canceled++;
            else other++;
        }
        sleep_ms(1);
    }
    CHECK(done == IN_FLIGHT && ok == IN_FLIGHT - IN_FLIGHT / 10 && canceled == IN_FLIGHT / 10 && other == 0,
          "in flight: %d done, %d answered, %d canceled, %d other", done, ok, canceled, other);
    /* Freed from the last to the first. */
    int freed = 0;
    for (int i = IN_FLIGHT - 1; i >= 0; i--) freed += odr_request_free(requests[i]) == ODR_OK;
    CHECK(freed == IN_FLIGHT, "%d of %d freed", freed, IN_FLIGHT);
}

static void close_while_pending(const char *path) {
    odr_client *client = open_client(path);
    static odr_request *requests[QUEUED_AT_CLOSE];
    int32_t rc;
    for (int i = 0; i < QUEUED_AT_CLOSE; i++) requests[i] = timed_start(client, "player", 5, &rc);
    /* Some are freed before the close, the rest after it, in an interleaved order. */
    for (int i = 0; i < QUEUED_AT_CLOSE; i += 3) { CHECK(odr_request_free(requests[i]) == ODR_OK, "free %d before close", i); requests[i] = NULL; }
    CHECK(odr_close(client) == ODR_OK, "odr_close with requests pending");
    int ok = 0, canceled = 0, other = 0;
    for (int i = 0; i < QUEUED_AT_CLOSE; i++) {
        if (!requests[i]) continue;
        odr_recommendation results[5];
        int32_t count = 0;
        rc = timed_poll(requests[i], results, 5, &count);
        if (rc == ODR_OK && count == 5) ok++;
        else if (rc == ODR_ECANCELED && count == 0 && odr_last_error() && strstr(odr_last_error(), "closed")) canceled++;
        else other++;
    }
    printf("close with %d requests queued: %d had answered, %d were canceled\n", QUEUED_AT_CLOSE - (QUEUED_AT_CLOSE + 2) / 3, ok, canceled);
    CHECK(other == 0, "after close: %d requests neither answered nor canceled (pending or wrong)", other);
    CHECK(odr_recommend_start(client, "player", 5, &requests[0]) == ODR_ESTATE, "start on a closed client");
    sleep_ms(50); /* the queued work runs now against a closed client: it must not touch it, nor change answers */
    int changed = 0;
    for (int i = QUEUED_AT_CLOSE - 1; i >= 1; i--) {
        if (!requests[i]) continue;
        odr_recommendation results[5];
        int32_t count = 0;
        rc = timed_poll(requests[i], results, 5, &count);
        changed += rc != ODR_OK && rc != ODR_ECANCELED;
        CHECK(odr_request_free(requests[i]) == ODR_OK, "free %d after close", i);
    }
    CHECK(changed == 0, "%d answers changed after close", changed);
}

/* A request being computed when odr_close is called is waited for and answers normally. Tracking a burst first
 * makes the work long (it commits the pending events before reading), so it is still running at the close. */
static void close_while_computing(const char *path) {
    odr_client *client = open_client(path);
    char item[32];
    for (int i = 0; i < 20000; i++) {
        snprintf(item, sizeof item, "burst-%d", i % 500);
        odr_track(client, "burst", item, ODR_EVENT_VIEW, 0, 0);
    }
    int32_t rc;
    odr_request *request = timed_start(client, "player", 5, &rc);
    sleep_ms(5); /* the pool picks it up within microseconds; the commit takes tens of milliseconds */
    long t0 = now_ns();
    CHECK(odr_close(client) == ODR_OK, "odr_close while a request is computed");
    printf("odr_close waited %.1f ms for the request being computed\n", (now_ns() - t0) / 1e6);
    odr_recommendation results[5];
    int32_t count = 0;
    rc = timed_poll(request, results, 5, &count);
    CHECK(rc == ODR_OK && count == 5, "the request computed during odr_close answered %d with %d items", rc, count);
    CHECK(odr_request_free(request) == ODR_OK, "free after close");
}

/* Several threads of a host that is not single-threaded, while the main thread closes the client. */
typedef struct { odr_client *client; atomic_int started, bad; } race_state;

static void *racer(void *arg) {
    race_state *race = arg;
    for (int i = 0; i < 2000; i++) {
        odr_request *request = NULL;
        int32_t rc = odr_recommend_start(race->client, "player", 2, &request);
        TALLY(race->bad, rc == ODR_OK || rc == ODR_ESTATE, "start returned %d", rc);
        if (rc != ODR_OK) break;
        atomic_fetch_add(&race->started, 1);
        odr_recommendation results[2];
        int32_t count;
        rc = timed_poll(request, results, 2, &count);
        TALLY(race->bad, rc == ODR_OK || rc == ODR_PENDING || rc == ODR_ECANCELED, "poll returned %d", rc);
        if (i % 3 == 0) { rc = odr_request_cancel(request); TALLY(race->bad, rc == ODR_OK, "cancel returned %d", rc); }
        rc = odr_request_free(request);
        TALLY(race->bad, rc == ODR_OK, "free returned %d", rc);
    }
    return NULL;
}

static void threads_and_close(const char *path) {
    race_state race = { .client = open_client(path) };
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++) pthread_create(&threads[t], NULL, racer, &race);
    while (atomic_load(&race.started) < 400) sleep_ms(1);
    CHECK(odr_close(race.client) == ODR_OK, "odr_close while threads start and poll");
    for (int t = 0; t < THREADS; t++) pthread_join(threads[t], NULL);
    CHECK(atomic_load(&race.bad) == 0, "%d calls returned an unexpected code", atomic_load(&race.bad));
}

static int by_value(const void *a, const void *b) { long x = *(const long *)a, y = *(const long *)b; return (x > y) - (x < y); }

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s <database path>\n", argv[0]); return 2; }
    alarm(240);
    odr_client *client = open_client(argv[1]);
    if (!client) return report();
    const char *played[] = { "a", "b", "c", "d", "e", "f", "g", "h" };
    for (int i = 0; i < 8; i++) for (int j = 0; j <= i; j++) odr_track(client, j % 2 ? "someone" : "other", played[i], ODR_EVENT_PLAY, 0, 0);
    odr_track(client, "player", "a", ODR_EVENT_PLAY, 0, 0);
    CHECK(odr_flush(client) == ODR_OK, "odr_flush");
    one_answer(client);
    bad_arguments(client);
    many_in_flight(client);
    CHECK(odr_close(client) == ODR_OK, "odr_close");
    close_while_pending(argv[1]);
    close_while_computing(argv[1]);
    threads_and_close(argv[1]);

    int n = atomic_load(&poll_samples) < MAX_SAMPLES ? atomic_load(&poll_samples) : MAX_SAMPLES, s = start_samples;
    qsort(poll_ns, (size_t)n, sizeof poll_ns[0], by_value);
    qsort(start_ns, (size_t)s, sizeof start_ns[0], by_value);
    long p99 = n ? poll_ns[n * 99 / 100] : 0;
    printf("odr_poll: %d calls, median %.2f µs, 99th percentile %.2f µs, worst %.1f µs\n",
           n, n ? poll_ns[n / 2] / 1000.0 : 0, p99 / 1000.0, n ? poll_ns[n - 1] / 1000.0 : 0);
    printf("odr_recommend_start: %d calls, median %.2f µs, 99th percentile %.2f µs, worst %.1f µs (the first starts the pool's threads)\n",
           s, s ? start_ns[s / 2] / 1000.0 : 0, s ? start_ns[s * 99 / 100] / 1000.0 : 0, s ? start_ns[s - 1] / 1000.0 : 0);
    /* A frame at 60 fps has 16.7 ms; a poll must cost a negligible part of it (the worst case includes preemption). */
    CHECK(p99 < 100000, "odr_poll 99th percentile %.1f µs", p99 / 1000.0);
    return report();
}
