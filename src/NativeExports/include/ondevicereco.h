/*
 * ondevicereco.h — C ABI of OnDeviceReco, on-device recommendations.
 *
 * One shared library (libondevicereco.so / ondevicereco.dll / libondevicereco.dylib) with libe_sqlite3 and
 * libonnxruntime beside it; no .NET installation is needed. All strings are NUL-terminated UTF-8.
 *
 * Conventions (as in sqlite3.h):
 *  - Every function that can fail returns an int result code: ODR_OK (0) or one of ODR_E*.
 *  - Error messages are per thread. odr_errmsg(client) gives the message of the calling thread's last failed
 *    call on client; odr_last_error() the message of the calling thread's last failed call of any kind (also
 *    those without a usable handle, e.g. a failed odr_open). Messages are owned by the library: never free
 *    them. One stays valid until the calling thread's next call on the same handle (odr_errmsg) or its next
 *    failing call (odr_last_error), or until odr_close(client) returns; failures on other threads never change
 *    or free it. Inside an odr_recommend_callback reporting a failure, odr_errmsg(client) gives its message.
 *  - Strings: every const char * argument must be NUL-terminated UTF-8. The library reads it byte by byte and
 *    never reads a byte after its NUL, nor more than the argument's limit + 1 bytes (ids ODR_MAX_ID_BYTES,
 *    categories 64, paths and sync_url 4096, keys 16384): a string with no NUL within its limit is refused with
 *    ODR_EINVAL. The bytes up to the NUL (or up to the limit) must be readable: an unterminated buffer that runs
 *    into unmapped memory before the limit is undefined behaviour, as anywhere in C.
 *  - No function ever lets an exception or signal escape into the host. NULL pointers, invalid UTF-8,
 *    oversize strings, out-of-range numbers and closed or foreign handles return ODR_EINVAL or ODR_ESTATE.
 *  - Threading: an odr_client may be used from any number of threads at once, odr_close included. odr_close
 *    marks the handle closed (calls that start afterwards return ODR_ESTATE), waits for the calls in flight on
 *    it from other threads, for pending odr_recommend_async callbacks and for odr_recommend_start requests being
 *    computed (requests not started yet are canceled), then disposes the client. Called from inside a callback
 *    that runs during a call on the same handle, it does not wait for that call: the client is disposed when
 *    that call returns. Once odr_close has returned, do not pass the pointer again: a later odr_open may hand
 *    out the same value.
 *  - Blocking: odr_track never touches the disk: it only queues the event, cheap enough for every frame.
 *    odr_recommend reads SQLite and runs the model once, so it costs more the larger the catalogue, and more on
 *    the first call after tracking (it commits pending events first): fine on a worker thread or between
 *    frames, not inside a frame's budget. Game loops call odr_recommend_start and odr_poll (or
 *    odr_recommend_async) instead. odr_flush, odr_load_model, odr_erase_all, odr_open and odr_close do disk I/O
 *    and block the caller until it is done. (Measured costs are in docs/, not here: they depend on the machine.)
 *  - Loading and unloading (dlopen/dlclose, LoadLibrary/FreeLibrary): the library carries a .NET runtime (GC
 *    heap, finalizer and pool threads), which cannot be unloaded. On Linux it is linked NODELETE: dlclose keeps
 *    it mapped, and a later dlopen in the same process returns the same instance, with its state as it was —
 *    the runtime's threads and memory are reused, not created again (tests/native/plugin_host.c: ten cycles,
 *    no thread or memory growth after the first). Before unloading, close every odr_client, free every
 *    odr_request and remove the log callback (odr_set_log_callback(NULL, NULL)) if it points into code the host
 *    is about to unload: the library keeps whatever callback is installed across dlclose. Handles and messages of
 *    an earlier load are refused or stay valid exactly as if the library had stayed loaded.
 */
#ifndef ONDEVICERECO_H
#define ONDEVICERECO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#  define ODR_API __declspec(dllimport)
#else
#  define ODR_API
#endif

