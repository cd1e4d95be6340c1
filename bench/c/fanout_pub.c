/*
 * fanout_pub: bind a PUB socket and a PULL socket for the start signal;
 * publish 1-byte sync messages ('s') until the subscribers' side says "go"
 * on the PULL socket, then publish <msg-count> messages of <msg-size>
 * bytes as fast as PUB takes them (PUB drops for subscribers that cannot
 * keep up), then end markers ('e'). fanout_sub measures.
 */
#include "perf_common.h"

#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>

int main(int argc, char **argv)
{
    const char *usage = "usage: fanout_pub <bind-to> <sync-bind-to> <msg-size> <msg-count>";
    int size, count, pub, pull, i, timeout = 5;
    char *buf;
    char ctl[8];
    uint64_t deadline;

    if (argc != 5)
        perf_usage(usage);
    size = perf_int_arg(argv[3], 2, usage);
    count = perf_int_arg(argv[4], 1, usage);

    pub = perf_socket_of(NN_PUB, 0);
    pull = perf_socket_of(NN_PULL, 0);
    if (nn_setsockopt(pull, NN_SOL_SOCKET, NN_RCVTIMEO, &timeout, sizeof timeout) != 0)
        perf_die("nn_setsockopt(NN_RCVTIMEO)");
    if (nn_bind(pub, argv[1]) < 0)
        perf_die("nn_bind (pub)");
    if (nn_bind(pull, argv[2]) < 0)
        perf_die("nn_bind (sync)");
    buf = perf_buffer((size_t)size);

    /* Sync messages until every subscriber has one (then the go signal comes). */
    deadline = perf_now_us() + 60u * 1000000u;
    for (;;) {
        if (nn_send(pub, "s", 1, 0) != 1)
            perf_die("nn_send (sync)");
        if (nn_recv(pull, ctl, sizeof ctl, 0) >= 0)
            break;
        if (nn_errno() != ETIMEDOUT && nn_errno() != EAGAIN)
            perf_die("nn_recv (go)");
        if (perf_now_us() > deadline) {
            fprintf(stderr, "fanout_pub: no go signal within 60 s\n");
            return 1;
        }
    }

    for (i = 0; i < count; i++)
        perf_expect(nn_send(pub, buf, (size_t)size, 0), size, "nn_send");
    for (i = 0; i < 50; i++) {
        perf_sleep_ms(20);
        nn_send(pub, "e", 1, 0);
    }

    free(buf);
    nn_close(pull);
    nn_close(pub);
    return 0;
}
