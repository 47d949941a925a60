/* Issue 10 §1 from C: odd ids and a wrong clock never stall a device. Ids the event contract refuses (blank,
 * only a no-break space, only a zero-width space, a DEL) are refused at odr_track with ODR_EINVAL and a message;
 * ids that merely contain such characters, and times from a clock that is hours fast or months behind, are
 * accepted and the server stores them. Then 300 ordinary events, one sync: every accepted event reaches the
 * server, nothing is set aside. Usage: sync_odd_events <database path> <server url> <api key> */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ondevicereco.h"
#include "check.h"

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s <database path> <server url> <api key>\n", argv[0]); return 2; }
    alarm(120);
    odr_config config = sync_test_config(argv[1], argv[2], argv[3]);
    odr_client *client = NULL;
    int32_t rc = odr_open(&config, &client);
    CHECK(rc == ODR_OK, "odr_open: %s", odr_last_error());
    if (rc != ODR_OK) return report();

    /* Refused by the contract, on the device as on the server: an error code and a message, nothing recorded. */
    const char *refused_ids[] = { "   ", "\xC2\xA0", "\xE2\x80\x8B", "\xE2\x80\x8B\xC2\xA0 ", "user\x7F", "" };
    for (size_t i = 0; i < sizeof refused_ids / sizeof refused_ids[0]; i++) {
        rc = odr_track(client, refused_ids[i], "item", ODR_EVENT_PLAY, 0, 0);
        CHECK(rc == ODR_EINVAL, "user id #%zu: %s, expected ODR_EINVAL", i, odr_errstr(rc));
        CHECK(odr_errmsg(client) != NULL && strstr(odr_errmsg(client), "user") != NULL, "user id #%zu: message '%s'", i, odr_errmsg(client) ? odr_errmsg(client) : "(null)");
        rc = odr_track(client, "player-1", refused_ids[i], ODR_EVENT_PLAY, 0, 0);
        CHECK(rc == ODR_EINVAL, "item id #%zu: %s, expected ODR_EINVAL", i, odr_errstr(rc));
    }
    /* Accepted: visible ids that contain odd characters, and times from a wrong clock. */
    int accepted = 0;
    const char *odd_but_valid[] = { "no\xC2\xA0" "break", "zero\xE2\x80\x8Bwidth", " padded ", "caf\xC3\xA9-\xF0\x9F\x8E\xAE" };
    for (size_t i = 0; i < sizeof odd_but_valid / sizeof odd_but_valid[0]; i++) {
        rc = odr_track(client, odd_but_valid[i], odd_but_valid[i], ODR_EVENT_VIEW, 0, 0);
        CHECK(rc == ODR_OK, "odd but valid id #%zu: %s (%s)", i, odr_errstr(rc), odr_errmsg(client));
        accepted += rc == ODR_OK;
    }
    int64_t hour = 3600 * 1000LL;
    /* (Not older than the store's retention, 365 days by default: the device itself would evict those.) */
    int64_t wrong_times[] = { wall_clock_ms() + 23 * hour, wall_clock_ms() - 200 * 24 * hour };
    for (size_t i = 0; i < sizeof wrong_times / sizeof wrong_times[0]; i++) {
        rc = odr_track(client, "player-1", "clock-item", ODR_EVENT_PLAY, 0, wrong_times[i]);
        CHECK(rc == ODR_OK, "timestamp #%zu: %s (%s)", i, odr_errstr(rc), odr_errmsg(client));
        accepted += rc == ODR_OK;
    }
    rc = odr_track(client, "player-1", "too-far-ahead", ODR_EVENT_PLAY, 0, wall_clock_ms() + 49 * hour);
    CHECK(rc == ODR_EINVAL, "a timestamp two days ahead: %s, expected ODR_EINVAL", odr_errstr(rc));

    for (int i = 0; i < 300; i++) {
        char item[32];
        snprintf(item, sizeof item, "ordinary-%d", i);
        rc = odr_track(client, "player-1", item, ODR_EVENT_PLAY, 0, 0);
        CHECK(rc == ODR_OK, "ordinary event %d: %s", i, odr_errstr(rc));
        accepted += rc == ODR_OK;
    }

    odr_sync_result result;
    rc = odr_sync(client, &result, sizeof result);
    CHECK(rc == ODR_OK, "odr_sync: %s (%s)", odr_errstr(rc), odr_errmsg(client) ? odr_errmsg(client) : "");
    CHECK(result.status == ODR_SYNC_COMPLETED, "sync status %d", result.status);
    CHECK(result.events_sent == accepted, "sent %d of %d accepted events", result.events_sent, accepted);
    CHECK(result.events_set_aside == 0, "%d events set aside", result.events_set_aside);
    CHECK(result.events_renumbered == 0, "%d events renumbered on a store never restored", result.events_renumbered);
    rc = odr_sync(client, &result, sizeof result);
    CHECK(rc == ODR_OK && result.events_sent == 0, "a second sync sent %d (%s)", result.events_sent, odr_errstr(rc));
    odr_close(client);
    printf("odd ids and wrong clocks: %d events accepted and synced\n", accepted);
    return report();
}