/* Version of this header's ABI. The ABI only grows: each version adds to the previous one and removes or changes
 * nothing, so a library whose odr_abi_version() is at least the version that added what a host uses serves that
 * host. A host checks at run time: odr_abi_version() >= ODR_ABI_VERSION (or >= the version it needs, from the
 * list below). Every addition to this header (a function, a struct field, a constant) raises it; the list is
 * append-only, like ONNX Runtime's ORT_API_VERSION (tests/native/abi_manifest.txt holds the same list, and a test
 * fails when the header declares anything that the list does not).
 *  1  The first frozen ABI: odr_version, odr_abi_version, odr_errstr, odr_errmsg, odr_last_error,
 *     odr_set_log_callback, odr_open, odr_close, odr_track, odr_flush, odr_recommend, odr_recommend_async,
 *     odr_record_feedback, odr_upsert_item, odr_recent_sequence, odr_get_profile, odr_set_consent,
 *     odr_get_consent, odr_erase_all, odr_load_model, odr_sync; the structs odr_config, odr_sync_result (up to
 *     events_set_aside), odr_recommendation, odr_recent_item and odr_profile.
 *  2  Polling for single-threaded hosts: the odr_request handle, odr_recommend_start, odr_poll,
 *     odr_request_cancel, odr_request_free, ODR_PENDING, ODR_ECANCELED. Onboarding: odr_onboarding_items,
 *     odr_onboarding_answer, ODR_ANSWER_*. User attributes and other channels: odr_set_user_attribute,
 *     odr_remove_user_attribute, odr_get_user_attribute, ODR_MAX_ATTRIBUTE_KEY_BYTES,
 *     ODR_MAX_ATTRIBUTE_VALUE_BYTES, ODR_MAX_USER_ATTRIBUTES, ODR_EVENT_SEARCH, ODR_EVENT_STORE_VISIT,
 *     ODR_SOURCE_COHORT. odr_sync_result.events_renumbered, in bytes that were padding in version 1 (sizeof is
 *     unchanged): a version-1 library leaves it 0, which only this version number tells from "none renumbered".
 *  3  Export and data minimisation: odr_export_json, odr_export_server_json, ODR_EXPORT_NOTHING_ON_SERVER;
 *     odr_config.sync_context, sync_value and sync_time with ODR_SYNCED_CONTEXT_*, ODR_SYNCED_VALUE_*, ODR_SYNCED_TIME_*;
 *     odr_sync_result.erased_on_server and erasures_pending (appended: sizeof grows from 48 to 56 bytes);
 *     odr_experiment_arm. */
#define ODR_ABI_VERSION 3

/* Result codes. */
#define ODR_OK         0   /* success */
#define ODR_EINVAL     1   /* an argument is NULL, too long, not UTF-8 or out of range; nothing was changed */
#define ODR_ENOMEM     2   /* out of memory */
#define ODR_EIO        3   /* the database could not be read or written: disk full, permissions, missing
                              * directory, or another connection kept it locked past the busy timeout */
#define ODR_ECORRUPT   4   /* the database or a model is damaged */
#define ODR_ESTATE     5   /* the handle is NULL, closed or not from odr_open; or odr_sync without a sync_url */
#define ODR_EREFUSED   6   /* a model bundle failed verification (signature, hash) or could not run; from
                              * odr_sync also: the server refused for good, or its model failed download or
                              * verification (odr_sync_result.status says which, odr_errmsg why) */
#define ODR_EFULL      7   /* the event queue is full (the disk is not keeping up); event not recorded */
#define ODR_ECONSENT   8   /* consent does not allow it: odr_track / odr_record_feedback / odr_set_user_attribute while consent is
                              * revoked (event not recorded); odr_sync while consent is not granted, or
                              * withdrawn during the sync (nothing, or nothing more, sent) */
#define ODR_PENDING    9   /* odr_poll only, not an error: the answer is not ready yet; poll again later */
#define ODR_ECANCELED  10  /* odr_poll only: no answer will come, because the request was canceled
                              * (odr_request_cancel) or its client was closed before the work started */
#define ODR_EINTERNAL  99  /* a bug: please report it with odr_errmsg() */

/* odr_sync_result.status */
#define ODR_SYNC_COMPLETED    0   /* every pending event is on the server and the model is current */
#define ODR_SYNC_NO_CONSENT   1   /* consent is not granted: nothing was sent */
#define ODR_SYNC_UNREACHABLE  2   /* network, timeouts, 5xx or 429: the next sync resumes where this one stopped */
#define ODR_SYNC_REFUSED      3   /* the server refused for good (bad key, invalid data): see odr_errmsg */
#define ODR_SYNC_MODEL_FAILED 4   /* events synced, but the offered model failed download or verification */

/* Which fields of each event leave the device at sync (odr_config.sync_context, sync_value, sync_time; 0 = the
 * default, SyncOptions.Fields = SyncedFields.Minimal: ODR_SYNCED_CONTEXT_LINKING, ODR_SYNCED_VALUE_OMIT, ODR_SYNCED_TIME_HOUR).
 * User, item, type and sequence always go: training needs them. The device keeps every field whatever is chosen. */
