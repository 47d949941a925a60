/* A host that loads the library the way plugin systems and game engines do: dlopen with RTLD_LOCAL, no
 * link-time dependency on it or on libm. Opens a store, tracks, flushes, recommends, closes. */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include "ondevicereco.h"

#define LOAD(name) name##_fn name = (name##_fn)dlsym(lib, #name); if (!name) { fprintf(stderr, "missing %s\n", #name); return 1; }
typedef int32_t (*odr_open_fn)(const odr_config *, odr_client **);
typedef int32_t (*odr_track_fn)(odr_client *, const char *, const char *, int32_t, double, int64_t);
typedef int32_t (*odr_flush_fn)(odr_client *);
typedef int32_t (*odr_recommend_fn)(odr_client *, const char *, int32_t, odr_recommendation *, size_t, int32_t *);
typedef int32_t (*odr_close_fn)(odr_client *);
typedef const char *(*odr_last_error_fn)(void);

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: %s <libondevicereco.so> <database>\n", argv[0]); return 2; }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 1; }
    LOAD(odr_open) LOAD(odr_track) LOAD(odr_flush) LOAD(odr_recommend) LOAD(odr_close) LOAD(odr_last_error)
    odr_config config;
    memset(&config, 0, sizeof config);
    config.struct_size = sizeof config;
    config.database_path = argv[2];
    odr_client *client = NULL;
    if (odr_open(&config, &client) != ODR_OK) { fprintf(stderr, "odr_open: %s\n", odr_last_error()); return 1; }
    if (odr_track(client, "u", "i", ODR_EVENT_PLAY, 1.25, 0) != ODR_OK || odr_flush(client) != ODR_OK) return 1;
    odr_recommendation results[3];
    int32_t count = 0;
    if (odr_recommend(client, "v", 3, results, sizeof *results, &count) != ODR_OK || count != 1) return 1;
    if (odr_close(client) != ODR_OK) return 1;
    printf("dlopen(RTLD_LOCAL) host: ok (%s)\n", results[0].item_id);
    return 0;
}
