/* Between the hand-written start-up (shim.c) and the forwarders generated from the header (generate.py). */
#ifndef ODR_SHIM_H
#define ODR_SHIM_H

/* The managed entry point of the index-th function of the generated table, starting the .NET runtime on first use
 * (once, whichever thread comes first; the others wait). NULL when the runtime could not start. */
void *odr_shim_target(int index);

/* Why the runtime could not start (UTF-8, static, never NULL once odr_shim_target has returned NULL). */
const char *odr_shim_start_error(void);

/* The generated table: how many functions, and their C names in table order. */
extern const int odr_shim_count;
extern const char *const odr_shim_names[];

#endif
