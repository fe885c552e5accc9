#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
/* libdispatch passes a mask in read-only memory; valgrind 3.19 writes to it. */
int sigsuspend(const sigset_t *mask) {
    sigset_t copy;
    memcpy(&copy, mask, sizeof copy);
    return syscall(SYS_rt_sigsuspend, &copy, 8);
}
