/* Every kind of bad input through the C ABI must come back as an error code with a message: never a crash,
 * never an escaped exception (which would abort this process). Exits 0 when all checks pass.
 * With a second argument, every checked call's code and message is also written to that file, one line each, so that
 * two platforms' answers can be compared line by line (build/windows-tests.sh: Windows under Wine against Linux). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include "ondevicereco.h"

static int failures = 0, checks = 0;
static FILE *transcript;
/* Set around a call whose message quotes the operating system (a socket error: Linux says "Connection refused",
 * Windows "Connection refused."): the transcript records its code and not those words, which are the platform's. */
static int platform_words;
static void note(int line, const char *call, int32_t rc) {
    const char *message = rc == ODR_OK ? "" : platform_words ? "(the operating system's words)" : odr_last_error() ? odr_last_error() : "";
    if (transcript) fprintf(transcript, "line %d: %s -> %d %s\n", line, call, rc, message);
}
#define EXPECT(expr, code) do { int32_t rc_ = (expr); checks++; note(__LINE__, #expr, rc_); if (rc_ != (code)) { failures++; \
    fprintf(stderr, "FAIL line %d: %s returned %d (%s), expected %d; message: %s\n", __LINE__, #expr, rc_, odr_errstr(rc_), (code), \
            odr_last_error() ? odr_last_error() : "(none)"); } } while (0)
#define EXPECT_MESSAGE() do { checks++; if (!odr_last_error() || !*odr_last_error()) { failures++; \
    fprintf(stderr, "FAIL line %d: no error message\n", __LINE__); } } while (0)

/* The last error message speaks the header's language: names a C caller passed, no .NET parameter syntax. */
#define EXPECT_MESSAGE_HAS(part) do { const char *m_ = odr_last_error(); checks++; \
    if (!m_ || !strstr(m_, (part)) || strstr(m_, "(Parameter") || strstr(m_, "Actual value")) { failures++; \
    fprintf(stderr, "FAIL line %d: message \"%s\" lacks \"%s\" or speaks .NET\n", __LINE__, m_ ? m_ : "(none)", (part)); } } while (0)

