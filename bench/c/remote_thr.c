/*
 * remote_thr: connect a PAIR socket, send one empty message to start the
 * receiver's clock, then <msg-count> messages of <msg-size> bytes.
 */
#include "perf_common.h"

int main(int argc, char **argv)
{
    const char *usage = "usage: remote_thr <connect-to> <msg-size> <msg-count>";
    int size, count, s, i;
    char *buf;

    if (argc != 4)
        perf_usage(usage);
    size = perf_int_arg(argv[2], 0, usage);
    count = perf_int_arg(argv[3], 1, usage);

    s = perf_socket(PERF_UNLIMITED);
    if (nn_connect(s, argv[1]) < 0)
        perf_die("nn_connect");
    buf = perf_buffer((size_t)size);

    perf_expect(nn_send(s, buf, 0, 0), 0, "nn_send (start message)");
    for (i = 0; i < count; i++)
        perf_expect(nn_send(s, buf, (size_t)size, 0), size, "nn_send");

    perf_sleep_ms(PERF_FLUSH_WAIT_MS);
    free(buf);
    nn_close(s);
    return 0;
}
