/* Strings that end right before an unmapped page. C only promises the bytes up to the NUL: a library that
 * reads one byte further (a wide vector load, a fixed-size copy) crashes the host with SIGSEGV. Every string
 * argument here is placed so that its NUL is the last readable byte of a page followed by a PROT_NONE page.
 * Usage: string_edges <database path> */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "ondevicereco.h"
#include "check.h"

/* A copy of text whose NUL is the last byte before a PROT_NONE page. The mapping is never unmapped: the test is short. */
static const char *at_page_end(const char *text) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE), size = strlen(text) + 1;
    char *pages = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pages == MAP_FAILED || size > page || mprotect(pages + page, page, PROT_NONE) != 0) { perror("mmap"); exit(2); }
    char *copy = pages + page - size;
    memcpy(copy, text, size);
    return copy;
}

/* A string of n copies of c, ending at a page end. */
static const char *repeated_at_page_end(char c, size_t n) {
    char *text = malloc(n + 1);
    memset(text, c, n);
    text[n] = 0;
    const char *edge = at_page_end(text);
    free(text);
    return edge;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s <database path>\n", argv[0]); return 2; }
    alarm(120);
    odr_config config = test_config(at_page_end(argv[1]));
    config.trusted_key_pem = at_page_end("not a pem");
    odr_client *client = NULL;
    int32_t rc = odr_open(&config, &client);
    CHECK(rc == ODR_EINVAL, "odr_open with a bad key at a page end returned %d", rc);
    config.trusted_key_pem = NULL;
    config.sync_url = at_page_end("http://127.0.0.1:9/");
    config.sync_api_key = at_page_end("key");
    rc = odr_open(&config, &client);
    CHECK(rc == ODR_OK, "odr_open with database_path, sync_url, sync_api_key at page ends returned %d: %s", rc, odr_last_error());
    if (rc != ODR_OK) return report();

    const char *user = at_page_end("user"), *item = at_page_end("item-1");
    rc = odr_track(client, user, item, ODR_EVENT_PLAY, 0, 0);
    CHECK(rc == ODR_OK, "odr_track returned %d", rc);
    const char *longest = repeated_at_page_end('u', ODR_MAX_ID_BYTES);
    rc = odr_track(client, longest, item, ODR_EVENT_PLAY, 0, 0);
    CHECK(rc == ODR_OK, "odr_track with a %d-byte user id at a page end returned %d", ODR_MAX_ID_BYTES, rc);
    rc = odr_track(client, repeated_at_page_end('u', ODR_MAX_ID_BYTES + 1), item, ODR_EVENT_PLAY, 0, 0);
    CHECK(rc == ODR_EINVAL, "odr_track with a %d-byte user id returned %d", ODR_MAX_ID_BYTES + 1, rc);
    CHECK(odr_flush(client) == ODR_OK, "odr_flush");

    odr_recommendation results[4];
    int32_t count = 0;
    rc = odr_recommend(client, at_page_end("someone"), 4, results, sizeof *results, &count);
    CHECK(rc == ODR_OK && count == 1, "odr_recommend returned %d with %d items", rc, count);
    odr_recent_item recent[4];
    rc = odr_recent_sequence(client, user, 4, recent, sizeof *recent, &count);
    CHECK(rc == ODR_OK && count == 1 && strcmp(recent[0].item_id, "item-1") == 0, "odr_recent_sequence returned %d with %d items", rc, count);
    odr_profile profile;
    rc = odr_get_profile(client, longest, &profile, sizeof profile);
    CHECK(rc == ODR_OK && profile.total_events == 1, "odr_get_profile returned %d, %d events", rc, profile.total_events);
    const char *categories[] = { at_page_end("Racing"), at_page_end("Casual") };
    rc = odr_upsert_item(client, at_page_end("item-1"), categories, 2);
    CHECK(rc == ODR_OK, "odr_upsert_item returned %d", rc);
    rc = odr_load_model(client, at_page_end("/nonexistent-bundle"), NULL);
    CHECK(rc == ODR_EREFUSED, "odr_load_model returned %d", rc);
    if (count > 0) {
        odr_recommendation shown = results[0];
        rc = odr_record_feedback(client, user, &shown, ODR_EVENT_CLICK);
        CHECK(rc == ODR_OK, "odr_record_feedback returned %d: %s", rc, odr_errmsg(client));
    }
    CHECK(odr_close(client) == ODR_OK, "odr_close");
    return report();
}
