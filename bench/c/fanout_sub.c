/*
 * fanout_sub: <subscribers> SUB sockets in one process, all subscribed to
 * everything and connected to <connect-to>; once each has seen a sync
 * message it says "go" over PUSH to <sync-connect-to>, then counts the
 * <msg-size>-byte messages all of them receive until each has seen an end
 * marker (or nothing arrives for a second). Prints the messages delivered
 * per second over all subscribers, from the first to the last arrival.
 */
#include "perf_common.h"

#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>

#define IDLE_LIMIT_MS 1000

int main(int argc, char **argv)
{
    const char *usage = "usage: fanout_sub <connect-to> <sync-connect-to> <subscribers> <msg-size>";
    int n, size, i, push, synced = 0, ended = 0, rc;
    int *socks;
    char *seen;
    struct nn_pollfd *fds;
    char *buf;
    long long delivered = 0;
    uint64_t first = 0, last = 0, deadline;

    if (argc != 5)
        perf_usage(usage);
    n = perf_int_arg(argv[3], 1, usage);
    size = perf_int_arg(argv[4], 2, usage);

    socks = calloc((size_t)n, sizeof *socks);
    seen = calloc((size_t)n, 1);
    fds = calloc((size_t)n, sizeof *fds);
    buf = perf_buffer((size_t)size);
    for (i = 0; i < n; i++) {
        socks[i] = perf_socket_of(NN_SUB, 0);
        if (nn_setsockopt(socks[i], NN_SUB, NN_SUB_SUBSCRIBE, "", 0) != 0)
            perf_die("nn_setsockopt(NN_SUB_SUBSCRIBE)");
        if (nn_connect(socks[i], argv[1]) < 0)
            perf_die("nn_connect");
        fds[i].fd = socks[i];
        fds[i].events = NN_POLLIN;
    }

    /* Every subscriber connected and subscribed: each has a sync message. */
    deadline = perf_now_us() + 60u * 1000000u;
    while (synced < n) {
        if (nn_poll(fds, n, 100) < 0)
            perf_die("nn_poll");
        for (i = 0; i < n; i++) {
            while (nn_recv(socks[i], buf, (size_t)size, NN_DONTWAIT) >= 0) {
                if (!seen[i]) {
                    seen[i] = 1;
                    synced++;
                }
            }
        }
        if (perf_now_us() > deadline) {
            fprintf(stderr, "fanout_sub: only %d of %d subscribers synced in 60 s\n", synced, n);
            return 1;
        }
    }
    memset(seen, 0, (size_t)n);
    push = perf_socket_of(NN_PUSH, 0);
    if (nn_connect(push, argv[2]) < 0)
        perf_die("nn_connect (sync)");
    if (nn_send(push, "go", 2, 0) != 2)
        perf_die("nn_send (go)");

    while (ended < n) {
        rc = nn_poll(fds, n, IDLE_LIMIT_MS);
        if (rc < 0)
            perf_die("nn_poll");
        if (rc == 0 && delivered > 0)
            break; /* the end markers were dropped too */
        for (i = 0; i < n; i++) {
            if (!(fds[i].revents & NN_POLLIN))
                continue;
            while ((rc = nn_recv(socks[i], buf, (size_t)size, NN_DONTWAIT)) >= 0) {
                if (rc == size) {
                    last = perf_now_us();
                    if (delivered++ == 0)
                        first = last;
                } else if (rc == 1 && buf[0] == 'e' && !seen[i]) {
                    seen[i] = 1;
                    ended++;
                }
            }
        }
    }
    if (delivered < 2) {
        fprintf(stderr, "fanout_sub: only %lld messages delivered\n", delivered);
        return 1;
    }
    printf("subscribers: %d\n", n);
    printf("message size: %d [B]\n", size);
    printf("messages delivered: %lld\n", delivered);
    printf("throughput: %llu [msg/s]\n",
        (unsigned long long)((double)(delivered - 1) / (double)(last - first > 0 ? last - first : 1) * 1000000.0));
    fflush(stdout);
    /* No nn_close: closing a hundred libnanomsg sockets can take a minute,
       and the process is done. */
    return 0;
}
