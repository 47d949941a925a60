/* open_failures' threads() and descriptors() on Windows: the process's threads (Toolhelp snapshot) and open handles
 * (GetProcessHandleCount), Windows' counterparts of /proc/self/task and /proc/self/fd. */
#ifndef ODR_TEST_PROCESS_COUNTS_H
#define ODR_TEST_PROCESS_COUNTS_H
#include <windows.h>
#include <tlhelp32.h>

static int threads(void) {
    HANDLE snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
    if (snapshot == INVALID_HANDLE_VALUE) return -1;
    THREADENTRY32 entry = { .dwSize = sizeof entry };
    int n = 0;
    for (BOOL more = Thread32First(snapshot, &entry); more; more = Thread32Next(snapshot, &entry))
        n += entry.th32OwnerProcessID == GetCurrentProcessId();
    CloseHandle(snapshot);
    return n;
}

static int descriptors(void) {
    DWORD handles = 0;
    return GetProcessHandleCount(GetCurrentProcess(), &handles) ? (int)handles : -1;
}
#endif
