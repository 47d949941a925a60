/* A C host: open a store, record a few plays, ask for recommendations, print them. Exits non-zero on error.
 * Usage: recommend <database path> [bundle dir] [public key pem file] */
/* clock_gettime is POSIX, not C99. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "ondevicereco.h"

static void on_log(void *user_data, int32_t level, const char *message) {
    (void)user_data;
    if (level >= 3) fprintf(stderr, "[odr %d] %s\n", level, message);
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)n + 1);
    if (text && fread(text, 1, (size_t)n, f) != (size_t)n) { free(text); text = NULL; }
    if (text) text[n] = 0;
    fclose(f);
    return text;
}

#define CHECK(call) do { int32_t rc_ = (call); if (rc_ != ODR_OK) { \
    fprintf(stderr, "%s failed: %s (%s)\n", #call, odr_errstr(rc_), odr_errmsg(client) ? odr_errmsg(client) : "?"); \
    odr_close(client); free(key); return 1; } } while (0)

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s <database> [bundle dir] [public key pem]\n", argv[0]); return 2; }
    if (odr_abi_version() < ODR_ABI_VERSION) { fprintf(stderr, "the library is older than this header\n"); return 1; }
    odr_set_log_callback(on_log, NULL);
    char *key = argc > 3 ? read_file(argv[3]) : NULL;

    odr_config config;
    memset(&config, 0, sizeof config);
    config.struct_size = sizeof config;
    config.database_path = argv[1];
    config.trusted_key_pem = key;
    config.initial_consent = ODR_CONSENT_LOCAL_ONLY;

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    odr_client *client = NULL;
    if (odr_open(&config, &client) != ODR_OK) {
        fprintf(stderr, "odr_open failed: %s\n", odr_last_error());
        free(key);
        return 1;
    }
    printf("OnDeviceReco %s (ABI %d)\n", odr_version(), odr_abi_version());
    if (argc > 2) {
        int64_t version = 0;
        CHECK(odr_load_model(client, argv[2], &version));
        printf("model v%lld loaded\n", (long long)version);
    }
    /* MovieLens ids when a model trained on the repo's data is loaded; any ids work without one. */
    const char *played[] = { "1", "260", "1196" };
    for (int i = 0; i < 3; i++) CHECK(odr_track(client, "player-1", played[i], ODR_EVENT_PLAY, 0, 0));
    for (int u = 0; u < 5; u++) CHECK(odr_track(client, "someone-else", "2571", ODR_EVENT_PLAY, 0, 0));
    CHECK(odr_flush(client));

    odr_recommendation results[5];
    int32_t count = 0;
    CHECK(odr_recommend(client, "player-1", 5, results, sizeof *results, &count));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("open to first recommendation (incl. model load, tracking, flush): %.1f ms\n",
           (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6);
    for (int i = 0; i < count; i++) {
        printf("%d. %s score=%.4f source=%d %s\n", results[i].rank, results[i].item_id, results[i].score, results[i].source, results[i].reason);
        CHECK(odr_record_feedback(client, "player-1", &results[i], ODR_EVENT_IMPRESSION)); /* the shelf was shown */
    }
    if (count > 0) CHECK(odr_record_feedback(client, "player-1", &results[0], ODR_EVENT_CLICK));
    /* A brand-new player: ask about a few items that cover the catalogue, record the answers, recommend at once. */
    odr_recommendation questions[3];
    int32_t asked = 0;
    CHECK(odr_onboarding_items(client, "newcomer", 3, questions, sizeof *questions, &asked));
    for (int i = 0; i < asked; i++) {
        printf("onboarding %d. %s (%s)\n", questions[i].rank, questions[i].item_id, questions[i].reason);
        /* Here the player "likes" the first question and knows none of the others. */
        CHECK(odr_onboarding_answer(client, "newcomer", questions[i].item_id, i == 0 ? ODR_ANSWER_LIKED : ODR_ANSWER_NOT_SEEN));
    }
    int32_t welcomed = 0;
    CHECK(odr_recommend(client, "newcomer", 5, results, sizeof *results, &welcomed));
    if (welcomed > 0) printf("newcomer's first recommendation: %s (%s)\n", results[0].item_id, results[0].reason);
    const char *genres[] = { "Action", "Sci-Fi" };
    CHECK(odr_upsert_item(client, "260", genres, 2));
    odr_profile profile;
    CHECK(odr_get_profile(client, "player-1", &profile, sizeof profile));
    printf("profile: %d events, %d sessions\n", profile.total_events, profile.session_count);
    CHECK(odr_close(client));
    free(key);
    return count > 0 ? 0 : 1;
}
