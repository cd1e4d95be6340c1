/*
 * inproc_lat: latency over inproc:// between the timing main thread and
 * an echoing thread. The echoing (connecting) side first sends an empty
 * "ready" message, so the clock starts only once the connection is up.
 * The echoing thread keeps its socket open until the timing is done:
 * libnanomsg's inproc drops messages still in flight when the sending
 * socket closes.
 */
#include <pthread.h>
#include <semaphore.h>

#include "perf_common.h"

static int message_size;
static int roundtrip_count;
static sem_t timing_done;

static void *echoer(void *url)
{
    int s = perf_socket(PERF_UNLIMITED);
    int i, n;
    char *buf = perf_buffer((size_t)message_size);
    if (nn_connect(s, (const char *)url) < 0)
        perf_die("nn_connect");
    perf_expect(nn_send(s, buf, 0, 0), 0, "nn_send (ready message)");
    for (i = 0; i < roundtrip_count; i++) {
        n = nn_recv(s, buf, (size_t)message_size, 0);
        perf_expect(n, message_size, "nn_recv (echo)");
        perf_expect(nn_send(s, buf, (size_t)n, 0), n, "nn_send (echo)");
    }
    /* Closing now could drop the last echo before the main thread has it. */
    sem_wait(&timing_done);
    free(buf);
    nn_close(s);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *usage = "usage: inproc_lat <msg-size> <roundtrips>";
    const char *url = "inproc://inproc_lat";
    pthread_t thread;
    int s, i;
    char *buf;
    uint64_t start, elapsed;

    if (argc != 3)
        perf_usage(usage);
    message_size = perf_int_arg(argv[1], 0, usage);
    roundtrip_count = perf_int_arg(argv[2], 1, usage);
    sem_init(&timing_done, 0, 0);

    s = perf_socket(PERF_UNLIMITED);
    if (nn_bind(s, url) < 0)
        perf_die("nn_bind");
    buf = perf_buffer((size_t)message_size);
    pthread_create(&thread, NULL, echoer, (void *)url);

    perf_expect(nn_recv(s, buf, (size_t)message_size, 0), 0, "nn_recv (ready message)");
    start = perf_now_us();
    for (i = 0; i < roundtrip_count; i++) {
        perf_expect(nn_send(s, buf, (size_t)message_size, 0), message_size, "nn_send");
        perf_expect(nn_recv(s, buf, (size_t)message_size, 0), message_size, "nn_recv");
    }
    elapsed = perf_now_us() - start;

    sem_post(&timing_done);
    pthread_join(thread, NULL);
    perf_print_latency(message_size, roundtrip_count, elapsed);
    free(buf);
    nn_close(s);
    return 0;
}
