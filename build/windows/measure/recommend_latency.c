/* The numbers of docs/windows.md, from one C program built for Linux (against libondevicereco.so) and for Windows
 * (against ondevicereco.dll, run under Wine): open → first recommendation (open, load the signed model, one event,
 * Recommend) with where its time goes, and the latency of odr_recommend(user, 10) over many calls (median and p90).
 * The breakdown's first step, odr_abi_version, is the first call into the library: on Windows it starts the .NET
 * runtime (which odr_open would otherwise do), on Linux it costs nothing.
 * Usage: recommend_latency <database path> <bundle dir> <public key PEM file> [calls] */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include "ondevicereco.h"
#ifdef _WIN32
#include <windows.h>
static double now_ms(void) {
    LARGE_INTEGER frequency, counter;
    QueryPerformanceFrequency(&frequency);
    QueryPerformanceCounter(&counter);
    return 1000.0 * (double)counter.QuadPart / (double)frequency.QuadPart;
}
#else
#include <time.h>
static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return 1000.0 * (double)t.tv_sec + (double)t.tv_nsec / 1e6;
}
#endif

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s <database path> <bundle dir> <public key PEM file> [calls]\n", argv[0]); return 2; }
    int calls = argc > 4 ? atoi(argv[4]) : 5000;
    static char pem[8192];
    FILE *f = fopen(argv[3], "rb");
    if (!f) { perror(argv[3]); return 2; }
    pem[fread(pem, 1, sizeof pem - 1, f)] = 0;
    fclose(f);

    double start = now_ms();
    int32_t abi = odr_abi_version();
    double started = now_ms();
    odr_config config = { .struct_size = sizeof config, .database_path = argv[1], .trusted_key_pem = pem,
                          .initial_consent = ODR_CONSENT_LOCAL_ONLY };
    odr_client *client = NULL;
    int64_t version = 0;
    odr_recommendation results[10];
    int32_t count = 0;
    double opened = 0, loaded = 0, tracked = 0, first = 0;
    if (abi == 0 || odr_open(&config, &client) != ODR_OK || (opened = now_ms(), odr_load_model(client, argv[2], &version)) != ODR_OK
        || (loaded = now_ms(), odr_track(client, "player", "1", ODR_EVENT_PLAY, 0, 0)) != ODR_OK
        || (tracked = now_ms(), odr_recommend(client, "player", 10, results, sizeof results[0], &count)) != ODR_OK || count != 10) {
        fprintf(stderr, "failed: %s\n", client ? odr_errmsg(client) : odr_last_error());
        return 1;
    }
    first = now_ms();
    printf("start %.1f ms, open %.1f ms, load model %.1f ms, track %.1f ms, first recommend %.1f ms\n", started - start,
           opened - started, loaded - opened, tracked - loaded, first - tracked);
    first -= start;

    double *took = malloc(sizeof *took * (size_t)calls);
    for (int i = 0; i < calls; i++) {
        double t0 = now_ms();
        odr_recommend(client, "player", 10, results, sizeof results[0], &count);
        took[i] = now_ms() - t0;
    }
    qsort(took, (size_t)calls, sizeof *took, by_value);
    printf("model v%lld: open to first recommendation %.1f ms; odr_recommend(10) over %d calls: median %.1f us, p90 %.1f us\n",
           (long long)version, first, calls, 1000.0 * took[calls / 2], 1000.0 * took[calls * 9 / 10]);
    free(took);
    odr_close(client);
    return 0;
}
