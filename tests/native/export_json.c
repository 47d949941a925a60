/* Export from C: odr_export_json writes what the device holds (one user, or every user), odr_export_server_json what
 * the server holds under the device; both name every synced event. The erasure outcome reaches the C sync result
 * (erased_on_server, erasures_pending), sync_value / sync_time choose what leaves the device, and
 * odr_experiment_arm answers "no arm" without a server experiment. Bad input: NULL, closed handles, NULL and
 * unwritable paths, invalid ids, out-of-range config fields — an error code and a message each.
 * Usage: export_json <database path> <server url> <api key> */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ondevicereco.h"
#include "check.h"

#define EVENTS 30

static int count_of(const char *text, const char *needle) {
    int count = 0;
    for (const char *at = text; at != NULL && (at = strstr(at, needle)) != NULL; at += strlen(needle)) count++;
    return count;
}

static const char *message(odr_client *client) { return odr_errmsg(client) ? odr_errmsg(client) : "(none)"; }

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: %s <database path> <server url> <api key>\n", argv[0]); return 2; }
    alarm(120);
    char path[4200], user_path[4200], all_path[4200], server_path[4200], minimal_db[4200];
    snprintf(user_path, sizeof user_path, "%s.user.json", argv[1]);
    snprintf(all_path, sizeof all_path, "%s.all.json", argv[1]);
    snprintf(server_path, sizeof server_path, "%s.server.json", argv[1]);
    snprintf(minimal_db, sizeof minimal_db, "%s.minimal.db", argv[1]);

    odr_config config = sync_test_config(argv[1], argv[2], argv[3]);
    odr_client *client = NULL;
    /* Out-of-range field choices are refused at odr_open. */
    odr_config bad = config; bad.sync_context = 4;
    CHECK(odr_open(&bad, &client) == ODR_EINVAL && client == NULL, "sync_context 4 accepted");
    bad = config; bad.sync_time = -1;
    CHECK(odr_open(&bad, &client) == ODR_EINVAL, "sync_time -1 accepted");
    bad = config; bad.sync_value = 3;
    CHECK(odr_open(&bad, &client) == ODR_EINVAL && strstr(odr_last_error(), "config") != NULL, "sync_value 3: %s", odr_last_error());
    /* Every field as tracked, so the server's export can be compared with what was tracked. */
    config.sync_context = ODR_SYNCED_CONTEXT_ALL;
    config.sync_value = ODR_SYNCED_VALUE_SEND;
    config.sync_time = ODR_SYNCED_TIME_EXACT;
    int32_t rc = odr_open(&config, &client);
    CHECK(rc == ODR_OK, "odr_open: %s", odr_last_error());
    if (rc != ODR_OK) return report();

    /* Bad input. */
    CHECK(odr_export_json(NULL, NULL, user_path) == ODR_ESTATE, "odr_export_json(NULL client)");
    CHECK(odr_export_json(client, NULL, NULL) == ODR_EINVAL && strstr(message(client), "path") != NULL, "NULL path: %s", message(client));
    CHECK(odr_export_json(client, "", user_path) == ODR_EINVAL && strstr(message(client), "user_id") != NULL, "empty user_id: %s", message(client));
    snprintf(path, sizeof path, "%s.missing-directory/export.json", argv[1]);
    CHECK(odr_export_json(client, NULL, path) == ODR_EIO && odr_errmsg(client) != NULL, "unwritable path: %s", message(client));
    CHECK(odr_export_server_json(NULL, server_path) == ODR_ESTATE, "odr_export_server_json(NULL client)");
    CHECK(odr_export_server_json(client, NULL) == ODR_EINVAL && strstr(message(client), "path") != NULL, "server export, NULL path: %s", message(client));
    /* Nothing was ever sent: nothing is asked, no file appears. */
    CHECK(odr_export_server_json(client, server_path) == ODR_EXPORT_NOTHING_ON_SERVER, "server export before any sync");
    CHECK(access(server_path, F_OK) != 0, "a file was written although the server holds nothing");
    char arm[160];
    size_t arm_length = 99;
    CHECK(odr_experiment_arm(NULL, arm, sizeof arm, &arm_length) == ODR_ESTATE, "odr_experiment_arm(NULL client)");
    CHECK(odr_experiment_arm(client, arm, sizeof arm, NULL) == ODR_EINVAL && strstr(message(client), "out_length") != NULL, "NULL out_length: %s", message(client));
    CHECK(odr_experiment_arm(client, NULL, 8, &arm_length) == ODR_EINVAL && strstr(message(client), "buffer") != NULL, "NULL buffer with a size: %s", message(client));
    arm[0] = 'x';
    CHECK(odr_experiment_arm(client, arm, sizeof arm, &arm_length) == ODR_OK && arm_length == 0 && arm[0] == 0, "no arm: length %zu", arm_length);
    CHECK(odr_experiment_arm(client, NULL, 0, &arm_length) == ODR_OK && arm_length == 0, "no arm, no buffer");

    /* 30 events with values and times, an attribute, another user's event; synced. */
    int64_t start = wall_clock_ms() - EVENTS * 1000;
    for (int i = 0; i < EVENTS; i++) {
        char item[32];
        snprintf(item, sizeof item, "export-item-%02d", i);
        CHECK(odr_track(client, "export-player", item, ODR_EVENT_RATE, i + 0.5, start + i * 1000) == ODR_OK, "track %d: %s", i, message(client));
    }
    CHECK(odr_set_user_attribute(client, "export-player", "platform", "linux") == ODR_OK, "attribute: %s", message(client));
    CHECK(odr_track(client, "other-player", "other-item", ODR_EVENT_PLAY, 0, 0) == ODR_OK, "other player");
    odr_sync_result result;
    memset(&result, 0xAB, sizeof result);
    rc = odr_sync(client, &result, sizeof result);
    CHECK(rc == ODR_OK && result.events_sent == EVENTS + 1, "sync: %s, %d sent (%s)", odr_errstr(rc), result.events_sent, message(client));
    CHECK(result.erased_on_server == 0 && result.erasures_pending == 0, "no erasure: %d erased, %d pending", result.erased_on_server, result.erasures_pending);

    /* The device's export: one user, then every user. */
    CHECK(odr_export_json(client, "export-player", user_path) == ODR_OK, "odr_export_json(user): %s", message(client));
    char *device = read_whole_file(user_path, NULL);
    CHECK(device != NULL && strstr(device, "\"format\": \"ondevicereco-device-export\"") != NULL, "device export format");
    CHECK(device != NULL && count_of(device, "\"sync_state\": \"synced\"") == EVENTS + 1, "device export: %d synced rows, expected %d events and the attribute",
          device ? count_of(device, "\"sync_state\": \"synced\"") : -1, EVENTS + 1);
    CHECK(device != NULL && strstr(device, "other-player") == NULL, "the one-user export holds another user");
    CHECK(device != NULL && strstr(device, "\"platform\"") != NULL && strstr(device, "\"linux\"") != NULL, "device export lacks the attribute");
    CHECK(odr_export_json(client, NULL, all_path) == ODR_OK, "odr_export_json(all): %s", message(client));
    char *all = read_whole_file(all_path, NULL);
    CHECK(all != NULL && strstr(all, "other-player") != NULL && strstr(all, "\"scope\": \"store\"") != NULL, "the whole-store export lacks a user");

    /* The server's export names every synced event, with the value and the exact time tracked. */
    CHECK(odr_export_server_json(client, server_path) == ODR_OK, "odr_export_server_json: %s", message(client));
    char *server = read_whole_file(server_path, NULL);
    CHECK(server != NULL && strstr(server, "\"format\": \"ondevicereco-server-export\"") != NULL, "server export format");
    for (int i = 0; server != NULL && device != NULL && i < EVENTS; i++) {
        char item[48], time_ms[48], value[32];
        snprintf(item, sizeof item, "\"export-item-%02d\"", i);
        snprintf(time_ms, sizeof time_ms, "\"time_ms\": %lld,", (long long)(start + i * 1000));
        snprintf(value, sizeof value, "\"value\": %d.5,", i);
        CHECK(strstr(server, item) && strstr(server, time_ms) && strstr(server, value), "server export lacks event %d as tracked", i);
        CHECK(strstr(device, item) && strstr(device, time_ms) && strstr(device, value), "device export lacks event %d as tracked", i);
    }
    CHECK(server != NULL && count_of(server, "\"sequence\"") == EVENTS + 1, "server export: %d events", server ? count_of(server, "\"sequence\"") : -1);
    free(device); free(all); free(server);

    /* The erasure's outcome in the sync result. */
    CHECK(odr_erase_all(client) == ODR_OK, "odr_erase_all: %s", message(client));
    memset(&result, 0xAB, sizeof result);
    rc = odr_sync(client, &result, sizeof result);
    CHECK(rc == ODR_OK && result.erased_on_server == 1 && result.erasures_pending == 0, "sync after the erasure: %s, %d erased, %d pending",
          odr_errstr(rc), result.erased_on_server, result.erasures_pending);
    CHECK(odr_close(client) == ODR_OK, "odr_close");
    CHECK(odr_export_json(client, NULL, user_path) == ODR_ESTATE, "odr_export_json on a closed handle");
    CHECK(odr_export_server_json(client, server_path) == ODR_ESTATE, "odr_export_server_json on a closed handle");
    CHECK(odr_experiment_arm(client, arm, sizeof arm, &arm_length) == ODR_ESTATE, "odr_experiment_arm on a closed handle");

    /* The default field choice: no value, the time to the hour. */
    odr_config minimal = test_config(minimal_db);
    minimal.initial_consent = ODR_CONSENT_GRANTED;
    minimal.sync_url = argv[2];
    minimal.sync_api_key = argv[3];
    minimal.sync_max_attempts = 3;
    CHECK(odr_open(&minimal, &client) == ODR_OK, "odr_open (defaults): %s", odr_last_error());
    CHECK(odr_track(client, "minimal-player", "minimal-item", ODR_EVENT_RATE, 4.5, 0) == ODR_OK, "track (defaults)");
    CHECK(odr_sync(client, &result, sizeof result) == ODR_OK && result.events_sent == 1, "sync (defaults): %s", message(client));
    CHECK(odr_export_server_json(client, server_path) == ODR_OK, "server export (defaults): %s", message(client));
    server = read_whole_file(server_path, NULL);
    const char *time_field = server ? strstr(server, "\"time_ms\": ") : NULL;
    long long synced_ms = time_field ? strtoll(time_field + strlen("\"time_ms\": "), NULL, 10) : -1;
    CHECK(synced_ms > 0 && synced_ms % 3600000 == 0, "the default sends the time to the hour, got %lld", synced_ms);
    CHECK(server != NULL && strstr(server, "\"value\": 0,") != NULL && strstr(server, "4.5") == NULL, "the default sends no value");
    free(server);
    CHECK(odr_close(client) == ODR_OK, "odr_close (defaults)");
    printf("export from C: %d events exported from the device and the server alike, erasure reported, defaults minimal\n", EVENTS);
    return report();
}