#define ODR_SYNCED_CONTEXT_NONE    1   /* no context: experiments cannot tell an impression's arm, nor link a click to its answer */
#define ODR_SYNCED_CONTEXT_LINKING 2   /* only request_id and arm (the keys the server reads) */
#define ODR_SYNCED_CONTEXT_ALL     3   /* every key, the app's own and the library's (rank, source, onboarding) */
#define ODR_SYNCED_VALUE_OMIT      1   /* values (ratings, dwell seconds) stay on the device; 0 is sent */
#define ODR_SYNCED_VALUE_SEND      2
#define ODR_SYNCED_TIME_EXACT      1   /* times as tracked, to the millisecond */
#define ODR_SYNCED_TIME_SECOND     2   /* times rounded down to the second, minute, hour or day (UTC) */
#define ODR_SYNCED_TIME_MINUTE     3
#define ODR_SYNCED_TIME_HOUR       4
#define ODR_SYNCED_TIME_DAY        5

/* odr_export_server_json: this device's identity never contacted a server, so the server holds nothing under it.
 * Not an error: nothing was sent and no file was written. */
#define ODR_EXPORT_NOTHING_ON_SERVER 11

/* Limits. */
#define ODR_MAX_ID_BYTES      256  /* user and item ids, in UTF-8 bytes, without the NUL */
#define ODR_MAX_REASON_BYTES  256  /* explanation buffer, NUL included */
#define ODR_MAX_ATTRIBUTE_KEY_BYTES   64   /* user attribute keys, in UTF-8 bytes, without the NUL */
#define ODR_MAX_ATTRIBUTE_VALUE_BYTES 128  /* user attribute values, in UTF-8 bytes, without the NUL */
#define ODR_MAX_USER_ATTRIBUTES       32   /* attributes one user may hold */

/* Event types; 1000–1999 are free for the application. */
#define ODR_EVENT_VIEW        1
#define ODR_EVENT_CLICK       2
#define ODR_EVENT_PLAY        3
#define ODR_EVENT_PURCHASE    4
#define ODR_EVENT_RATE        5   /* value = rating */
#define ODR_EVENT_DWELL       6   /* value = seconds */
#define ODR_EVENT_IMPRESSION  7
#define ODR_EVENT_DISMISS     8
/* Other channels. A search's item_id is the query or the category searched (it names no item: it never enters
 * item histories or popularity); a store visit's item_id is the item looked at in a store (web shop, store page). */
#define ODR_EVENT_SEARCH      9
#define ODR_EVENT_STORE_VISIT 10

/* Consent. */
#define ODR_CONSENT_UNKNOWN    0   /* kept on the device; nothing leaves it */
#define ODR_CONSENT_GRANTED    1   /* kept and may be synced */
#define ODR_CONSENT_REVOKED    2   /* nothing new is recorded */
#define ODR_CONSENT_LOCAL_ONLY 3   /* kept on the device, never synced */

/* A new user's answer about an onboarding item (odr_onboarding_answer). */
#define ODR_ANSWER_LIKED      1   /* knows it and likes it: recorded as a rating of 5 (the model uses it at once) */
#define ODR_ANSWER_DISLIKED   2   /* knows it, does not like it: recorded as a dismissal (never recommended) */
#define ODR_ANSWER_NOT_SEEN   3   /* does not know it: recorded as an impression only (not asked again); while the user
                                     * knows few items, items like it rank lower */

/* Where a recommendation came from. */
#define ODR_SOURCE_MODEL      0
#define ODR_SOURCE_CONTENT    1
#define ODR_SOURCE_POPULARITY 2
#define ODR_SOURCE_COHORT     3   /* popular with people sharing the user's attributes or searches (cold start) */

/* How the structs grow (the rule of ONNX Runtime's OrtApi, applied to data): a struct is append-only. A later
 * version adds fields at its end only; it never removes, reorders, resizes or reinterprets a field, so the offsets
 * below hold for every library from ODR_ABI_VERSION 1 on (tests/native/abi_layout.c asserts every offset and size on
 * 64-bit targets). A field is there in a library whose odr_abi_version() is at least the version that added it (see
 * ODR_ABI_VERSION); an older library zeroes it in the structs it fills (as it did events_renumbered, in former
 * padding) and refuses it non-zero in odr_config (see below). No struct has padding between its fields: each field
 * sits at a multiple of its own alignment (only the end of a struct may be padded up to its alignment).
 *  - odr_config (the caller fills it, the library reads it) starts with struct_size = sizeof(odr_config) as the
 *    caller compiled it. The library reads only the first struct_size bytes: fields an older caller does not
 *    have count as zero (their defaults); a struct_size smaller than the first layout (64 bytes, up to
 *    sync_max_attempts) is ODR_EINVAL. A
 *    newer caller's extra fields must be zero when the library is older than them, or odr_open refuses
 *    (ODR_EINVAL) rather than silently ignore what was asked for.
 *  - Structs the library fills (odr_recommendation, odr_recent_item, odr_profile, odr_sync_result) have no
 *    size field: every function that fills one takes the caller's sizeof as an argument (item_size,
 *    profile_size, result_size). The library writes exactly that many bytes per struct, arrays at that stride:
 *    bytes past its own layout (fields of a newer header) are zeroed, fields past that size are not written. A
 *    size smaller than the first layout of that struct is ODR_EINVAL. odr_recommend_callback's items use the
 *    item_size given to odr_recommend_async. odr_record_feedback reads only fields of the first layout, so it
 *    needs no size. */

