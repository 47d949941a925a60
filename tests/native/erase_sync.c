/* Erasure from a C host reaches the server: 200 events of a canary user synced, odr_erase_all, then odr_sync returns
 * ODR_OK only once the server erased what it held under the erased identity (build/native.sh then checks the server's
 * count and that the canary is in none of its files). The device's own files no longer hold the canary either, and the
 * new identity syncs as ever. Usage: erase_sync <database path> <server url> <api key> */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ondevicereco.h"
#include "check.h"

#define CANARY "canary-c-host-erase"

/* 1 when the file at path holds CANARY (a missing file holds nothing). */
static int file_holds_canary(const char *path) {
    size_t used = 0, length = strlen(CANARY);
    char *bytes = read_whole_file(path, &used);
    int found = 0;
    for (size_t i = 0; bytes != NULL && i + length <= used && !found; i++) found = memcmp(bytes + i, CANARY, length) == 0;
    free(bytes);
    return found;
}

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s <database path> <server url> <api key>\n", argv[0]); return 2; }
    alarm(120);
    odr_config config = sync_test_config(argv[1], argv[2], argv[3]);
    odr_client *client = NULL;
    int32_t rc = odr_open(&config, &client);
    CHECK(rc == ODR_OK, "odr_open: %s", odr_last_error());
    if (rc != ODR_OK) return report();

    for (int i = 0; i < 200; i++) {
        char item[32];
        snprintf(item, sizeof item, "erased-game-%d", i % 23);
        CHECK(odr_track(client, CANARY, item, ODR_EVENT_PLAY, 0, 0) == ODR_OK, "track %d", i);
    }
    odr_sync_result result;
    rc = odr_sync(client, &result, sizeof result);
    CHECK(rc == ODR_OK && result.events_sent == 200, "first sync: %s, %d sent", odr_errstr(rc), result.events_sent);

    CHECK(odr_erase_all(client) == ODR_OK, "odr_erase_all: %s", odr_errmsg(client) ? odr_errmsg(client) : "");
    rc = odr_sync(client, &result, sizeof result);
    CHECK(rc == ODR_OK && result.status == ODR_SYNC_COMPLETED, "the sync after the erasure: %s, status %d (%s)",
          odr_errstr(rc), result.status, odr_errmsg(client) ? odr_errmsg(client) : "");
    char path[4200];
    const char *suffixes[] = { "", "-wal", "-shm", "-journal", ".erase" };
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(path, sizeof path, "%s%s", argv[1], suffixes[i]);
        CHECK(!file_holds_canary(path), "%s still holds the canary user id", path);
    }
    snprintf(path, sizeof path, "%s.erase", argv[1]);
    CHECK(access(path, F_OK) != 0, "an erasure is still owed after a completed sync");

    for (int i = 0; i < 10; i++) CHECK(odr_track(client, "player-after", "game-after", ODR_EVENT_PLAY, 0, 0) == ODR_OK, "track after %d", i);
    rc = odr_sync(client, &result, sizeof result);
    CHECK(rc == ODR_OK && result.events_sent == 10, "the new identity's sync: %s, %d sent", odr_errstr(rc), result.events_sent);
    odr_close(client);
    printf("erasure from C: 200 synced, erased on both sides, 10 synced under the new identity\n");
    return report();
}
