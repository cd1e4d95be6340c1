/*
 * local_lat: bind a PAIR socket with TCP_NODELAY and echo <roundtrips>
 * messages of <msg-size> bytes; remote_lat does the timing.
 */
#include "perf_common.h"

int main(int argc, char **argv)
{
    const char *usage = "usage: local_lat <bind-to> <msg-size> <roundtrips>";
    int size, roundtrips, s, i;
    char *buf;

    if (argc != 4)
        perf_usage(usage);
    size = perf_int_arg(argv[2], 0, usage);
    roundtrips = perf_int_arg(argv[3], 1, usage);

    s = perf_socket(PERF_UNLIMITED | PERF_NODELAY);
    if (nn_bind(s, argv[1]) < 0)
        perf_die("nn_bind");
    buf = perf_buffer((size_t)size);

    for (i = 0; i < roundtrips; i++) {
        perf_expect(nn_recv(s, buf, (size_t)size, 0), size, "nn_recv");
        perf_expect(nn_send(s, buf, (size_t)size, 0), size, "nn_send");
    }

    perf_sleep_ms(PERF_FLUSH_WAIT_MS);
    free(buf);
    nn_close(s);
    return 0;
}
