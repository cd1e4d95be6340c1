/*
 * remote_lat: connect a PAIR socket with TCP_NODELAY, then <roundtrips>
 * times send a <msg-size>-byte message and wait for its echo. The clock
 * starts right after nn_connect, so connection setup is in the total.
 */
#include "perf_common.h"

int main(int argc, char **argv)
{
    const char *usage = "usage: remote_lat <connect-to> <msg-size> <roundtrips>";
    int size, roundtrips, s, i;
    char *buf;
    uint64_t start;

    if (argc != 4)
        perf_usage(usage);
    size = perf_int_arg(argv[2], 0, usage);
    roundtrips = perf_int_arg(argv[3], 1, usage);

    s = perf_socket(PERF_UNLIMITED | PERF_NODELAY);
    if (nn_connect(s, argv[1]) < 0)
        perf_die("nn_connect");
    buf = perf_buffer((size_t)size);

    start = perf_now_us();
    for (i = 0; i < roundtrips; i++) {
        perf_expect(nn_send(s, buf, (size_t)size, 0), size, "nn_send");
        perf_expect(nn_recv(s, buf, (size_t)size, 0), size, "nn_recv");
    }
    perf_print_latency(size, roundtrips, perf_now_us() - start);

    free(buf);
    nn_close(s);
    return 0;
}
