/* Onboarding through the C ABI on a real store without a model: the questions cover the categories with popular
 * items, the answers are events the next odr_recommend uses, and bad input comes back as ODR_EINVAL/ODR_ESTATE
 * with a message, nothing written. Prints "N passed, N failed"; exits non-zero on a failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ondevicereco.h"

static int failures = 0, checks = 0;
#define CHECK_TRUE(cond, ...) do { checks++; if (!(cond)) { failures++; fprintf(stderr, "FAIL line %d: ", __LINE__); \
    fprintf(stderr, __VA_ARGS__); fprintf(stderr, " (last error: %s)\n", odr_last_error() ? odr_last_error() : "none"); } } while (0)
#define EXPECT(expr, code) do { int32_t rc_ = (expr); CHECK_TRUE(rc_ == (code), "%s returned %d, expected %d", #expr, rc_, (code)); } while (0)

static const char *genres[] = { "Action", "Puzzle", "Racing", "Sports" };

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s <database path>\n", argv[0]); return 2; }
    odr_config config;
    memset(&config, 0, sizeof config);
    config.struct_size = sizeof config;
    config.database_path = argv[1];
    config.initial_consent = ODR_CONSENT_LOCAL_ONLY;
    odr_client *client = NULL;
    if (odr_open(&config, &client) != ODR_OK) { fprintf(stderr, "odr_open: %s\n", odr_last_error()); return 1; }

    /* 16 items in 4 categories; item i is played by 16 - i other people, so low ids are popular. */
    char id[32];
    for (int i = 0; i < 16; i++) {
        snprintf(id, sizeof id, "item-%d", i);
        EXPECT(odr_upsert_item(client, id, &genres[i % 4], 1), ODR_OK);
        for (int u = 0; u < 16 - i; u++) {
            char user[32];
            snprintf(user, sizeof user, "other-%d", u);
            EXPECT(odr_track(client, user, id, ODR_EVENT_PLAY, 0, 0), ODR_OK);
        }
    }

    odr_recommendation items[8];
    int32_t n = -1;
    EXPECT(odr_onboarding_items(client, "newcomer", 4, items, sizeof *items, &n), ODR_OK);
    CHECK_TRUE(n == 4, "%d items, expected 4", n);
    CHECK_TRUE(n > 0 && strcmp(items[0].item_id, "item-0") == 0, "first question %s, expected the most popular item-0", n > 0 ? items[0].item_id : "-");
    int seen_genre[4] = { 0 };
    for (int i = 0; i < n; i++) {
        int index = atoi(items[i].item_id + strlen("item-"));
        seen_genre[index % 4]++;
        CHECK_TRUE(items[i].rank == i + 1, "rank %d at %d", items[i].rank, i);
        CHECK_TRUE(items[i].source == ODR_SOURCE_POPULARITY, "source %d without a model", items[i].source);
        CHECK_TRUE(items[i].reason[0] != 0, "empty reason");
        CHECK_TRUE(items[i].request_id[0] == 0 && items[i].is_exploration == 0, "request_id or is_exploration set");
    }
    for (int g = 0; g < 4; g++) CHECK_TRUE(seen_genre[g] == 1, "category %s asked %d times", genres[g], seen_genre[g]);

    /* The answers are events: the liked item's category leads the next recommendation (content), the disliked item
     * is never recommended, and asking again proposes none of the answered items. */
    EXPECT(odr_onboarding_answer(client, "newcomer", items[1].item_id, ODR_ANSWER_LIKED), ODR_OK);
    EXPECT(odr_onboarding_answer(client, "newcomer", items[2].item_id, ODR_ANSWER_DISLIKED), ODR_OK);
    EXPECT(odr_onboarding_answer(client, "newcomer", items[3].item_id, ODR_ANSWER_NOT_SEEN), ODR_OK);
    odr_recommendation recs[5];
    int32_t got = 0;
    EXPECT(odr_recommend(client, "newcomer", 5, recs, sizeof *recs, &got), ODR_OK);
    int liked_genre = atoi(items[1].item_id + strlen("item-")) % 4;
    CHECK_TRUE(got == 5 && recs[0].source == ODR_SOURCE_CONTENT && atoi(recs[0].item_id + strlen("item-")) % 4 == liked_genre,
               "first recommendation %s (source %d) is not content in the liked category", got > 0 ? recs[0].item_id : "-", got > 0 ? recs[0].source : -1);
    for (int i = 0; i < got; i++) {
        CHECK_TRUE(strcmp(recs[i].item_id, items[1].item_id) != 0 && strcmp(recs[i].item_id, items[2].item_id) != 0,
                   "answered item %s recommended", recs[i].item_id);
    }
    odr_recommendation again[8];
    int32_t m = 0;
    EXPECT(odr_onboarding_items(client, "newcomer", 8, again, sizeof *again, &m), ODR_OK);
    for (int i = 0; i < m; i++) {
        for (int j = 1; j < 4; j++) CHECK_TRUE(strcmp(again[i].item_id, items[j].item_id) != 0, "%s asked again", again[i].item_id);
    }

    /* Bad input: an error code and a message, nothing written. */
    n = 7;
    EXPECT(odr_onboarding_items(client, NULL, 4, items, sizeof *items, &n), ODR_EINVAL);
    CHECK_TRUE(n == 0, "out_count not cleared on failure");
    CHECK_TRUE(odr_errmsg(client) && strstr(odr_errmsg(client), "user_id"), "message does not name user_id");
    EXPECT(odr_onboarding_items(client, "", 4, items, sizeof *items, &n), ODR_EINVAL);
    EXPECT(odr_onboarding_items(client, "u", 0, items, sizeof *items, &n), ODR_EINVAL);
    EXPECT(odr_onboarding_items(client, "u", -3, items, sizeof *items, &n), ODR_EINVAL);
    EXPECT(odr_onboarding_items(client, "u", 101, items, sizeof *items, &n), ODR_EINVAL);
    EXPECT(odr_onboarding_items(client, "u", 2147483647, items, sizeof *items, &n), ODR_EINVAL);
    CHECK_TRUE(odr_errmsg(client) && strstr(odr_errmsg(client), "count is 2147483647"), "message does not explain the count");
    EXPECT(odr_onboarding_items(client, "u", 4, NULL, sizeof *items, &n), ODR_EINVAL);
    EXPECT(odr_onboarding_items(client, "u", 4, items, sizeof *items, NULL), ODR_EINVAL);
    EXPECT(odr_onboarding_items(client, "u", 4, items, 8, &n), ODR_EINVAL);
    EXPECT(odr_onboarding_answer(client, "u", "item-0", 0), ODR_EINVAL);
    EXPECT(odr_onboarding_answer(client, "u", "item-0", 99), ODR_EINVAL);
    EXPECT(odr_onboarding_answer(client, NULL, "item-0", ODR_ANSWER_LIKED), ODR_EINVAL);
    EXPECT(odr_onboarding_answer(client, "u", NULL, ODR_ANSWER_LIKED), ODR_EINVAL);
    odr_recent_item recent[4];
    int32_t r = -1;
    EXPECT(odr_recent_sequence(client, "u", 4, recent, sizeof *recent, &r), ODR_OK);
    CHECK_TRUE(r == 0, "refused answers wrote %d events", r);

    /* NULL and closed handles. */
    EXPECT(odr_onboarding_items(NULL, "u", 4, items, sizeof *items, &n), ODR_ESTATE);
    EXPECT(odr_onboarding_answer(NULL, "u", "item-0", ODR_ANSWER_LIKED), ODR_ESTATE);
    EXPECT(odr_close(client), ODR_OK);
    EXPECT(odr_onboarding_items(client, "u", 4, items, sizeof *items, &n), ODR_ESTATE);
    EXPECT(odr_onboarding_answer(client, "u", "item-0", ODR_ANSWER_LIKED), ODR_ESTATE);

    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
