/* User attributes and other-channel events through the C ABI: set, read back, replace and remove; every bad input
 * (NULLs, invalid UTF-8, oversize, control characters, too many keys, a small buffer) comes back as ODR_EINVAL with
 * a message in the header's names and changes nothing; revoked consent records nothing; odr_erase_all removes them;
 * ODR_EVENT_SEARCH and ODR_EVENT_STORE_VISIT are events odr_track takes.
 * Usage: user_attributes <database path> */
#include <stdlib.h>
#include <string.h>
#include "ondevicereco.h"
#include "check.h"

#define EXPECT_RC(expr, code) do { int32_t rc_ = (expr); CHECK(rc_ == (code), "%s returned %d (%s), expected %d; message: %s", \
    #expr, rc_, odr_errstr(rc_), (code), odr_last_error() ? odr_last_error() : "(none)"); } while (0)
#define EXPECT_MESSAGE_HAS(part) do { const char *m_ = odr_last_error(); \
    CHECK(m_ && strstr(m_, (part)) && !strstr(m_, "(Parameter"), "message \"%s\" lacks \"%s\" or speaks .NET", m_ ? m_ : "(none)", (part)); } while (0)

/* The value of key for user, or "" when absent; the test's buffer is large enough for any value. */
static const char *value_of(odr_client *client, const char *user, const char *key) {
    static char buffer[ODR_MAX_ATTRIBUTE_VALUE_BYTES + 1];
    size_t length = 99;
    int32_t rc = odr_get_user_attribute(client, user, key, buffer, sizeof buffer, &length);
    CHECK(rc == ODR_OK, "odr_get_user_attribute(%s, %s) returned %d", user, key, rc);
    CHECK(length == strlen(buffer), "out_length %zu for a value of %zu bytes", length, strlen(buffer));
    return buffer;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s <database path>\n", argv[0]); return 2; }
    odr_config config = test_config(argv[1]);
    odr_client *client = NULL;
    EXPECT_RC(odr_open(&config, &client), ODR_OK);

    /* Set, read back, replace, remove. */
    EXPECT_RC(odr_set_user_attribute(client, "player-1", "platform", "android"), ODR_OK);
    EXPECT_RC(odr_set_user_attribute(client, "player-1", "platform", "ios"), ODR_OK);
    EXPECT_RC(odr_set_user_attribute(client, "player-1", "locale", "de-AT"), ODR_OK);
    CHECK(strcmp(value_of(client, "player-1", "platform"), "ios") == 0, "platform is \"%s\"", value_of(client, "player-1", "platform"));
    CHECK(strcmp(value_of(client, "player-1", "age_band"), "") == 0, "an absent attribute reads as empty");
    int32_t removed = -1;
    EXPECT_RC(odr_remove_user_attribute(client, "player-1", "locale", &removed), ODR_OK);
    CHECK(removed == 1, "removed is %d", removed);
    EXPECT_RC(odr_remove_user_attribute(client, "player-1", "locale", &removed), ODR_OK);
    CHECK(removed == 0, "removed twice is %d", removed);
    EXPECT_RC(odr_remove_user_attribute(client, "player-1", "locale", NULL), ODR_OK);
    CHECK(strcmp(value_of(client, "player-1", "locale"), "") == 0, "locale still there");

    /* Bad input: a code, a message, nothing changed. */
    char invalid_utf8[] = { 'i', (char)0xC3, (char)0x28, 0 };
    char key65[66]; memset(key65, 'k', 65); key65[65] = 0;
    char value128[129]; memset(value128, 'v', 128); value128[128] = 0;
    char value129[130]; memset(value129, 'v', 129); value129[129] = 0;
    char *unterminated = malloc(4096); memset(unterminated, 'y', 4096); /* no NUL within any limit */
    EXPECT_RC(odr_set_user_attribute(NULL, "player-1", "k", "v"), ODR_ESTATE);
    EXPECT_RC(odr_set_user_attribute(client, NULL, "k", "v"), ODR_EINVAL); EXPECT_MESSAGE_HAS("user_id is NULL");
    EXPECT_RC(odr_set_user_attribute(client, "player-1", NULL, "v"), ODR_EINVAL); EXPECT_MESSAGE_HAS("key is NULL");
    EXPECT_RC(odr_set_user_attribute(client, "player-1", "k", NULL), ODR_EINVAL); EXPECT_MESSAGE_HAS("value is NULL");
    EXPECT_RC(odr_set_user_attribute(client, "player-1", "k", invalid_utf8), ODR_EINVAL); EXPECT_MESSAGE_HAS("not valid UTF-8");
    EXPECT_RC(odr_set_user_attribute(client, "player-1", key65, "v"), ODR_EINVAL); EXPECT_MESSAGE_HAS("longer than 64");
    EXPECT_RC(odr_set_user_attribute(client, "player-1", "k", value129), ODR_EINVAL); EXPECT_MESSAGE_HAS("longer than 128");
    EXPECT_RC(odr_set_user_attribute(client, "player-1", "k", unterminated), ODR_EINVAL);
    EXPECT_RC(odr_set_user_attribute(client, "player-1", "k", "line\nbreak"), ODR_EINVAL); EXPECT_MESSAGE_HAS("control characters");
    EXPECT_RC(odr_set_user_attribute(client, "player-1", "k\x7f", "v"), ODR_EINVAL); EXPECT_MESSAGE_HAS("control characters");
    EXPECT_RC(odr_set_user_attribute(client, "player-1", "k", ""), ODR_EINVAL); EXPECT_MESSAGE_HAS("must not be empty");
    EXPECT_RC(odr_set_user_attribute(client, "player-1", "  ", "v"), ODR_EINVAL); EXPECT_MESSAGE_HAS("only white space");
    EXPECT_RC(odr_set_user_attribute(client, "player-1", "longest", value128), ODR_OK);
    CHECK(strlen(value_of(client, "player-1", "longest")) == 128, "a 128-byte value did not round-trip");
    CHECK(strcmp(value_of(client, "player-1", "k"), "") == 0, "a refused attribute was stored");
    EXPECT_RC(odr_remove_user_attribute(client, "player-1", NULL, &removed), ODR_EINVAL);
    EXPECT_RC(odr_remove_user_attribute(client, invalid_utf8, "k", &removed), ODR_EINVAL);

    /* Reading back: the caller's buffer and its size. */
    char small[4];
    size_t length = 0;
    EXPECT_RC(odr_get_user_attribute(client, "player-1", "platform", small, sizeof small, &length), ODR_OK);
    CHECK(length == 3 && strcmp(small, "ios") == 0, "\"ios\" in a 4-byte buffer: length %zu", length);
    EXPECT_RC(odr_get_user_attribute(client, "player-1", "platform", small, 3, &length), ODR_EINVAL); EXPECT_MESSAGE_HAS("buffer_size 3 is too small");
    CHECK(length == 3, "the length needed is reported: %zu", length);
    EXPECT_RC(odr_get_user_attribute(client, "player-1", "platform", NULL, 0, &length), ODR_EINVAL);
    CHECK(length == 3, "a size query with no buffer reports the length: %zu", length);
    EXPECT_RC(odr_get_user_attribute(client, "player-1", "platform", small, sizeof small, NULL), ODR_EINVAL); EXPECT_MESSAGE_HAS("out_length");
    EXPECT_RC(odr_get_user_attribute(client, "player-1", "platform", NULL, 8, &length), ODR_EINVAL); EXPECT_MESSAGE_HAS("buffer is NULL");

    /* At most ODR_MAX_USER_ATTRIBUTES per user (player-1 holds platform and longest). */
    char key[16];
    for (int i = 0; i < ODR_MAX_USER_ATTRIBUTES - 2; i++) {
        snprintf(key, sizeof key, "key-%d", i);
        EXPECT_RC(odr_set_user_attribute(client, "player-1", key, "v"), ODR_OK);
    }
    EXPECT_RC(odr_set_user_attribute(client, "player-1", "one-too-many", "v"), ODR_EINVAL); EXPECT_MESSAGE_HAS("at most 32");
    EXPECT_RC(odr_set_user_attribute(client, "player-1", "platform", "web"), ODR_OK); /* replacing still works */

    /* Other channels are event types. */
    EXPECT_RC(odr_track(client, "player-1", "racing games", ODR_EVENT_SEARCH, 0, 0), ODR_OK);
    EXPECT_RC(odr_track(client, "player-1", "game-7", ODR_EVENT_STORE_VISIT, 0, 0), ODR_OK);
    EXPECT_RC(odr_track(client, "player-1", "game-7", 11, 0, 0), ODR_EINVAL);
    EXPECT_RC(odr_flush(client), ODR_OK);

    /* Consent: revoked records nothing. */
    EXPECT_RC(odr_set_consent(client, ODR_CONSENT_REVOKED), ODR_OK);
    EXPECT_RC(odr_set_user_attribute(client, "player-2", "platform", "ios"), ODR_ECONSENT); EXPECT_MESSAGE_HAS("Consent is revoked");
    CHECK(strcmp(value_of(client, "player-2", "platform"), "") == 0, "an attribute was recorded while consent was revoked");

    /* Erasure removes every attribute. */
    EXPECT_RC(odr_erase_all(client), ODR_OK);
    CHECK(strcmp(value_of(client, "player-1", "platform"), "") == 0, "an attribute survived odr_erase_all");

    EXPECT_RC(odr_close(client), ODR_OK);
    free(unterminated);
    return report();
}
