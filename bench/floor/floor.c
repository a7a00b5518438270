/*
 * floor.c — "the floor": the least work an SSE file-mirror server can do.
 *
 * One thread, epoll, non-blocking sockets, one inotify watch on the watched
 * file's parent directory. On IN_CLOSE_WRITE / IN_MOVED_TO for the file's
 * name it reads the file once and writes one preformatted event, wrapped in
 * one HTTP chunk, to every connected client. No diff, no HTTP parsing beyond
 * "a request arrived". It exists so sse-mirror's latency has a lower bound
 * to be compared against.
 *
 * With --patch-seq (the patch fan-out's reference) it still reads the whole file on every change
 * and sends it to a client that connects, but broadcasts only what a change of "seq" needs:
 * `event: patch` with [{"op":"replace","path":"/seq","value":N}], N found with strstr. That is
 * the least a patch-sending mirror can put on every socket, so sse-mirror's patch fan-out can be
 * weighed against it too, not only against the whole-document floor.
 *
 * Usage: floor PORT FILE [--patch-seq]   (prints nothing but errors; exits on SIGTERM)
 * Build: cc -O2 -Wall -Wextra -o floor floor.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* A client that cannot keep up is dropped rather than buffered forever. */
#define MAX_CLIENT_BUF (8u << 20)

/* epoll tags for the non-client descriptors (clients are tagged by fd >= 0). */
#define TAG_LISTEN (-1)
#define TAG_INOTIFY (-2)
#define TAG_SIGNAL (-3)

static const char HEADERS[] = "HTTP/1.1 200 OK\r\n"
                              "Content-Type: text/event-stream\r\n"
                              "Cache-Control: no-cache\r\n"
                              "Transfer-Encoding: chunked\r\n"
                              "\r\n";

struct client {
    int open;      /* slot in use */
    int streaming; /* response head sent: receives broadcasts */
    int want_out;  /* EPOLLOUT armed */
    char *buf;     /* bytes the kernel would not take yet */
    size_t off, len, cap;
};

static struct client *clients; /* indexed by fd: fds are small and dense */
static int max_fds, high_fd = -1;
static int epfd;
static const char *file_path;
static char *event_chunk; /* current document as one preformatted chunk */
static size_t event_len;
static int patch_seq;     /* --patch-seq: broadcast patch_chunk instead of event_chunk */
static char patch_chunk[160];
static size_t patch_len;

static void die(const char *what) {
    perror(what);
    exit(1);
}

static void ep_ctl(int op, int fd, uint32_t events, int tag) {
    struct epoll_event ev = {.events = events, .data.u64 = (uint64_t)(int64_t)tag};
    if (epoll_ctl(epfd, op, fd, &ev) < 0 && op != EPOLL_CTL_DEL)
        die("epoll_ctl");
}

static void drop(int fd) {
    struct client *c = &clients[fd];
    ep_ctl(EPOLL_CTL_DEL, fd, 0, 0);
    close(fd);
    free(c->buf);
    memset(c, 0, sizeof *c);
}

/* Queue bytes behind what is already pending, dropping a client that lags too far. */
static int enqueue(int fd, const char *p, size_t n) {
    struct client *c = &clients[fd];
    size_t pending = c->len - c->off;
    if (pending + n > MAX_CLIENT_BUF) {
        drop(fd);
        return -1;
    }
    if (c->off > 0) { /* compact so the buffer never grows past the pending bytes */
        memmove(c->buf, c->buf + c->off, pending);
        c->off = 0;
        c->len = pending;
    }
    if (c->len + n > c->cap) {
        size_t cap = c->cap ? c->cap : 4096;
        while (cap < c->len + n)
            cap *= 2;
        char *nb = realloc(c->buf, cap);
        if (!nb)
            die("realloc");
        c->buf = nb;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, p, n);
    c->len += n;
    if (!c->want_out) {
        ep_ctl(EPOLL_CTL_MOD, fd, EPOLLIN | EPOLLOUT, fd);
        c->want_out = 1;
    }
    return 0;
}

/* Write now if nothing is queued (the common case: no copy), else queue. */
static int client_send(int fd, const char *p, size_t n) {
    struct client *c = &clients[fd];
    if (c->len == c->off) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno != EAGAIN && errno != EINTR) {
                drop(fd);
                return -1;
            }
            w = 0;
        }
        p += w;
        n -= (size_t)w;
        if (n == 0)
            return 0;
    }
    return enqueue(fd, p, n);
}

static void flush_client(int fd) {
    struct client *c = &clients[fd];
    while (c->off < c->len) {
        ssize_t w = write(fd, c->buf + c->off, c->len - c->off);
        if (w < 0) {
            if (errno == EAGAIN || errno == EINTR)
                return;
            drop(fd);
            return;
        }
        c->off += (size_t)w;
    }
    c->off = c->len = 0;
    ep_ctl(EPOLL_CTL_MOD, fd, EPOLLIN, fd);
    c->want_out = 0;
}

