#!/usr/bin/env python3
"""A Python host of the OnDeviceReco C library, standard library only (ctypes): open a store, record a few
plays, ask for recommendations (blocking and async), read the profile, show an error, close.
Exits non-zero on any failure.

Usage: recommend.py [library.so [database [bundle dir public-key.pem]]]
With no arguments it loads the repo's dist/lib/libondevicereco.so and uses a throwaway database.
"""
import ctypes as C
import os
import sys
import tempfile
import threading
from pathlib import Path

ODR_OK, ODR_EINVAL = 0, 1
ODR_EVENT_PLAY = 3
ODR_CONSENT_LOCAL_ONLY = 3
ODR_MAX_ID_BYTES, ODR_MAX_REASON_BYTES = 256, 256
# The ABI version that added everything this sample calls: any library at least that new serves it (the ABI only grows).
ODR_ABI_VERSION = 1


# Mirrors of ondevicereco.h, field for field: ctypes applies the same alignment rules as the C compiler, so
# the padding holes (after item_id, after categories) come out as in C without being spelled out here.
class OdrConfig(C.Structure):
    _fields_ = [("struct_size", C.c_uint32),
                ("initial_consent", C.c_int32),
                ("database_path", C.c_char_p),
                ("trusted_key_pem", C.c_char_p),
                ("sync_url", C.c_char_p),
                ("sync_api_key", C.c_char_p),
                ("max_events", C.c_int64),
                ("flush_interval_ms", C.c_int32),
                ("inference_threads", C.c_int32),
                ("sync_interval_s", C.c_int32),
                ("sync_max_attempts", C.c_int32)]


class OdrRecommendation(C.Structure):
    _fields_ = [("score", C.c_double),
                ("rank", C.c_int32),
                ("source", C.c_int32),
                ("is_exploration", C.c_int32),
                ("item_id", C.c_char * (ODR_MAX_ID_BYTES + 1)),
                ("reason", C.c_char * ODR_MAX_REASON_BYTES),
                ("request_id", C.c_char * 33)]


class OdrProfile(C.Structure):
    _fields_ = [("total_events", C.c_int32),
                ("session_count", C.c_int32),
                ("first_seen_ms", C.c_int64),
                ("last_seen_ms", C.c_int64),
                ("category_scores", C.c_double * 5),
                ("category_count", C.c_int32),
                ("categories", (C.c_char * 65) * 5)]


LOG_CALLBACK = C.CFUNCTYPE(None, C.c_void_p, C.c_int32, C.c_char_p)
RECOMMEND_CALLBACK = C.CFUNCTYPE(None, C.c_void_p, C.c_int32, C.POINTER(OdrRecommendation), C.c_int32)


def load(path):
    lib = C.CDLL(path)
    client_p = C.c_void_p  # odr_client* is opaque: never dereferenced here
    # Without argtypes ctypes would pass Python ints as C int (truncating 64-bit handles) and guess restypes.
    signatures = {
        "odr_version": (C.c_char_p, []),
        "odr_abi_version": (C.c_int32, []),
        # c_char_p results are copied into bytes at once, which suits the library-owned message strings.
        "odr_errstr": (C.c_char_p, [C.c_int32]),
        "odr_errmsg": (C.c_char_p, [client_p]),
        "odr_last_error": (C.c_char_p, []),
        "odr_set_log_callback": (C.c_int32, [LOG_CALLBACK, C.c_void_p]),
        "odr_open": (C.c_int32, [C.POINTER(OdrConfig), C.POINTER(client_p)]),
        "odr_close": (C.c_int32, [client_p]),
        "odr_track": (C.c_int32, [client_p, C.c_char_p, C.c_char_p, C.c_int32, C.c_double, C.c_int64]),
        "odr_flush": (C.c_int32, [client_p]),
        # Functions that fill structs take the caller's sizeof: the library writes at that size and stride.
        "odr_recommend": (C.c_int32, [client_p, C.c_char_p, C.c_int32, C.POINTER(OdrRecommendation),
                                      C.c_size_t, C.POINTER(C.c_int32)]),
        "odr_recommend_async": (C.c_int32, [client_p, C.c_char_p, C.c_int32, C.c_size_t, RECOMMEND_CALLBACK,
                                            C.c_void_p]),
        "odr_get_profile": (C.c_int32, [client_p, C.c_char_p, C.POINTER(OdrProfile), C.c_size_t]),
        "odr_load_model": (C.c_int32, [client_p, C.c_char_p, C.POINTER(C.c_int64)]),
    }
    for name, (restype, argtypes) in signatures.items():
        function = getattr(lib, name)
        function.restype, function.argtypes = restype, argtypes
    return lib


class OdrError(Exception):
    pass


