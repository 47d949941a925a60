/* What a C host pays to hold a model: resident memory (VmRSS) and wall time of odr_open, odr_load_model and the
 * first odr_recommend, for one signed bundle, in a fresh process. Built and run by bench/native/model-memory.sh
 * against dist/ only, as a game would link the library.
 *
 *   model_memory BUNDLE_DIR PUBLIC_KEY.pem WORK_DIR
 *
 * Prints one JSON line: rss before open, after open, after load, after the first recommendation (MiB), and the
 * times (ms). The model's cost is rss_loaded - rss_opened: the library, SQLite and ONNX Runtime are already resident
 * after odr_open, so what remains is the bundle (verified bytes held once, item list, ONNX session). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ondevicereco.h"

static double resident_mib(void)
{
    FILE *status = fopen("/proc/self/status", "r");
    char line[256];
    double kib = -1;
    while (status && fgets(line, sizeof line, status))
        if (strncmp(line, "VmRSS:", 6) == 0) kib = strtod(line + 6, NULL);
    if (status) fclose(status);
    return kib / 1024.0;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static char *read_text(const char *path)
{
    FILE *file = fopen(path, "rb");
    if (!file) return NULL;
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    rewind(file);
    char *text = malloc((size_t)size + 1);
    if (text && fread(text, 1, (size_t)size, file) == (size_t)size) text[size] = '\0';
    else { free(text); text = NULL; }
    fclose(file);
    return text;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s BUNDLE_DIR PUBLIC_KEY.pem WORK_DIR\n", argv[0]);
        return 2;
    }
    char *pem = read_text(argv[2]);
    if (!pem) { fprintf(stderr, "cannot read %s\n", argv[2]); return 2; }
    char db[4096];
    snprintf(db, sizeof db, "%s/model_memory.db", argv[3]);

    double rss_start = resident_mib();
    double t0 = now_ms();
    odr_config config = { .struct_size = sizeof config, .database_path = db, .trusted_key_pem = pem };
    odr_client *client = NULL;
    if (odr_open(&config, &client) != ODR_OK) { fprintf(stderr, "open: %s\n", odr_last_error()); return 1; }
    /* The benchmark's bundles name items sku-1 … sku-N: a history the model knows, so the first answer after the
     * load is the model's (user vector + search of the whole table), not a fallback. */
    odr_track(client, "player-1", "sku-1", ODR_EVENT_PLAY, 0, 0);
    odr_track(client, "player-1", "sku-2", ODR_EVENT_PLAY, 0, 0);
    odr_track(client, "player-1", "sku-3", ODR_EVENT_PLAY, 0, 0);
    odr_recommendation warm[10];
    int32_t n = 0;
    odr_recommend(client, "player-1", 10, warm, sizeof *warm, &n); /* popularity path: managed code warmed, no model */
    double t1 = now_ms();
    double rss_opened = resident_mib();

    int64_t version = 0;
    double t2 = now_ms();
    if (odr_load_model(client, argv[1], &version) != ODR_OK) { fprintf(stderr, "load: %s\n", odr_errmsg(client)); return 1; }
    double t3 = now_ms();
    double rss_loaded = resident_mib();
    odr_recommendation recs[10];
    if (odr_recommend(client, "player-1", 10, recs, sizeof *recs, &n) != ODR_OK) { fprintf(stderr, "recommend: %s\n", odr_errmsg(client)); return 1; }
    double t4 = now_ms();
    double rss_first = resident_mib();
    int model_served = n > 0 && recs[0].source == ODR_SOURCE_MODEL;

    printf("{\"bundle\":\"%s\",\"rss_start_mib\":%.1f,\"rss_opened_mib\":%.1f,\"rss_loaded_mib\":%.1f,\"rss_first_mib\":%.1f,"
           "\"model_mib\":%.1f,\"open_ms\":%.1f,\"load_ms\":%.1f,\"first_recommend_ms\":%.2f,\"load_to_first_ms\":%.1f,\"results\":%d,\"model_served\":%s}\n",
           argv[1], rss_start, rss_opened, rss_loaded, rss_first, rss_first - rss_opened, t1 - t0, t3 - t2, t4 - t3, t4 - t2, n, model_served ? "true" : "false");
    odr_close(client);
    free(pem);
    return model_served ? 0 : 1;
}
