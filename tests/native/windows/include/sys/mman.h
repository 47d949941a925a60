/* mmap, mprotect and sysconf(_SC_PAGESIZE) over VirtualAlloc / VirtualProtect, for the Windows build of tests/native
 * (string_edges places arguments right before a page that cannot be read). */
#ifndef ODR_TEST_SYS_MMAN_H
#define ODR_TEST_SYS_MMAN_H
#include <windows.h>
#include <stddef.h>

#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_PRIVATE 2
#define MAP_ANONYMOUS 0x20
#define MAP_FAILED ((void *)-1)
#define _SC_PAGESIZE 30

static inline long sysconf(int name) {
    SYSTEM_INFO info;
    GetSystemInfo(&info);
    return name == _SC_PAGESIZE ? (long)info.dwPageSize : -1;
}

static inline void *mmap(void *address, size_t length, int protection, int flags, int fd, long offset) {
    (void)address; (void)flags; (void)fd; (void)offset;
    void *pages = VirtualAlloc(NULL, length, MEM_RESERVE | MEM_COMMIT, protection & PROT_WRITE ? PAGE_READWRITE : PAGE_READONLY);
    return pages ? pages : MAP_FAILED;
}

static inline int mprotect(void *address, size_t length, int protection) {
    DWORD old;
    DWORD to = protection == PROT_NONE ? PAGE_NOACCESS : protection & PROT_WRITE ? PAGE_READWRITE : PAGE_READONLY;
    return VirtualProtect(address, length, to, &old) ? 0 : -1;
}

static inline int munmap(void *address, size_t length) {
    (void)length;
    return VirtualFree(address, 0, MEM_RELEASE) ? 0 : -1;
}
#endif
