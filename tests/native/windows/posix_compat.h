/* The few POSIX calls tests/native uses that mingw-w64 lacks, for the Windows build of the same tests (force-included
 * with -include by build/windows-tests.sh; Linux builds never see it). Threads, nanosleep, clock_gettime and usleep
 * come from mingw's winpthreads. */
#ifndef ODR_TEST_POSIX_COMPAT_H
#define ODR_TEST_POSIX_COMPAT_H
#ifdef _WIN32
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

/* alarm(): a hang is a failure. A watchdog thread ends the process with SIGALRM's exit status (142) when the deadline
 * passes; a later alarm() replaces the deadline, alarm(0) cancels it. */
static volatile LONGLONG odr_alarm_deadline_ms;

static DWORD WINAPI odr_alarm_watchdog(void *unused) {
    (void)unused;
    for (;;) {
        Sleep(200);
        LONGLONG deadline = odr_alarm_deadline_ms;
        if (deadline && (LONGLONG)GetTickCount64() > deadline) {
            fprintf(stderr, "FAIL: alarm: the test did not finish in time\n");
            fflush(stderr);
            TerminateProcess(GetCurrentProcess(), 142);
        }
    }
    return 0;
}

static inline unsigned alarm(unsigned seconds) {
    static INIT_ONCE started = INIT_ONCE_STATIC_INIT;
    BOOL pending;
    if (InitOnceBeginInitialize(&started, 0, &pending, NULL) && pending) {
        HANDLE thread = CreateThread(NULL, 0, odr_alarm_watchdog, NULL, 0, NULL);
        if (thread) CloseHandle(thread);
        InitOnceComplete(&started, 0, NULL);
    }
    odr_alarm_deadline_ms = seconds ? (LONGLONG)GetTickCount64() + 1000LL * seconds : 0;
    return 0;
}
#endif
#endif
