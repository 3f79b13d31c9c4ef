/* Preloaded before Debian's libfaketime (0.9.10) by `make test-at`.

   libfaketime moves CLOCK_MONOTONIC along with the wall clock, but it does not wrap
   sem_clockwait and pthread_cond_clockwait (glibc 2.30 and later), so an absolute deadline
   read from the moved clock reaches the kernel as it is: Python 3.11's Lock.acquire(timeout),
   Event.wait(timeout) and concurrent.futures.wait(timeout) then wait for years. This turns
   such a deadline back into the kernel's time: real = deadline - moved now + real now. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static struct timespec to_real(clockid_t clock, const struct timespec *deadline) {
    struct timespec moved, real, out;
    clock_gettime(clock, &moved);                /* libfaketime's answer */
    syscall(SYS_clock_gettime, clock, &real);    /* the kernel's */
    long long ns = (long long)(deadline->tv_sec - moved.tv_sec + real.tv_sec) * 1000000000LL
                 + (deadline->tv_nsec - moved.tv_nsec + real.tv_nsec);
    if (ns < 0) ns = 0;
    out.tv_sec = ns / 1000000000LL;
    out.tv_nsec = ns % 1000000000LL;
    return out;
}

int sem_clockwait(sem_t *sem, clockid_t clock, const struct timespec *deadline) {
    static int (*next)(sem_t *, clockid_t, const struct timespec *);
    if (!next) next = dlsym(RTLD_NEXT, "sem_clockwait");
    struct timespec real = to_real(clock, deadline);
    return next(sem, clock, &real);
}

int pthread_cond_clockwait(pthread_cond_t *cond, pthread_mutex_t *mutex, clockid_t clock,
                           const struct timespec *deadline) {
    static int (*next)(pthread_cond_t *, pthread_mutex_t *, clockid_t, const struct timespec *);
    if (!next) next = dlsym(RTLD_NEXT, "pthread_cond_clockwait");
    struct timespec real = to_real(clock, deadline);
    return next(cond, mutex, clock, &real);
}