/* Opaque client handle. */
typedef struct odr_client odr_client;
/* Opaque handle of one recommendation request made with odr_recommend_start; freed with odr_request_free. */
typedef struct odr_request odr_request;

/* Configuration for odr_open. Zero it, set struct_size = sizeof(odr_config), then the fields you need. */
typedef struct odr_config {
    uint32_t struct_size;          /* sizeof(odr_config): lets later versions add fields compatibly (see above) */
    int32_t initial_consent;       /* ODR_CONSENT_*, applied only when the store has no consent yet */
    const char *database_path;     /* required; its directory must exist; copied, need not outlive the call */
    const char *trusted_key_pem;   /* optional PEM public key (ECDSA P-256) that model bundles must be signed with */
    const char *sync_url;          /* optional server base address (http or https); several addresses of one
                                    * service (nodes sharing its database) separated by spaces or commas fail over
                                    * in turn on network errors, timeouts and 5xx; NULL = no sync */
    const char *sync_api_key;      /* the app's API key for that server; required with sync_url */
    int64_t max_events;            /* events kept before the oldest are evicted;
                                    * 0 = default, StoreOptions.MaxRows = 500,000 */
    int32_t flush_interval_ms;     /* longest time a tracked event waits in memory;
                                    * 0 = default, StoreOptions.FlushInterval = 500 ms */
    int32_t inference_threads;     /* threads one inference may use; 0 = default, InferenceOptions.IntraOpThreads = 1 */
    int32_t sync_interval_s;       /* automatic sync period in seconds; 0 = only when odr_sync is called */
    int32_t sync_max_attempts;     /* HTTP attempts per request before a sync gives up;
                                    * 0 = default, SyncOptions.MaxAttempts = 5 */
    int32_t sync_context;          /* ODR_SYNCED_CONTEXT_*: which context keys are synced; 0 = default, ODR_SYNCED_CONTEXT_LINKING.
                                    * ODR_ABI_VERSION 3, as are the next two */
    int32_t sync_value;            /* ODR_SYNCED_VALUE_*: whether values are synced; 0 = default, ODR_SYNCED_VALUE_OMIT */
    int32_t sync_time;             /* ODR_SYNCED_TIME_*: how precisely times are synced; 0 = default, ODR_SYNCED_TIME_HOUR */
} odr_config;

/* What one odr_sync did (filled by the library). */
typedef struct odr_sync_result {
    int32_t status;                /* ODR_SYNC_* */
    int32_t events_sent;           /* events the server acknowledged in this sync */
    int32_t events_already_on_server; /* of those, resends the server recognised and stored once */
    int32_t batches;               /* requests acknowledged */
    int32_t attempts;              /* HTTP attempts, retries included */
    int32_t http_status;           /* status of the last failed response, 0 when none */
    int64_t model_version;         /* model serving after the sync, 0 when none */
    int32_t model_updated;         /* 1 when this sync verified and swapped in a new model */
    int32_t retry_after_ms;        /* how long the server asked the device to wait, 0 when it did not */
    int32_t events_set_aside;      /* events the server refused for good in this sync (they break the event
                                    * contract, e.g. written by an older SDK): kept on the device, never sent
                                    * again, and no longer holding back the events after them; logged once */
    int32_t events_renumbered;     /* events numbered anew in this sync because the server held other events
                                    * under their sequence ids (the store was restored from a backup); sent
                                    * again under the new ids and counted in events_sent once they landed.
                                    * ODR_ABI_VERSION 2, in what was padding: sizeof is unchanged */
    int32_t erased_on_server;      /* erasures the server confirmed in this sync (one per identity odr_erase_all
                                    * erased): it deleted what it held under it. ODR_ABI_VERSION 3, as is the next */
    int32_t erasures_pending;      /* erasures still owed after this sync (the server could not be reached): the next
                                    * odr_sync asks again, also after a restart; odr_sync returns ODR_OK only at 0 */
} odr_sync_result;