/* Read the file once and rebuild the chunk-wrapped event. Returns 0 on success. */
static int reload(void) {
    int fd = open(file_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno != ENOENT)
            perror(file_path);
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0)
        die("fstat");
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *doc = malloc(cap);
    if (!doc)
        die("malloc");
    for (;;) { /* the file may have grown since fstat: read to EOF */
        if (n == cap) {
            cap *= 2;
            if (!(doc = realloc(doc, cap)))
                die("realloc");
        }
        ssize_t r = read(fd, doc + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            perror(file_path);
            close(fd);
            free(doc);
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    while (n > 0 && (doc[n - 1] == '\n' || doc[n - 1] == '\r'))
        n--;

    static const char pre[] = "event: changed\ndata: ";
    size_t payload = sizeof pre - 1 + n + 2;
    free(event_chunk);
    if (!(event_chunk = malloc(payload + 32)))
        die("malloc");
    int h = sprintf(event_chunk, "%zx\r\n", payload);
    char *p = event_chunk + h;
    memcpy(p, pre, sizeof pre - 1);
    p += sizeof pre - 1;
    memcpy(p, doc, n);
    p += n;
    memcpy(p, "\n\n\r\n", 4);
    event_len = (size_t)(p + 4 - event_chunk);
    if (patch_seq) {
        /* The document is one line of JSON with a top-level "seq" (loadgen writes it). */
        char *seq = memmem(doc, n, "\"seq\":", 6);
        long value = seq ? strtol(seq + 6, NULL, 10) : 0;
        char body[128];
        int b = snprintf(body, sizeof body, "event: patch\ndata: [{\"op\":\"replace\",\"path\":\"/seq\",\"value\":%ld}]\n\n", value);
        patch_len = (size_t)sprintf(patch_chunk, "%x\r\n%s\r\n", b, body);
    }
    free(doc);
    return 0;
}

static void broadcast(void) {
    for (int fd = 0; fd <= high_fd; fd++)
        if (clients[fd].open && clients[fd].streaming)
            client_send(fd, patch_seq ? patch_chunk : event_chunk, patch_seq ? patch_len : event_len);
}

static void accept_all(int lfd) {
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN || errno == ECONNABORTED || errno == EINTR)
                return;
            perror("accept4"); /* EMFILE etc.: leave the rest in the backlog */
            return;
        }
        if (fd >= max_fds) {
            close(fd);
            continue;
        }
        int one = 1; /* events are small writes that must leave at once */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        clients[fd] = (struct client){.open = 1};
        if (fd > high_fd)
            high_fd = fd;
        ep_ctl(EPOLL_CTL_ADD, fd, EPOLLIN, fd);
    }
}

static void on_readable(int fd) {
    char junk[4096];
    ssize_t r = read(fd, junk, sizeof junk);
    if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
        drop(fd);
        return;
    }
    if (r > 0 && !clients[fd].streaming) { /* "a request arrived": answer it */
        clients[fd].streaming = 1;
        if (client_send(fd, HEADERS, sizeof HEADERS - 1) == 0 && event_chunk)
            client_send(fd, event_chunk, event_len);
    }
}

static void on_inotify(int ifd, const char *name) {
    char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t r = read(ifd, buf, sizeof buf);
        if (r <= 0)
            return;
        for (char *p = buf; p < buf + r;) {
            struct inotify_event *ev = (struct inotify_event *)p;
            p += sizeof *ev + ev->len;
            if (ev->len && strcmp(ev->name, name) == 0 && (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)))
                if (reload() == 0)
                    broadcast();
        }
    }
}

int main(int argc, char **argv) {
    patch_seq = argc == 4 && strcmp(argv[3], "--patch-seq") == 0;
    if (argc != 3 && !patch_seq) {
        fprintf(stderr, "usage: %s PORT FILE [--patch-seq]\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]);
    file_path = argv[2];

    /* Thousands of clients need thousands of fds: take the whole hard limit. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    max_fds = (int)rl.rlim_cur;
    if (!(clients = calloc((size_t)max_fds, sizeof *clients)))
        die("calloc");

    signal(SIGPIPE, SIG_IGN); /* a vanished client is an EPIPE, not a crash */
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (sfd < 0)
        die("signalfd");

    if ((epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
        die("epoll_create1");

    /* Watch the directory, not the file: an atomic rename replaces the inode. */
    char *dcopy = strdup(file_path), *bcopy = strdup(file_path);
    const char *dir = dirname(dcopy), *name = basename(bcopy);
    int ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (ifd < 0)
        die("inotify_init1");
    if (inotify_add_watch(ifd, dir, IN_CLOSE_WRITE | IN_MOVED_TO) < 0)
        die(dir);
    reload();

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (lfd < 0)
        die("socket");
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0)
        die("bind");
    if (listen(lfd, SOMAXCONN) < 0)
        die("listen");

    ep_ctl(EPOLL_CTL_ADD, lfd, EPOLLIN, TAG_LISTEN);
    ep_ctl(EPOLL_CTL_ADD, ifd, EPOLLIN, TAG_INOTIFY);
    ep_ctl(EPOLL_CTL_ADD, sfd, EPOLLIN, TAG_SIGNAL);

    struct epoll_event evs[512];
    for (;;) {
        int n = epoll_wait(epfd, evs, 512, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            int tag = (int)(int64_t)evs[i].data.u64;
            uint32_t e = evs[i].events;
            if (tag == TAG_LISTEN)
                accept_all(lfd);
            else if (tag == TAG_INOTIFY)
                on_inotify(ifd, name);
            else if (tag == TAG_SIGNAL)
                return 0;
            else if (!clients[tag].open)
                continue; /* dropped earlier in this batch */
            else if (e & (EPOLLERR | EPOLLHUP))
                drop(tag);
            else {
                if (e & EPOLLOUT)
                    flush_client(tag);
                if ((e & EPOLLIN) && clients[tag].open)
                    on_readable(tag);
            }
        }
    }
}
