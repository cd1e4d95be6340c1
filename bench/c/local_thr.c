/*
 * local_thr: bind a PAIR socket, wait for the empty start message, then
 * time the arrival of <msg-count> messages of <msg-size> bytes.
 */
#include "perf_common.h"

int main(int argc, char **argv)
{
    const char *usage = "usage: local_thr <bind-to> <msg-size> <msg-count>";
    int size, count, s, i;
    char *buf;
    uint64_t start;

    if (argc != 4)
        perf_usage(usage);
    size = perf_int_arg(argv[2], 0, usage);
    count = perf_int_arg(argv[3], 1, usage);

    s = perf_socket(PERF_UNLIMITED);
    if (nn_bind(s, argv[1]) < 0)
        perf_die("nn_bind");
    buf = perf_buffer((size_t)size);

    perf_expect(nn_recv(s, buf, (size_t)size, 0), 0, "nn_recv (start message)");
    start = perf_now_us();
    for (i = 0; i < count; i++)
        perf_expect(nn_recv(s, buf, (size_t)size, 0), size, "nn_recv");
    perf_print_throughput("throughput", size, count, perf_now_us() - start);

    free(buf);
    nn_close(s);
    return 0;
}
