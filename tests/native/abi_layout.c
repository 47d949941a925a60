/* The ABI's layout, frozen: every offset and size of every struct in ondevicereco.h is asserted at compile time,
 * so a reordered, resized or inserted field fails the build (build/native.sh and the archives' ctest compile this
 * file). Structs are append-only (see "How the structs grow" in the header): a field appended at the end adds a
 * line here and changes only the sizeof assert. The run-time half checks the library's side of the same layout:
 * what it writes lands in these fields, at the caller's stride, zero-filling bytes past its own layout, and the
 * library reports the header's ODR_ABI_VERSION. (What each version added is in abi_manifest.txt, which
 * OnDeviceReco.Tests compares with the header, so a field added here without a new ODR_ABI_VERSION fails there.) */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

#define AT(type, field, offset) static_assert(offsetof(type, field) == (offset), #type "." #field " moved")
#define SIZE(type, size) static_assert(sizeof(type) == (size), "sizeof(" #type ") changed")

#if UINTPTR_MAX == UINT64_MAX
AT(odr_config, struct_size, 0);
AT(odr_config, initial_consent, 4);
AT(odr_config, database_path, 8);
AT(odr_config, trusted_key_pem, 16);
AT(odr_config, sync_url, 24);
AT(odr_config, sync_api_key, 32);
AT(odr_config, max_events, 40);
AT(odr_config, flush_interval_ms, 48);
AT(odr_config, inference_threads, 52);
AT(odr_config, sync_interval_s, 56);
AT(odr_config, sync_max_attempts, 60);
AT(odr_config, sync_context, 64);
AT(odr_config, sync_value, 68);
AT(odr_config, sync_time, 72);
SIZE(odr_config, 80);
#else
#error "the layout asserts are written for 64-bit targets (LP64); add the 32-bit offsets before shipping one"
#endif

AT(odr_sync_result, status, 0);
AT(odr_sync_result, events_sent, 4);
AT(odr_sync_result, events_already_on_server, 8);
AT(odr_sync_result, batches, 12);
AT(odr_sync_result, attempts, 16);
AT(odr_sync_result, http_status, 20);
AT(odr_sync_result, model_version, 24);
AT(odr_sync_result, model_updated, 32);
AT(odr_sync_result, retry_after_ms, 36);
AT(odr_sync_result, events_set_aside, 40);
AT(odr_sync_result, events_renumbered, 44);
AT(odr_sync_result, erased_on_server, 48);
AT(odr_sync_result, erasures_pending, 52);
SIZE(odr_sync_result, 56);

AT(odr_recommendation, score, 0);
AT(odr_recommendation, rank, 8);
AT(odr_recommendation, source, 12);
AT(odr_recommendation, is_exploration, 16);
AT(odr_recommendation, item_id, 20);
AT(odr_recommendation, reason, 277);
AT(odr_recommendation, request_id, 533);
SIZE(odr_recommendation, 568);

AT(odr_recent_item, timestamp_ms, 0);
AT(odr_recent_item, value, 8);
AT(odr_recent_item, type, 16);
AT(odr_recent_item, item_id, 20);
SIZE(odr_recent_item, 280);

AT(odr_profile, total_events, 0);
AT(odr_profile, session_count, 4);
AT(odr_profile, first_seen_ms, 8);
AT(odr_profile, last_seen_ms, 16);
AT(odr_profile, category_scores, 24);
AT(odr_profile, category_count, 64);
AT(odr_profile, categories, 68);
SIZE(odr_profile, 400);

/* A caller compiled against a newer header: its structs are this much larger. */
#define NEWER 24
#define SENTINEL 0xAB