/* One recommended item (filled by the library). */
typedef struct odr_recommendation {
    double score;                  /* higher is better; comparable within one response only */
    int32_t rank;                  /* 1-based */
    int32_t source;                /* ODR_SOURCE_* */
    int32_t is_exploration;        /* 1 when the slot was given to something new on purpose */
    char item_id[ODR_MAX_ID_BYTES + 1];
    char reason[ODR_MAX_REASON_BYTES]; /* e.g. "Because you played Game 30"; cut at a UTF-8 boundary */
    char request_id[33];           /* the response this item belongs to (same for every item of one call) */
} odr_recommendation;

/* One step of a user's recent behaviour, oldest first. */
typedef struct odr_recent_item {
    int64_t timestamp_ms;          /* Unix time, milliseconds */
    double value;
    int32_t type;                  /* ODR_EVENT_* */
    char item_id[ODR_MAX_ID_BYTES + 1];
} odr_recent_item;

/* What the device knows about a user, computed from the user's most recently recorded events only, the profile
 * window of StoreOptions.ProfileWindow = 5,000 events: every field below describes that window, not the user's
 * whole history. */
typedef struct odr_profile {
    int32_t total_events;          /* events in the window: at most its size, whatever the user's lifetime total */
    int32_t session_count;         /* sessions within the window (a pause longer than
                                    * StoreOptions.SessionGap = 30 minutes starts a new one) */
    int64_t first_seen_ms;         /* oldest event in the window, Unix ms; 0 for an unknown user */
    int64_t last_seen_ms;          /* newest event, Unix ms; 0 for an unknown user */
    double category_scores[5];     /* shares of the user's decayed preference, summing to ≤ 1 */
    int32_t category_count;        /* entries used in category_scores and categories, strongest first */
    char categories[5][65];
} odr_profile;

/* Log lines: level 0 trace … 5 critical. message is valid during the call only. Called from any thread, also
 * several at once and from the library's own threads; keep it short (odr_set_log_callback waits for it), and do
 * not call odr_close from it (a line may come from the writer thread that odr_close waits for). */
typedef void (*odr_log_callback)(void *user_data, int32_t level, const char *message);

/* Completion of odr_recommend_async, called once on a library thread. items is valid during the call only and
 * laid out at the item_size passed to odr_recommend_async; on failure result is an ODR_E* code, items is NULL
 * and count 0. */
typedef void (*odr_recommend_callback)(void *user_data, int32_t result, const odr_recommendation *items, int32_t count);

/* Library version string, e.g. "0.1.0" (static, never free). */
ODR_API const char *odr_version(void);
/* ABI version of the loaded library; compare with ODR_ABI_VERSION. */
ODR_API int32_t odr_abi_version(void);
/* Static description of a result code (never NULL, never free). */
ODR_API const char *odr_errstr(int32_t code);
/* The calling thread's last error message on client (see the top of this file), or odr_last_error() when client
 * is NULL or not open. NULL when this thread has not failed on client. Valid until this thread's next call on
 * client (odr_errmsg itself excepted) or until odr_close(client). */
ODR_API const char *odr_errmsg(odr_client *client);
/* The calling thread's last error message, whatever the call. May be NULL. Valid until this thread's next failing call. */
ODR_API const char *odr_last_error(void);
/* Installs (or with NULL removes) the process-wide log callback. user_data is passed back untouched, always with
 * the callback it was installed with. Blocks until calls of the previous callback running on other threads have
 * returned: once this returns, the previous callback is never called again and its user_data may be freed.
 * May be called from inside the callback: it then does not wait for the calls on its own thread's stack (they
 * return after it does). Two threads each replacing the callback from inside it at once deadlock: don't. */
ODR_API int32_t odr_set_log_callback(odr_log_callback callback, void *user_data);

/* Opens (creating, migrating or recovering) the store. On success *out_client is a new handle the caller
 * closes with odr_close; on failure it is NULL, odr_last_error() says why, and nothing the attempt opened stays
 * open (no thread, no file descriptor). Blocks on disk I/O, and while another connection holds the database's
 * write lock for up to the busy timeout more (a few seconds; then ODR_EIO). */
ODR_API int32_t odr_open(const odr_config *config, odr_client **out_client);
/* Commits everything tracked, then frees the handle. NULL is a no-op; a handle already closed returns ODR_ESTATE.
 * Blocks: on disk I/O, and until calls in flight on the handle from other threads (and pending
 * odr_recommend_async callbacks, and odr_recommend_start requests being computed) have returned; requests not
 * started yet are canceled instead of waited for. Closing the last open client also returns the library's
 * managed memory to the OS (one full garbage collection). Do not use the handle afterwards. */