def main(argv):
    repo = Path(__file__).resolve().parents[2]
    library = argv[1] if len(argv) > 1 else str(repo / "dist" / "lib" / "libondevicereco.so")
    scratch = tempfile.TemporaryDirectory() if len(argv) < 3 else None
    database = argv[2] if scratch is None else os.path.join(scratch.name, "py.db")
    bundle, key_path = (argv[3], argv[4]) if len(argv) > 4 else (None, None)

    lib = load(library)
    if lib.odr_abi_version() < ODR_ABI_VERSION:
        raise OdrError("library ABI %d is older than the %d this sample needs" % (lib.odr_abi_version(), ODR_ABI_VERSION))

    # The library calls this from its own threads; ctypes takes the GIL for them. The object must outlive
    # every call, so it is held in a local until it is uninstalled below.
    @LOG_CALLBACK
    def on_log(_, level, message):
        if level >= 3:  # warnings and worse
            print("[odr %d] %s" % (level, message.decode("utf-8", "replace")), file=sys.stderr)

    lib.odr_set_log_callback(on_log, None)

    # Bytes objects kept in locals: the config only borrows their memory for the duration of odr_open.
    key = Path(key_path).read_bytes() if key_path else None
    config = OdrConfig(struct_size=C.sizeof(OdrConfig), database_path=os.fsencode(database),
                       trusted_key_pem=key, initial_consent=ODR_CONSENT_LOCAL_ONLY)
    client = C.c_void_p()
    if lib.odr_open(C.byref(config), C.byref(client)) != ODR_OK:
        raise OdrError("odr_open: %s" % lib.odr_last_error().decode())
    print("OnDeviceReco %s (ABI %d) from Python %s" % (lib.odr_version().decode(), lib.odr_abi_version(),
                                                        sys.version.split()[0]))

    def check(rc, what):
        if rc != ODR_OK:
            message = lib.odr_errmsg(client) or b"?"
            raise OdrError("%s: %s (%s)" % (what, lib.odr_errstr(rc).decode(), message.decode()))

    try:
        if bundle:
            version = C.c_int64()
            check(lib.odr_load_model(client, os.fsencode(bundle), C.byref(version)), "odr_load_model")
            print("model v%d loaded" % version.value)

        # MovieLens ids, so a model trained on the repo's data recognises them; any ids work without one.
        for item in (b"1", b"260", b"1196"):
            check(lib.odr_track(client, b"player-1", item, ODR_EVENT_PLAY, 0.0, 0), "odr_track")
        for _ in range(5):
            check(lib.odr_track(client, b"someone-else", b"2571", ODR_EVENT_PLAY, 0.0, 0), "odr_track")
        check(lib.odr_flush(client), "odr_flush")

        results = (OdrRecommendation * 5)()  # caller-owned array, as odr_recommend requires
        count = C.c_int32()
        check(lib.odr_recommend(client, b"player-1", len(results), results,
                                        C.sizeof(OdrRecommendation), C.byref(count)), "odr_recommend")
        if count.value == 0:
            raise OdrError("odr_recommend returned no items")
        for r in results[:count.value]:
            print("%d. %s score=%.4f source=%d %s" % (r.rank, r.item_id.decode(), r.score, r.source,
                                                      r.reason.decode()))

        profile = OdrProfile()
        check(lib.odr_get_profile(client, b"player-1", C.byref(profile), C.sizeof(profile)), "odr_get_profile")
        categories = ", ".join("%s %.2f" % (profile.categories[i].value.decode(), profile.category_scores[i])
                               for i in range(profile.category_count))
        print("profile: %d events, %d sessions%s" % (profile.total_events, profile.session_count,
                                                     "; " + categories if categories else ""))

        # An error path: ids must be UTF-8. ctypes hands the bytes over unchanged, so the library sees them.
        rc = lib.odr_track(client, b"bad-\xc3\x28", b"1", ODR_EVENT_PLAY, 0.0, 0)
        if rc != ODR_EINVAL:
            raise OdrError("invalid UTF-8 user id returned %d, expected ODR_EINVAL" % rc)
        print("invalid UTF-8 user id -> %s: %s" % (lib.odr_errstr(rc).decode(), lib.odr_errmsg(client).decode()))

        # Async: the answer arrives on a library thread. items is only valid inside the callback, so it is
        # copied there; exceptions cannot cross back into C, so failures are recorded instead of raised.
        done, answer = threading.Event(), {}

        def on_recommend(_, result, items, n):
            try:
                answer["result"] = result
                answer["items"] = [(items[i].rank, items[i].item_id.decode()) for i in range(n)]
            except BaseException as e:
                answer["error"] = e
            finally:
                done.set()

        callback = RECOMMEND_CALLBACK(on_recommend)  # must stay referenced until the callback has run
        check(lib.odr_recommend_async(client, b"player-1", 3, C.sizeof(OdrRecommendation), callback, None), "odr_recommend_async")
        if not done.wait(30):
            raise OdrError("odr_recommend_async: no callback within 30 s")
        if "error" in answer or answer["result"] != ODR_OK or not answer["items"]:
            raise OdrError("odr_recommend_async failed: %r" % answer)
        print("async:", ", ".join("%d. %s" % item for item in answer["items"]))
    finally:
        rc = lib.odr_close(client)
        # Uninstall before the interpreter tears down, so no library thread calls into a dead Python.
        lib.odr_set_log_callback(LOG_CALLBACK(), None)
        if scratch:
            scratch.cleanup()
    if rc != ODR_OK:
        raise OdrError("odr_close: %s" % lib.odr_errstr(rc).decode())
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (OdrError, OSError) as e:
        print("error:", e, file=sys.stderr)
        sys.exit(1)
