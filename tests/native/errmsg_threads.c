/* Several threads fail on the same handle at once, each with its own message, and read odr_errmsg(client)
 * right after: the message must be the calling thread's own, readable and intact, however the other threads'
 * failures interleave. (Run with MALLOC_PERTURB_ set, a message freed under a reader reads as garbage.)
 * Usage: errmsg_threads <database path> */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ondevicereco.h"
#include "check.h"

enum { THREADS = 4, FAILURES = 3000 };

static odr_client *client;

static void *worker(void *arg) {
    int thread = (int)(intptr_t)arg;
    int wrong = 0, wrong_thread = 0;
    const char *example = NULL;
    for (int i = 0; i < FAILURES; i++) {
        /* count is refused and the message quotes it, "('-<thread><i>')", unique to this call. */
        int32_t count = -(thread * 1000000 + i + 1);
        char expected[32];
        snprintf(expected, sizeof expected, "('%d')", count);
        odr_recommendation results[1];
        int32_t n;
        int32_t rc = odr_recommend(client, "user", count, results, sizeof *results, &n);
        const char *message = odr_errmsg(client);
        char copy[512] = "(null)";
        if (message) {
            size_t length = strlen(message);
            memcpy(copy, message, length < sizeof copy - 1 ? length : sizeof copy - 1);
        }
        if (rc != ODR_EINVAL || !message || !strstr(copy, expected)) {
            if (!wrong++) example = message ? strdup(copy) : "(null)";
        }
        const char *own = odr_last_error();
        if (!own || !strstr(own, expected)) wrong_thread++;
    }
    CHECK(wrong == 0, "thread %d: %d of %d odr_errmsg(client) were not this thread's message, e.g. \"%s\"", thread, wrong, FAILURES, example);
    CHECK(wrong_thread == 0, "thread %d: %d of %d odr_last_error() were not this thread's message", thread, wrong_thread, FAILURES);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s <database path>\n", argv[0]); return 2; }
    alarm(120);
    odr_config config = test_config(argv[1]);
    CHECK(odr_open(&config, &client) == ODR_OK, "odr_open: %s", odr_last_error());
    if (!client) return report();
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++) pthread_create(&threads[t], NULL, worker, (void *)(intptr_t)(t + 1));
    for (int t = 0; t < THREADS; t++) pthread_join(threads[t], NULL);

    /* A thread that never failed on this handle gets NULL or an old message of its own, never another thread's. */
    const char *mine = odr_errmsg(client);
    CHECK(mine == NULL || !strstr(mine, "Actual value"), "main thread sees another thread's message: %s", mine);
    /* Valid until this thread's next call on the handle: another thread's failures do not touch it. */
    int32_t n;
    odr_recommendation results[1];
    CHECK(odr_recommend(client, "user", -42, results, sizeof *results, &n) == ODR_EINVAL, "count -42 accepted");
    const char *held = odr_errmsg(client);
    pthread_t other;
    pthread_create(&other, NULL, worker, (void *)(intptr_t)9);
    pthread_join(other, NULL);
    CHECK(held && strstr(held, "('-42')") && odr_errmsg(client) == held, "this thread's message changed under another thread's failures");
    CHECK(odr_close(client) == ODR_OK, "odr_close");
    return report();
}
