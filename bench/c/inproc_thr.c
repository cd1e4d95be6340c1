/*
 * inproc_thr: throughput over inproc:// with a sender thread and the
 * receiving main thread in one process. The sender keeps its socket open
 * until the receiver has everything, so no message can be lost on close.
 */
#include <pthread.h>
#include <semaphore.h>

#include "perf_common.h"

static int message_size;
static int message_count;
static sem_t received_all;

static void *sender(void *url)
{
    int s = perf_socket(PERF_UNLIMITED);
    int i;
    char *buf = perf_buffer((size_t)message_size);
    if (nn_connect(s, (const char *)url) < 0)
        perf_die("nn_connect");
    perf_expect(nn_send(s, buf, 0, 0), 0, "nn_send (start message)");
    for (i = 0; i < message_count; i++)
        perf_expect(nn_send(s, buf, (size_t)message_size, 0), message_size, "nn_send");
    sem_wait(&received_all);
    free(buf);
    nn_close(s);
    return NULL;
}

int main(int argc, char **argv)
{
    const char *usage = "usage: inproc_thr <msg-size> <msg-count>";
    const char *url = "inproc://inproc_thr";
    pthread_t thread;
    int s, i;
    char *buf;
    uint64_t start, elapsed;

    if (argc != 3)
        perf_usage(usage);
    message_size = perf_int_arg(argv[1], 0, usage);
    message_count = perf_int_arg(argv[2], 1, usage);
    sem_init(&received_all, 0, 0);

    s = perf_socket(PERF_UNLIMITED);
    if (nn_bind(s, url) < 0)
        perf_die("nn_bind");
    buf = perf_buffer((size_t)message_size);
    pthread_create(&thread, NULL, sender, (void *)url);

    perf_expect(nn_recv(s, buf, (size_t)message_size, 0), 0, "nn_recv (start message)");
    start = perf_now_us();
    for (i = 0; i < message_count; i++)
        perf_expect(nn_recv(s, buf, (size_t)message_size, 0), message_size, "nn_recv");
    elapsed = perf_now_us() - start;

    sem_post(&received_all);
    pthread_join(thread, NULL);
    perf_print_throughput("mean throughput", message_size, message_count, elapsed);
    free(buf);
    nn_close(s);
    return 0;
}
