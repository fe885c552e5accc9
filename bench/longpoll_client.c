/*
 * Long-poll fan-out benchmark client: N subscribers wait on the origins' invalidation streams
 * (split evenly between the replicas, one kept HTTP/1.1 connection each, as an edge's libcurl
 * keeps it); reports the origins' CPU while they wait, then runs the publish and times every
 * answer from the publish's commit (the moment `manifest publish` prints its report) and from
 * the publisher's exit.
 *
 * C with epoll, so that the client costs the origins little of the machine's two cores: the
 * timing measures the origins, not an interpreter waking a thousand coroutines.
 *
 *     longpoll_client [--router] PORT[,PORT...] PID[,PID...] SUBSCRIBERS PUBLISH_COMMAND...
 *
 * --router: each subscriber names itself with a percent-encoded character (edge=bench%2D1),
 * which the origin leaves to its router instead of answering on the event loop: the same run's
 * baseline for LongPollHandler.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PORTS 8
#define BUFFER 16384

struct subscriber {
    int fd;
    char buffer[BUFFER];
    size_t used;
    double answered; /* monotonic seconds; 0 while waiting */
    int with_event;
};

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void fail(const char *what) {
    perror(what);
    exit(1);
}

static int connect_to(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) fail("socket");
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) fail("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void send_all(int fd, const char *data) {
    size_t length = strlen(data);
    while (length > 0) {
        ssize_t sent = write(fd, data, length);
        if (sent < 0) fail("write");
        data += sent;
        length -= sent;
    }
}

/* The length of a complete response at the start of `buffer`, or 0 while it is incomplete. */
static size_t complete_length(const char *buffer, size_t used) {
    const char *end = memmem(buffer, used, "\r\n\r\n", 4);
    if (!end) return 0;
    size_t head = end + 4 - buffer;
    const char *field = memmem(buffer, head, "ontent-Length:", 14);
    if (!field) field = memmem(buffer, head, "ontent-length:", 14);
    if (!field) {
        fprintf(stderr, "an answer without Content-Length\n");
        exit(1);
    }
    size_t total = head + strtoul(field + 14, NULL, 10);
    return used >= total ? total : 0;
}

/* `GET /v1/events` with no `after`: where a new subscriber starts. */
static long long current_last(int port) {
    int fd = connect_to(port);
    send_all(fd, "GET /v1/events HTTP/1.1\r\nHost: origin\r\nConnection: close\r\n\r\n");
    char buffer[BUFFER];
    size_t used = 0;
    ssize_t got;
    while ((got = read(fd, buffer + used, sizeof buffer - 1 - used)) > 0) used += got;
    close(fd);
    buffer[used] = 0;
    const char *last = strstr(buffer, "\"last\":");
    if (!last) {
        fprintf(stderr, "no last sequence in: %s\n", buffer);
        exit(1);
    }
    return atoll(last + 7);
}