ODR_API int32_t odr_close(odr_client *client);

/* Records an event. Never blocks on disk. timestamp_ms 0 = now. Returns ODR_ECONSENT or ODR_EFULL when the
 * event was valid but not recorded. Strings are copied. */
ODR_API int32_t odr_track(odr_client *client, const char *user_id, const char *item_id, int32_t event_type,
                          double value, int64_t timestamp_ms);
/* Returns when every event tracked before the call is on disk. Blocks. */
ODR_API int32_t odr_flush(odr_client *client);

/* User attributes: categorical facts about a user (platform, locale, age band…), one value per key. They pick a
 * new user's cold-start list (ODR_SOURCE_COHORT) from the model's cohort table, and sync like events.
 * odr_set_user_attribute sets key of user_id to value (replacing an earlier value) and returns once it is on disk
 * (blocks: one short SQLite write; call it from any thread, not per frame). key: 1–64 UTF-8 bytes, value:
 * 1–128, both visible text without control characters; a user holds at most ODR_MAX_USER_ATTRIBUTES (ODR_EINVAL
 * beyond, nothing changed). ODR_ECONSENT while consent is revoked (nothing recorded); local-only consent keeps it
 * on the device for good. The library copies every string before returning; the caller keeps ownership. */
ODR_API int32_t odr_set_user_attribute(odr_client *client, const char *user_id, const char *key, const char *value);
/* Removes key from user_id (the removal syncs too, so the server forgets the value). Blocks like
 * odr_set_user_attribute. *out_removed (may be NULL) is 1 when the user had the attribute, else 0. */
ODR_API int32_t odr_remove_user_attribute(odr_client *client, const char *user_id, const char *key, int32_t *out_removed);
/* Copies the value of key for user_id, NUL-terminated, into buffer (owned by the caller, buffer_size bytes;
 * ODR_MAX_ATTRIBUTE_VALUE_BYTES + 1 always suffices). *out_length (not NULL) gets the value's length without the
 * NUL, 0 when the user has no such attribute (buffer then holds ""). A buffer too small returns ODR_EINVAL with
 * *out_length set to the length needed. Reads SQLite (blocks briefly). */
ODR_API int32_t odr_get_user_attribute(odr_client *client, const char *user_id, const char *key,
                                       char *buffer, size_t buffer_size, size_t *out_length);

/* Fills results[0..*out_count) with up to count (1 to RecoClient.MaxRecommendations = 1000) items, best first.
 * results must hold count entries and is owned by the caller; item_size is sizeof(odr_recommendation). Blocks (see
 * the top of this file). */
ODR_API int32_t odr_recommend(odr_client *client, const char *user_id, int32_t count,
                              odr_recommendation *results, size_t item_size, int32_t *out_count);
/* Same, without blocking: arguments are checked now (errors returned at once), the answer arrives through
 * callback on a library thread, exactly once. Hosts that must not be called on a foreign thread (LuaJIT and most
 * scripting runtimes) use odr_recommend_start and odr_poll instead. The pending request holds the handle: odr_close waits for the
 * callback to return, and the callback may itself call odr_close. */
ODR_API int32_t odr_recommend_async(odr_client *client, const char *user_id, int32_t count, size_t item_size,
                                    odr_recommend_callback callback, void *user_data);

/* Polling: recommendations for hosts that own a single thread (game loops; LuaJIT, GDScript, Wren, Squirrel and
 * most Lua bindings, which must not be called back on a foreign thread). No callback: odr_recommend_start queues
 * the work on a library thread and returns a request; the frame loop calls odr_poll on it once per frame, which
 * answers ODR_PENDING until the answer is ready and then copies it into the caller's buffer, on the caller's
 * thread. Per-frame cost is bounded: odr_poll never blocks and never waits for the work (a table lookup while
 * pending; a copy of at most capacity items when ready: cheap enough for every frame). Any number of requests
 * may be in flight on one client; each request may be used from any thread.
 * Lifetime: the request belongs to the caller until odr_request_free, whatever happens to its client. odr_close
 * cancels requests whose work has not started (they answer ODR_ECANCELED) and waits for those being computed
 * (one odr_recommend each; they answer normally). A request outliving its client keeps its answer (or
 * ODR_ECANCELED) until freed; it never touches the closed client. */

/* Starts computing up to count (1 to RecoClient.MaxRecommendations, as for odr_recommend) recommendations for
 * user_id. Checks the arguments now (errors are returned at once, *out_request is then NULL; odr_errmsg(client) says
 * why); user_id is copied. On ODR_OK *out_request is a new request the caller must free with odr_request_free. Never
 * blocks: it copies user_id and queues the work (the process's first call also starts the library's worker threads,
 * which costs more once). */