static int all_bytes(const unsigned char *p, size_t n, unsigned char value) {
    for (size_t i = 0; i < n; i++) if (p[i] != value) return 0;
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s <database path>\n", argv[0]); return 2; }
    /* The library was built from this header: it implements exactly its version (VersionExports.AbiVersion). */
    CHECK(odr_abi_version() == ODR_ABI_VERSION, "odr_abi_version() is %d, the header's ODR_ABI_VERSION %d", odr_abi_version(), ODR_ABI_VERSION);
    odr_config config = test_config(argv[1]);
    odr_client *client = NULL;
    CHECK(odr_open(&config, &client) == ODR_OK, "odr_open: %s", odr_last_error());
    const char *items[] = { "a", "b", "c", "d" };
    for (int u = 0; u < 4; u++)
        for (int i = 0; i <= u; i++) {
            char user[16];
            snprintf(user, sizeof user, "u%d", u);
            CHECK(odr_track(client, user, items[i], ODR_EVENT_PLAY, 2.5, 0) == ODR_OK, "odr_track");
        }
    const char *cats[] = { "Racing" };
    CHECK(odr_upsert_item(client, "a", cats, 1) == ODR_OK, "odr_upsert_item: %s", odr_errmsg(client));
    CHECK(odr_flush(client) == ODR_OK, "odr_flush");

    /* Recommendations at a newer caller's stride: every field where the header says, the tail zeroed. */
    size_t stride = sizeof(odr_recommendation) + NEWER;
    unsigned char *buffer = malloc(4 * stride);
    memset(buffer, SENTINEL, 4 * stride);
    int32_t count = 0;
    CHECK(odr_recommend(client, "u0", 3, (odr_recommendation *)buffer, stride, &count) == ODR_OK, "odr_recommend: %s", odr_errmsg(client));
    CHECK(count == 3, "odr_recommend gave %d items, expected 3 (b, c, d by popularity)", count);
    for (int i = 0; i < count; i++) {
        const odr_recommendation *r = (const odr_recommendation *)(buffer + (size_t)i * stride);
        CHECK(r->rank == i + 1, "item %d: rank %d", i, r->rank);
        CHECK(r->source == ODR_SOURCE_POPULARITY, "item %d: source %d", i, r->source);
        CHECK(r->is_exploration == 0 || r->is_exploration == 1, "item %d: is_exploration %d", i, r->is_exploration);
        CHECK(strlen(r->item_id) == 1 && strchr("bcd", r->item_id[0]), "item %d: item_id \"%.8s\"", i, r->item_id);
        CHECK(strlen(r->request_id) == 32, "item %d: request_id of %zu chars", i, strlen(r->request_id));
        CHECK(all_bytes((const unsigned char *)r + sizeof *r, NEWER, 0), "item %d: bytes past the layout not zeroed", i);
    }
    CHECK(all_bytes(buffer + 3 * stride, stride, SENTINEL), "odr_recommend wrote past the 3 items it returned");

    /* The recent sequence and the profile, the same way. */
    stride = sizeof(odr_recent_item) + NEWER;
    buffer = realloc(buffer, 8 * stride);
    memset(buffer, SENTINEL, 8 * stride);
    CHECK(odr_recent_sequence(client, "u3", 8, (odr_recent_item *)buffer, stride, &count) == ODR_OK, "odr_recent_sequence");
    CHECK(count == 4, "recent sequence of %d items, expected 4", count);
    for (int i = 0; i < count; i++) {
        const odr_recent_item *r = (const odr_recent_item *)(buffer + (size_t)i * stride);
        CHECK(strcmp(r->item_id, items[i]) == 0 && r->type == ODR_EVENT_PLAY && r->value == 2.5 && r->timestamp_ms > 1700000000000LL,
              "recent %d: \"%.8s\" type %d value %g at %lld", i, r->item_id, r->type, r->value, (long long)r->timestamp_ms);
        CHECK(all_bytes((const unsigned char *)r + sizeof *r, NEWER, 0), "recent %d: tail not zeroed", i);
    }
    memset(buffer, SENTINEL, sizeof(odr_profile) + NEWER + 8);
    const odr_profile *p = (const odr_profile *)buffer;
    CHECK(odr_get_profile(client, "u0", (odr_profile *)buffer, sizeof(odr_profile) + NEWER) == ODR_OK, "odr_get_profile");
    CHECK(p->total_events == 1 && p->session_count == 1 && p->first_seen_ms > 0 && p->last_seen_ms >= p->first_seen_ms,
          "profile: %d events, %d sessions", p->total_events, p->session_count);
    CHECK(p->category_count == 1 && strcmp(p->categories[0], "Racing") == 0 && p->category_scores[0] > 0,
          "profile: %d categories, first \"%.8s\" %g", p->category_count, p->categories[0], p->category_scores[0]);
    CHECK(all_bytes(buffer + sizeof(odr_profile), NEWER, 0), "profile: tail not zeroed");
    CHECK(all_bytes(buffer + sizeof(odr_profile) + NEWER, 8, SENTINEL), "odr_get_profile wrote past profile_size");

    /* odr_sync fills its result even when it fails (no sync_url here): all of the caller's bytes, no more. */
    memset(buffer, SENTINEL, sizeof(odr_sync_result) + NEWER + 8);
    CHECK(odr_sync(client, (odr_sync_result *)buffer, sizeof(odr_sync_result) + NEWER) == ODR_ESTATE, "odr_sync without sync_url");
    CHECK(all_bytes(buffer, sizeof(odr_sync_result) + NEWER, 0), "odr_sync_result not zero-filled");
    CHECK(all_bytes(buffer + sizeof(odr_sync_result) + NEWER, 8, SENTINEL), "odr_sync wrote past result_size");
    /* A caller built against the version-2 header passes the 48 bytes it knows: exactly those are written. */
    memset(buffer, SENTINEL, sizeof(odr_sync_result) + 8);
    CHECK(odr_sync(client, (odr_sync_result *)buffer, offsetof(odr_sync_result, erased_on_server)) == ODR_ESTATE, "odr_sync, version-2 size");
    CHECK(all_bytes(buffer, offsetof(odr_sync_result, erased_on_server), 0), "odr_sync_result (version-2 size) not zero-filled");
    CHECK(all_bytes(buffer + offsetof(odr_sync_result, erased_on_server), 16, SENTINEL), "odr_sync wrote past a version-2 result_size");

    free(buffer);
    CHECK(odr_close(client) == ODR_OK, "odr_close");

    /* A caller built against the version-2 header: its odr_config ends before sync_context; the fields it lacks are
     * their defaults. Bytes after its struct_size are never read (here: garbage). */
    odr_config older_storage;
    unsigned char *older = (unsigned char *)&older_storage;
    memset(older, SENTINEL, sizeof older_storage);
    odr_config first = test_config(argv[1]);
    first.struct_size = offsetof(odr_config, sync_context);
    memcpy(older, &first, offsetof(odr_config, sync_context));
    CHECK(odr_open((const odr_config *)older, &client) == ODR_OK, "odr_open with a version-2 struct_size: %s", odr_last_error());
    CHECK(odr_close(client) == ODR_OK, "odr_close (version-2 config)");
    first.struct_size = offsetof(odr_config, sync_context) - 4;
    CHECK(odr_open(&first, &client) == ODR_EINVAL, "odr_open with a struct_size below the first layout");
    return report();
}
