/*
 * Shared helpers of our C perf tools: argument checking, a microsecond
 * stopwatch, the PAIR socket setup and the report lines. Every tool is
 * compiled twice by build.sh: against libnanomsg and against nng's
 * nanomsg-compatible API, which is why only <nanomsg/...> headers and
 * nn_* calls appear here.
 */
#ifndef SP_BENCH_PERF_COMMON_H
#define SP_BENCH_PERF_COMMON_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nanomsg/nn.h>
#include <nanomsg/pair.h>
#include <nanomsg/tcp.h>

/* Exit status for bad arguments, as in the TypeScript tools. */
#define PERF_USAGE_EXIT 2

/* How long a feeding side (remote_thr, local_lat) waits before closing, so
   that the library can write what it still holds: neither libnanomsg nor
   nng flushes on close. The comparison driver stops it as soon as the
   measuring side is done, so this never shows in a result. */
#define PERF_FLUSH_WAIT_MS 1000

static inline void perf_die(const char *what)
{
    fprintf(stderr, "%s: %s\n", what, nn_strerror(nn_errno()));
    exit(1);
}

static inline void perf_usage(const char *usage)
{
    fprintf(stderr, "%s\n", usage);
    exit(PERF_USAGE_EXIT);
}

/* A plain decimal integer in [min, 2^31-1]; anything else is a usage error. */
static inline int perf_int_arg(const char *arg, int min, const char *usage)
{
    char *end;
    long value;
    if (*arg < '0' || *arg > '9')
        perf_usage(usage);
    errno = 0;
    value = strtol(arg, &end, 10);
    if (*end != '\0' || errno != 0 || value < min || value > 2147483647L)
        perf_usage(usage);
    return (int)value;
}

static inline uint64_t perf_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static inline void perf_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Options of perf_socket(). */
#define PERF_NODELAY 1   /* TCP_NODELAY, as for latency runs */
#define PERF_UNLIMITED 2 /* RCVMAXSIZE -1 */

/* A socket of `protocol`, optionally without receive size limit and with TCP_NODELAY. */
static inline int perf_socket_of(int protocol, int flags)
{
    int unlimited = -1;
    int one = 1;
    int s = nn_socket(AF_SP, protocol);
    if (s < 0)
        perf_die("nn_socket");
    if ((flags & PERF_UNLIMITED) && nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, &unlimited, sizeof unlimited) != 0)
        perf_die("nn_setsockopt(NN_RCVMAXSIZE)");
    if ((flags & PERF_NODELAY) && nn_setsockopt(s, NN_TCP, NN_TCP_NODELAY, &one, sizeof one) != 0)
        perf_die("nn_setsockopt(NN_TCP_NODELAY)");
    return s;
}

/* A PAIR socket, optionally without receive size limit and with TCP_NODELAY. */
static inline int perf_socket(int flags)
{
    return perf_socket_of(NN_PAIR, flags);
}

/* A buffer of at least one byte, filled with 111 like the TypeScript tools. */
static inline char *perf_buffer(size_t size)
{
    char *buf = malloc(size > 0 ? size : 1);
    if (buf == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    memset(buf, 111, size > 0 ? size : 1);
    return buf;
}

static inline void perf_expect(int got, int size, const char *what)
{
    if (got < 0)
        perf_die(what);
    if (got != size) {
        fprintf(stderr, "%s: expected %d bytes, got %d\n", what, size, got);
        exit(1);
    }
}

/* The throughput lines: whole messages per second, megabits from that rate. */
static inline void perf_print_throughput(const char *label, int size, int count, uint64_t elapsed_us)
{
    uint64_t rate;
    if (elapsed_us == 0)
        elapsed_us = 1;
    rate = (uint64_t)((double)count / (double)elapsed_us * 1000000.0);
    printf("message size: %d [B]\n", size);
    printf("message count: %d\n", count);
    printf("%s: %llu [msg/s]\n", label, (unsigned long long)rate);
    printf("%s: %.3f [Mb/s]\n", label, (double)rate * size * 8 / 1000000.0);
    fflush(stdout);
}

/* The latency lines: one-way latency is the round trip halved. */
static inline void perf_print_latency(int size, int roundtrips, uint64_t elapsed_us)
{
    printf("message size: %d [B]\n", size);
    printf("roundtrip count: %d\n", roundtrips);
    printf("average latency: %.3f [us]\n", (double)elapsed_us / (roundtrips * 2.0));
    fflush(stdout);
}

#endif