#define EXPECT_TEXT(code, part) do { checks++; if (!strstr(odr_errstr(code), (part))) { failures++; \
    fprintf(stderr, "FAIL line %d: odr_errstr(%s) is \"%s\", lacks \"%s\"\n", __LINE__, #code, odr_errstr(code), (part)); } } while (0)

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s <database path> [transcript file]\n", argv[0]); return 2; }
    if (argc > 2 && !(transcript = fopen(argv[2], "w"))) { perror(argv[2]); return 2; }
    odr_config config;
    memset(&config, 0, sizeof config);
    config.struct_size = sizeof config;
    config.database_path = argv[1];
    odr_client *client = (odr_client *)0x1;

    /* odr_open */
    EXPECT(odr_open(NULL, &client), ODR_EINVAL); EXPECT_MESSAGE();
    EXPECT(odr_open(&config, NULL), ODR_EINVAL);
    odr_config small = config; small.struct_size = 4;
    EXPECT(odr_open(&small, &client), ODR_EINVAL); EXPECT_MESSAGE_HAS("config->struct_size is 4; set it to sizeof(odr_config)");
    checks++; if (client != NULL) { failures++; fprintf(stderr, "FAIL: out_client not cleared on failure\n"); }
    odr_config nopath = config; nopath.database_path = NULL;
    EXPECT(odr_open(&nopath, &client), ODR_EINVAL);
    odr_config badconsent = config; badconsent.initial_consent = 42;
    EXPECT(odr_open(&badconsent, &client), ODR_EINVAL);
    odr_config missing_dir = config; missing_dir.database_path = "/nonexistent-dir/x/y.db";
    EXPECT(odr_open(&missing_dir, &client), ODR_EIO); EXPECT_MESSAGE();
    odr_config badkey = config; badkey.trusted_key_pem = "not a pem";
    EXPECT(odr_open(&badkey, &client), ODR_EINVAL);

    EXPECT(odr_open(&config, &client), ODR_OK);

    /* strings */
    char invalid_utf8[] = { 'a', (char)0xC3, (char)0x28, 0 };
    char *oversize = malloc(300); memset(oversize, 'x', 299); oversize[299] = 0;
    char *unterminated = malloc(4096); memset(unterminated, 'y', 4096); /* no NUL within the limit */
    EXPECT(odr_track(client, NULL, "item", ODR_EVENT_PLAY, 0, 0), ODR_EINVAL); EXPECT_MESSAGE_HAS("user_id is NULL");
    EXPECT(odr_track(client, "user", NULL, ODR_EVENT_PLAY, 0, 0), ODR_EINVAL); EXPECT_MESSAGE_HAS("item_id is NULL");
    EXPECT(odr_track(client, "", "item", ODR_EVENT_PLAY, 0, 0), ODR_EINVAL); EXPECT_MESSAGE_HAS("user_id must not be empty");
    EXPECT(odr_track(client, " ", "item", ODR_EVENT_PLAY, 0, 0), ODR_EINVAL); EXPECT_MESSAGE_HAS("user_id holds only white space");
    EXPECT(odr_track(client, invalid_utf8, "item", ODR_EVENT_PLAY, 0, 0), ODR_EINVAL);
    EXPECT(odr_track(client, "user", oversize, ODR_EVENT_PLAY, 0, 0), ODR_EINVAL);
    EXPECT(odr_track(client, "user", unterminated, ODR_EVENT_PLAY, 0, 0), ODR_EINVAL);
    checks++; if (!odr_errmsg(client) || !strstr(odr_errmsg(client), "longer")) { failures++; fprintf(stderr, "FAIL: odr_errmsg(client) does not explain\n"); }
    /* numbers */
    EXPECT(odr_track(client, "user", "item", 0, 0, 0), ODR_EINVAL);
    EXPECT(odr_track(client, "user", "item", 5000, 0, 0), ODR_EINVAL);
    EXPECT(odr_track(client, "user", "item", ODR_EVENT_RATE, 0.0 / 0.0, 0), ODR_EINVAL);
    EXPECT(odr_track(client, "user", "item", ODR_EVENT_PLAY, 0, -5), ODR_EINVAL);
    EXPECT(odr_track(client, "user", "item", ODR_EVENT_PLAY, 0, INT64_MAX / 2), ODR_EINVAL);
    odr_recommendation results[4];
    int32_t count = -1;
    EXPECT(odr_recommend(client, "user", 0, results, sizeof *results, &count), ODR_EINVAL); EXPECT_MESSAGE_HAS("count");
    EXPECT(odr_recommend(client, "user", -3, results, sizeof *results, &count), ODR_EINVAL);
    EXPECT(odr_recommend(client, "user", 1 << 30, results, sizeof *results, &count), ODR_EINVAL);
    EXPECT(odr_recommend(client, "user", 4, NULL, sizeof *results, &count), ODR_EINVAL);
    EXPECT(odr_recommend(client, "user", 4, results, sizeof *results, NULL), ODR_EINVAL);
    EXPECT(odr_recommend(client, "user", 4, results, sizeof *results - 8, &count), ODR_EINVAL); EXPECT_MESSAGE_HAS("item_size");
    EXPECT(odr_recommend(client, "user", 4, results, 0, &count), ODR_EINVAL);
    EXPECT(odr_recommend_async(client, "user", 4, sizeof *results, NULL, NULL), ODR_EINVAL);
    EXPECT(odr_recent_sequence(client, "user", 0, NULL, sizeof(odr_recent_item), &count), ODR_EINVAL);
    odr_recent_item one_recent;
    EXPECT(odr_recent_sequence(client, "user", 0, &one_recent, sizeof one_recent, &count), ODR_EINVAL); EXPECT_MESSAGE_HAS("max_items");
    EXPECT(odr_get_profile(client, "user", NULL, sizeof(odr_profile)), ODR_EINVAL);
    odr_profile small_profile;
    EXPECT(odr_get_profile(client, "user", &small_profile, 4), ODR_EINVAL); EXPECT_MESSAGE_HAS("profile_size is 4");
    EXPECT(odr_set_consent(client, 9), ODR_EINVAL);
    EXPECT(odr_get_consent(client, NULL), ODR_EINVAL);
    EXPECT(odr_load_model(client, "/nonexistent-bundle", NULL), ODR_EREFUSED);
    odr_recommendation forged;
    memset(&forged, 0, sizeof forged);
    EXPECT(odr_record_feedback(client, "user", NULL, ODR_EVENT_CLICK), ODR_EINVAL);
    EXPECT(odr_record_feedback(client, "user", &forged, ODR_EVENT_CLICK), ODR_EINVAL); /* empty ids, rank 0 */
    memset(forged.request_id, 'r', sizeof forged.request_id);                         /* unterminated */
    strcpy(forged.item_id, "item"); forged.rank = 1;
    EXPECT(odr_record_feedback(client, "user", &forged, ODR_EVENT_CLICK), ODR_EINVAL);
    strcpy(forged.request_id, "abc"); forged.source = 7;
    EXPECT(odr_record_feedback(client, "user", &forged, ODR_EVENT_CLICK), ODR_EINVAL);
    const char *cats[] = { "ok", "bad|name" };
    EXPECT(odr_upsert_item(client, "item", cats, 2), ODR_EINVAL);
    EXPECT(odr_upsert_item(client, "item", NULL, 1), ODR_EINVAL);
    EXPECT(odr_upsert_item(client, "item", cats, -1), ODR_EINVAL);
    EXPECT(odr_upsert_item(client, "item", cats, 33), ODR_EINVAL);
    EXPECT(odr_upsert_item(client, NULL, cats, 1), ODR_EINVAL);
    /* nothing bad was written */
    EXPECT(odr_flush(client), ODR_OK);
    odr_recent_item recent[8];
    EXPECT(odr_recent_sequence(client, "user", 8, recent, sizeof *recent, &count), ODR_OK);
    checks++; if (count != 0) { failures++; fprintf(stderr, "FAIL: a bad event was recorded (%d items)\n", count); }
    /* good calls still work */
    EXPECT(odr_track(client, "user", "item", ODR_EVENT_PLAY, 1.5, 0), ODR_OK);
    EXPECT(odr_recommend(client, "user", 4, results, sizeof *results, &count), ODR_OK);
    EXPECT(odr_upsert_item(client, "item", cats, 1), ODR_OK);
    forged.source = ODR_SOURCE_POPULARITY;
    EXPECT(odr_record_feedback(client, "user", &forged, ODR_EVENT_IMPRESSION), ODR_OK);

    /* odr_profile describes the profile window (the newest 5,000 events), not the lifetime total */
    char window_item[32];
    int tracked = 0;
    for (int i = 0; i < 5010; i++) {
        snprintf(window_item, sizeof window_item, "w-%d", i);
        tracked += odr_track(client, "window-user", window_item, ODR_EVENT_VIEW, 0, 0) == ODR_OK;
    }
    checks++; if (tracked != 5010) { failures++; fprintf(stderr, "FAIL: %d of 5,010 events tracked\n", tracked); }
    EXPECT(odr_flush(client), ODR_OK);
    odr_profile profile;
    EXPECT(odr_get_profile(client, "window-user", &profile, sizeof profile), ODR_OK);
    checks++; if (profile.total_events != 5000) { failures++; fprintf(stderr, "FAIL: total_events %d after 5,010 events\n", profile.total_events); }

    /* handles */
    odr_client *foreign = (odr_client *)oversize;
    EXPECT(odr_track(foreign, "user", "item", ODR_EVENT_PLAY, 0, 0), ODR_ESTATE);
    EXPECT(odr_flush(NULL), ODR_ESTATE);
    /* sync: not configured, NULL result, bad settings, unreachable server, no consent */
    odr_sync_result sync_result;
    EXPECT(odr_sync(client, &sync_result, sizeof sync_result), ODR_ESTATE); EXPECT_MESSAGE_HAS("config->sync_url");
    EXPECT(odr_sync(client, NULL, sizeof sync_result), ODR_EINVAL);
    EXPECT(odr_sync(client, &sync_result, 8), ODR_EINVAL); EXPECT_MESSAGE_HAS("result_size");
    EXPECT(odr_sync(NULL, &sync_result, sizeof sync_result), ODR_ESTATE);
    char sync_path[4096];
    snprintf(sync_path, sizeof sync_path, "%s-sync", argv[1]);
    odr_config sync_config = config;
    sync_config.database_path = sync_path;
    sync_config.sync_url = "not an address";
    sync_config.sync_api_key = "key";
    odr_client *sync_client = NULL;
    EXPECT(odr_open(&sync_config, &sync_client), ODR_EINVAL); EXPECT_MESSAGE();
    sync_config.sync_url = "ftp://127.0.0.1/";
    EXPECT(odr_open(&sync_config, &sync_client), ODR_EINVAL);
    sync_config.sync_url = "http://127.0.0.1:9/";
    sync_config.sync_api_key = NULL;
    EXPECT(odr_open(&sync_config, &sync_client), ODR_EINVAL);
    sync_config.sync_api_key = "key";
    sync_config.sync_max_attempts = -1;
    EXPECT(odr_open(&sync_config, &sync_client), ODR_EINVAL);
    sync_config.sync_max_attempts = 1;
    sync_config.initial_consent = ODR_CONSENT_GRANTED;
    EXPECT(odr_open(&sync_config, &sync_client), ODR_OK);
    EXPECT(odr_track(sync_client, "user", "item", ODR_EVENT_PLAY, 0, 0), ODR_OK);
    platform_words = 1;
    EXPECT(odr_sync(sync_client, &sync_result, sizeof sync_result), ODR_EIO); EXPECT_MESSAGE();
    platform_words = 0;
    checks++; if (sync_result.status != ODR_SYNC_UNREACHABLE || sync_result.events_sent != 0) { failures++;
        fprintf(stderr, "FAIL: unreachable server gave status %d, sent %d\n", sync_result.status, sync_result.events_sent); }
    EXPECT(odr_set_consent(sync_client, ODR_CONSENT_LOCAL_ONLY), ODR_OK);
    EXPECT(odr_sync(sync_client, &sync_result, sizeof sync_result), ODR_ECONSENT);
    checks++; if (sync_result.status != ODR_SYNC_NO_CONSENT) { failures++; fprintf(stderr, "FAIL: no-consent status %d\n", sync_result.status); }
    checks++; if (!odr_errmsg(sync_client) || !strstr(odr_errmsg(sync_client), "onsent")) { failures++; fprintf(stderr, "FAIL: no-consent sync message\n"); }
    EXPECT(odr_close(sync_client), ODR_OK);
    /* A caller built against a newer header passes a larger odr_config: its extra fields must be zero (this
     * library cannot honour them), and then it opens. */
    struct { odr_config base; int64_t later_field; } newer;
    memset(&newer, 0, sizeof newer);
    newer.base = config;
    newer.base.database_path = sync_path;
    newer.base.struct_size = sizeof newer;
    newer.later_field = 7;
    EXPECT(odr_open(&newer.base, &sync_client), ODR_EINVAL); EXPECT_MESSAGE_HAS("does not know");
    newer.later_field = 0;
    EXPECT(odr_open(&newer.base, &sync_client), ODR_OK);
    EXPECT(odr_close(sync_client), ODR_OK);
    odr_config huge = config; huge.struct_size = 1u << 30;
    EXPECT(odr_open(&huge, &sync_client), ODR_EINVAL);

    EXPECT(odr_close(client), ODR_OK);
    EXPECT(odr_track(client, "user", "item", ODR_EVENT_PLAY, 0, 0), ODR_ESTATE);
    EXPECT(odr_close(client), ODR_ESTATE);
    EXPECT(odr_close(NULL), ODR_OK);
    checks++; if (strcmp(odr_errstr(ODR_EINVAL), "invalid argument") != 0) { failures++; fprintf(stderr, "FAIL: odr_errstr\n"); }
    checks++; if (!odr_errstr(12345)) { failures++; }
    /* Each code's text is true of every call that returns it: odr_sync's refusals and consent stops included. */
    EXPECT_TEXT(ODR_EREFUSED, "model"); EXPECT_TEXT(ODR_EREFUSED, "server refused the sync");
    EXPECT_TEXT(ODR_ECONSENT, "event not recorded"); EXPECT_TEXT(ODR_ECONSENT, "sync stopped");
    EXPECT_TEXT(ODR_ESTATE, "closed"); EXPECT_TEXT(ODR_ESTATE, "sync is not configured");
    EXPECT_TEXT(ODR_EIO, "I/O");

    free(oversize);
    free(unterminated);
    if (transcript) fclose(transcript);
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