static double cpu_seconds(const int *pids, int count) {
    double total = 0;
    long ticks = sysconf(_SC_CLK_TCK);
    for (int i = 0; i < count; i++) {
        char path[64], text[4096];
        snprintf(path, sizeof path, "/proc/%d/stat", pids[i]);
        FILE *file = fopen(path, "r");
        if (!file) fail(path);
        size_t length = fread(text, 1, sizeof text - 1, file);
        fclose(file);
        text[length] = 0;
        /* Fields after the command's closing parenthesis: state is field 3; utime and stime are 14 and 15. */
        char *rest = strrchr(text, ')') + 2;
        unsigned long long utime = 0, stime = 0;
        sscanf(rest, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime);
        total += (double)(utime + stime) / ticks;
    }
    return total;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double percentile(const double *sorted, int count, double p) {
    int index = (int)(count * p);
    return sorted[index < count ? index : count - 1];
}

static int split(char *list, int *values) {
    int count = 0;
    for (char *item = strtok(list, ","); item && count < MAX_PORTS; item = strtok(NULL, ",")) values[count++] = atoi(item);
    return count;
}

int main(int argc, char **argv) {
    int router = argc > 1 && strcmp(argv[1], "--router") == 0;
    if (router) {
        argv++;
        argc--;
    }
    if (argc < 5) {
        fprintf(stderr, "usage: %s [--router] PORT[,PORT...] PID[,PID...] SUBSCRIBERS PUBLISH_COMMAND...\n", argv[0]);
        return 2;
    }
    int ports[MAX_PORTS], pids[MAX_PORTS];
    int port_count = split(argv[1], ports);
    int pid_count = split(argv[2], pids);
    int count = atoi(argv[3]);
    char **publish = argv + 4;

    long long after = current_last(ports[0]);
    int poller = epoll_create1(0);
    struct subscriber *subscribers = calloc(count, sizeof *subscribers);
    for (int i = 0; i < count; i++) {
        subscribers[i].fd = connect_to(ports[i % port_count]);
        char request[256];
        snprintf(request, sizeof request, "GET /v1/events?after=%lld&wait=30&edge=bench%s%d HTTP/1.1\r\nHost: origin\r\n\r\n",
                 after, router ? "%2D" : "-", i);
        send_all(subscribers[i].fd, request);
        struct epoll_event event = {.events = EPOLLIN, .data.u64 = i};
        if (epoll_ctl(poller, EPOLL_CTL_ADD, subscribers[i].fd, &event) != 0) fail("epoll_ctl");
    }
    sleep(3); /* every subscriber connected and waiting */
    double before = cpu_seconds(pids, pid_count);
    sleep(5);
    double idle = (cpu_seconds(pids, pid_count) - before) / 5;

    int output[2];
    if (pipe(output) != 0) fail("pipe");
    pid_t publisher = fork();
    if (publisher == 0) {
        dup2(output[1], 1);
        close(output[0]);
        close(output[1]);
        execvp(publish[0], publish);
        fail("exec");
    }
    close(output[1]);
    struct epoll_event event = {.events = EPOLLIN, .data.u64 = (unsigned long long)-1};
    epoll_ctl(poller, EPOLL_CTL_ADD, output[0], &event);

    double committed = 0, exited = 0;
    int answered = 0;
    double give_up = now() + 45;
    while ((answered < count || exited == 0) && now() < give_up) {
        struct epoll_event ready[256];
        int n = epoll_wait(poller, ready, 256, 1000);
        if (n < 0 && errno != EINTR) fail("epoll_wait");
        double at = now();
        for (int r = 0; r < n; r++) {
            if (ready[r].data.u64 == (unsigned long long)-1) {
                char text[4096];
                ssize_t got = read(output[0], text, sizeof text);
                if (got > 0 && committed == 0) committed = at;
                if (got <= 0) {
                    epoll_ctl(poller, EPOLL_CTL_DEL, output[0], NULL);
                    int status;
                    waitpid(publisher, &status, 0);
                    exited = now();
                    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                        fprintf(stderr, "the publish failed\n");
                        return 1;
                    }
                }
                continue;
            }
            struct subscriber *s = &subscribers[ready[r].data.u64];
            ssize_t got = read(s->fd, s->buffer + s->used, BUFFER - s->used);
            if (got <= 0) {
                fprintf(stderr, "subscriber %llu: connection closed before its answer\n", (unsigned long long)ready[r].data.u64);
                return 1;
            }
            s->used += got;
            size_t length = complete_length(s->buffer, s->used);
            if (length > 0 && s->answered == 0) {
                s->answered = at;
                s->with_event = memmem(s->buffer, length, "\"events\":[]", 11) == NULL;
                answered++;
                epoll_ctl(poller, EPOLL_CTL_DEL, s->fd, NULL);
            }
        }
    }
    if (answered < count) {
        fprintf(stderr, "only %d of %d subscribers answered\n", answered, count);
        return 1;
    }
    if (committed == 0) committed = exited; /* a publish that printed nothing */

    double *from_commit = malloc(count * sizeof(double)), *from_exit = malloc(count * sizeof(double));
    int with_event = 0;
    for (int i = 0; i < count; i++) {
        from_commit[i] = (subscribers[i].answered - committed) * 1000;
        from_exit[i] = (subscribers[i].answered - exited) * 1000;
        with_event += subscribers[i].with_event;
        close(subscribers[i].fd);
    }
    qsort(from_commit, count, sizeof(double), compare);
    qsort(from_exit, count, sizeof(double), compare);
    printf("%s: %d subscribers on %d origin(s), kept connections, answered with the event: %d\n",
           router ? "through the router" : "on the event loop", count, port_count, with_event);
    printf("origin CPU while %d polls wait: %.1f%% of one core (all origins)\n", count, idle * 100);
    printf("commit -> answered: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
           percentile(from_commit, count, 0.5), percentile(from_commit, count, 0.99), from_commit[count - 1]);
    printf("first answer -> last answer: %.1f ms (the fan-out, whenever the publish was noticed)\n",
           from_commit[count - 1] - from_commit[0]);
    printf("publisher exit came %.1f ms after the commit (exit -> answered p99 %.1f ms)\n",
           (exited - committed) * 1000, percentile(from_exit, count, 0.99));
    return 0;
}
