/* A C host that records events and syncs them to the server: odr_sync blocks on the network, so a game would
 * call it from a worker thread. Usage: sync <database path> <server url> <api key> <events> */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ondevicereco.h"

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: %s <database path> <server url> <api key> <events>\n", argv[0]); return 2; }
    int events = atoi(argv[4]);
    odr_config config;
    memset(&config, 0, sizeof config);
    config.struct_size = sizeof config;
    config.database_path = argv[1];
    config.initial_consent = ODR_CONSENT_GRANTED;
    config.sync_url = argv[2];
    config.sync_api_key = argv[3];
    odr_client *client;
    if (odr_open(&config, &client) != ODR_OK) { fprintf(stderr, "open: %s\n", odr_last_error()); return 1; }
    for (int i = 0; i < events; i++) {
        char item[32];
        snprintf(item, sizeof item, "level-%d", i % 97);
        if (odr_track(client, "player-1", item, ODR_EVENT_PLAY, 0, 0) != ODR_OK) { fprintf(stderr, "track: %s\n", odr_errmsg(client)); return 1; }
    }
    odr_sync_result result;
    int32_t rc = odr_sync(client, &result, sizeof result);
    printf("sync: %s, status %d, %d events sent in %d batches (%d attempts), model v%lld\n",
           odr_errstr(rc), result.status, result.events_sent, result.batches, result.attempts, (long long)result.model_version);
    if (rc != ODR_OK || result.events_sent != events) { fprintf(stderr, "sync failed: %s\n", odr_errmsg(client)); odr_close(client); return 1; }
    /* Nothing is pending any more: a second sync sends nothing. */
    rc = odr_sync(client, &result, sizeof result);
    if (rc != ODR_OK || result.events_sent != 0) { fprintf(stderr, "second sync sent %d\n", result.events_sent); odr_close(client); return 1; }
    odr_close(client);
    return 0;
}