ODR_API int32_t odr_recommend_start(odr_client *client, const char *user_id, int32_t count, odr_request **out_request);
/* Never blocks. ODR_PENDING while the answer is being computed (*out_count = 0, nothing written); ODR_OK once
 * it is ready: results[0..*out_count) are filled with up to capacity (≥ 1) items of item_size bytes
 * (sizeof(odr_recommendation)), best first — pass capacity ≥
 * the count given to odr_recommend_start to get them all; results is owned by the caller. Once ready, every
 * later odr_poll gives the same answer again until odr_request_free. ODR_ECANCELED when the request was
 * canceled or its client closed before the work started; the error odr_recommend would have returned (ODR_EIO…)
 * when the work failed. ODR_ESTATE for NULL, freed or foreign requests; ODR_EINVAL for NULL results or
 * out_count or capacity < 1. Failures leave their message in odr_last_error() (odr_errmsg needs a client, and
 * the request may have outlived it). */
ODR_API int32_t odr_poll(odr_request *request, odr_recommendation *results, int32_t capacity, size_t item_size,
                         int32_t *out_count);
/* The host no longer wants the answer: from now on odr_poll returns ODR_ECANCELED, also if the answer was
 * already there. Work not started yet is skipped; work already running finishes and its answer is dropped.
 * Never blocks. The request must still be freed. ODR_ESTATE for NULL, freed or foreign requests. */
ODR_API int32_t odr_request_cancel(odr_request *request);
/* Cancels the request if it is still pending and frees it: never blocks, may be called before or after
 * odr_close of its client, in any order with other requests. NULL is a no-op; a request already freed returns
 * ODR_ESTATE. Do not use the pointer afterwards: a later odr_recommend_start may hand out the same value. */
ODR_API int32_t odr_request_free(odr_request *request);

/* Records that the user was shown (ODR_EVENT_IMPRESSION) or acted on (ODR_EVENT_CLICK, _PLAY, _PURCHASE…)
 * an item of a response, linked to it by item->request_id and item->rank, so training learns from what was
 * shown. item is read during the call only. Never blocks on disk. */
ODR_API int32_t odr_record_feedback(odr_client *client, const char *user_id, const odr_recommendation *item,
                                    int32_t event_type);

/* Onboarding a brand-new user: fills items[0..*out_count) with up to count (1 to RecoClient.MaxOnboardingItems =
 * 100) items to ask the user about ("which of these do you know and like?"), in the order to ask them (rank 1
 * first). They are popular enough to be known and together cover the catalogue: far apart in the model's item
 * embeddings (source ODR_SOURCE_MODEL) and in different categories; without a model, categories and popularity only
 * (ODR_SOURCE_POPULARITY). reason says why each was chosen, e.g. "Popular in Racing, a category not asked about
 * yet"; score is 1/rank, is_exploration 0 and request_id empty (answers go through odr_onboarding_answer, not
 * odr_record_feedback). Items the user touched or was shown are left out, so calling again after some answers
 * proposes further ones; *out_count is 0 when the device knows no item at all. items must hold count entries and is
 * owned by the caller; item_size is sizeof(odr_recommendation). ODR_EINVAL for a NULL or invalid user_id, NULL items
 * or out_count, count outside its range or a too small item_size (nothing is written). Any thread. Blocks like
 * odr_recommend (SQLite reads; no model run: the embeddings are compared directly, count × max(50, 8 × count) dot
 * products). */
ODR_API int32_t odr_onboarding_items(odr_client *client, const char *user_id, int32_t count,
                                     odr_recommendation *items, size_t item_size, int32_t *out_count);
/* Records the user's answer (ODR_ANSWER_*) about an onboarding item as an ordinary event (see the constants),
 * with context onboarding=liked|disliked|notseen; synced and trained on like any other. The next odr_recommend
 * uses it. Strings are copied. Never blocks on disk (like odr_track). ODR_EINVAL for an unknown answer or an
 * invalid id; ODR_ECONSENT or ODR_EFULL when the answer was valid but not recorded. Any thread. */
ODR_API int32_t odr_onboarding_answer(odr_client *client, const char *user_id, const char *item_id, int32_t answer);

/* Adds or replaces an item's categories (content features for cold start and profiles). categories is an
 * array of category_count (0–32) strings, each at most 64 bytes and without '|'; all are copied. Blocks. */
ODR_API int32_t odr_upsert_item(odr_client *client, const char *item_id, const char *const *categories,
                                int32_t category_count);

/* Fills items[0..*out_count) with the user's last max_items (1–10000) steps, oldest first; item_size is
 * sizeof(odr_recent_item). */
ODR_API int32_t odr_recent_sequence(odr_client *client, const char *user_id, int32_t max_items,
                                    odr_recent_item *items, size_t item_size, int32_t *out_count);
/* Fills *profile (owned by the caller; profile_size is sizeof(odr_profile)). An unknown user gets an all-zero profile. */
ODR_API int32_t odr_get_profile(odr_client *client, const char *user_id, odr_profile *profile, size_t profile_size);

/* Consent (ODR_CONSENT_*), persisted before return. */
ODR_API int32_t odr_set_consent(odr_client *client, int32_t consent);
ODR_API int32_t odr_get_consent(odr_client *client, int32_t *consent);
/* Deletes every event and every file trace of the store (WAL included, overwritten first) and starts afresh under a
 * new device id. Blocks. When the erased identity may have synced, the server's erasure of its data is owed from now
 * on, kept in a file beside the database (also across restarts), and asked for by the next odr_sync: that sync returns
 * ODR_OK only once nothing of it is left on the server (ODR_EIO while it is still owed). ODR_EIO here: the erasure
 * could not be written down (a full disk), and nothing was erased. */
ODR_API int32_t odr_erase_all(odr_client *client);

/* Verifies the signed model bundle in bundle_dir against config->trusted_key_pem and swaps it in
 * atomically; on failure (ODR_EREFUSED) the previous model keeps serving. *out_version may be NULL. */
ODR_API int32_t odr_load_model(odr_client *client, const char *bundle_dir, int64_t *out_version);

/* Sends every unsynced event (only while consent is ODR_CONSENT_GRANTED), then fetches, verifies and hot-swaps a
 * newer model if the server has one. Blocks on the network: call it from a worker thread, never the frame loop.
 * Events are marked synced only after the server acknowledged them; an interrupted sync resumes next time and
 * the server stores every event once. *out_result (required; result_size is sizeof(odr_sync_result)) is filled
 * whatever the outcome.
 * An erasure owed (odr_erase_all) is asked for first, whatever the consent.
 * Returns ODR_OK (completed), ODR_ECONSENT (no consent), ODR_EIO (unreachable), ODR_EREFUSED (refused or model
 * failed; odr_errmsg says why), ODR_ESTATE (no sync_url was configured). Thread-safe: concurrent calls queue. */
ODR_API int32_t odr_sync(odr_client *client, odr_sync_result *out_result, size_t result_size);

/* Copies the label of the experiment arm this device is on, "experiment/arm" (ASCII, at most 129 bytes), NUL-terminated,
 * into buffer (owned by the caller, buffer_size bytes). The arm comes from the server at odr_sync and holds while the
 * model loaded is that arm's own version; impressions carry the same label (context key arm). *out_length (not NULL)
 * gets the label's length without the NUL, 0 when the device is on no arm (buffer then holds "" if buffer_size > 0).
 * A buffer too small returns ODR_EINVAL with *out_length set to the length needed. Never blocks. Any thread. */
ODR_API int32_t odr_experiment_arm(odr_client *client, char *buffer, size_t buffer_size, size_t *out_length);

/* Export (a user's rights of access and portability). odr_export_json writes everything the store holds about
 * user_id — or about every user when user_id is NULL — to the file at path as UTF-8 JSON: every event with its sync
 * state, attributes, onboarding answers, and the device's id, consent, model version, experiment arm and server
 * erasures still owed (schema: docs/privacy.md). The file is written beside its final name and renamed into place, so
 * a failure leaves no partial file; an existing file is replaced. Events tracked before the call are in it. Blocks on
 * SQLite reads and file I/O. ODR_EINVAL for a NULL or invalid path or user_id; ODR_EIO when the file cannot be written. */
ODR_API int32_t odr_export_json(odr_client *client, const char *user_id, const char *path);
/* Fetches the server's export of what it holds under this device (events, attribute rows, batch records; ids as the
 * server stores them) and writes it to the file at path, as odr_export_json writes its file. Needs no consent and
 * sends no events: only the device's id and the secret that proves it. Blocks on the network: call it from a worker
 * thread. Returns ODR_OK (written), ODR_EXPORT_NOTHING_ON_SERVER (this identity never contacted a server: nothing
 * asked, no file), ODR_EIO (unreachable, or the file cannot be written), ODR_EREFUSED (refused, or the server erased
 * this identity: odr_errmsg says which), ODR_ESTATE (no sync_url was configured). */
ODR_API int32_t odr_export_server_json(odr_client *client, const char *path);

#ifdef __cplusplus
}
#endif

#endif /* ONDEVICERECO_H */
