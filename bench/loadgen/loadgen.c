/*
 * loadgen.c — SSE load client and file writer in one process (one thread, epoll).
 *
 * Opens N SSE connections to 127.0.0.1:PORT PATH, waits until every client has
 * its initial event, then rewrites the watched file W times and measures, for
 * each (client, write), the time from the write completing to the event that
 * carries that write's "seq" arriving. Prints one JSON object on stdout.
 *
 * The writer lives in the same process so both timestamps come from the same
 * CLOCK_MONOTONIC with no cross-process handshake.
 *
 * Parsing follows the specs rather than what the servers under test happen to
 * send: HTTP/1.1 chunked or plain bodies (chunks split anywhere), and the
 * WHATWG event-stream rules (CR, LF or CRLF line ends, a CRLF split across
 * reads, multi-line data, comments, event/id/retry fields, dispatch on a
 * blank line).
 *
 * Build: cc -O2 -Wall -Wextra -o loadgen loadgen.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_HEAD 16384
#define STDIN_TAG UINT32_MAX

static void usage(const char *argv0) {
    fprintf(stderr,
            "usage: %s --port PORT --file PATH [options]\n"
            "  --port N          server port on 127.0.0.1 (required)\n"
            "  --port2 N         a second server (another node of the same hub): every other\n"
            "                    client connects there, same path\n"
            "  --file PATH       the watched file to rewrite (required)\n"
            "  --path P          request path (default /doc)\n"
            "  --clients N       SSE connections to open (default 100)\n"
            "  --writes W        file writes after all clients are ready (default 30)\n"
            "  --interval-ms MS  spacing between writes (default 150)\n"
            "  --size BYTES      document size, e.g. 1024 or 65536 (default 1024)\n"
            "  --mode M          inplace (O_TRUNC+write+close) or rename (temp+rename)\n"
            "  --grace-ms MS     wait after the last write for late events (default 2000)\n"
            "  --inflight N      max connections started but without initial event (default 256)\n"
            "  --connect-timeout-ms MS  bound on the connect phase (default 120000)\n"
            "  --wait-stdin      after all clients are ready print READY on stderr and wait\n"
            "                    for a line on stdin before writing (bounded: 300 s)\n"
            "  --fixed-pad       keep the padding identical between writes (SIZE-22 bytes of x),\n"
            "                    so only \"seq\" changes; the document is SIZE-5+digits(seq) bytes\n"
            "                    instead of exactly SIZE (for emit: patch)\n",
            argv0);
    exit(2);
}

/* ---------- options and global state ---------- */

static int opt_port, opt_port2, opt_clients = 100, opt_writes = 30, opt_interval_ms = 150;
static int opt_size = 1024, opt_grace_ms = 2000, opt_inflight = 256;
static int opt_connect_timeout_ms = 120000, opt_wait_stdin, opt_rename, opt_fixed_pad;
static const char *opt_file, *opt_path = "/doc";

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct buf {
    char *p;
    size_t len, cap;
};

static void buf_append(struct buf *b, const char *p, size_t n) {
    if (n == 0)
        return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        if (!(b->p = realloc(b->p, cap))) {
            perror("realloc");
            exit(1);
        }
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

enum { C_UNUSED, C_CONNECTING, C_HEAD, C_BODY, C_CLOSED };
enum { CH_SIZE, CH_DATA, CH_DATA_CR, CH_DATA_LF, CH_TRAILER };

struct conn {
    int fd;
    uint8_t state;
    uint8_t ready;   /* initial event received */
    uint8_t chunked; /* Transfer-Encoding: chunked */
    /* chunk decoder */
    uint8_t ch_state, ch_digits, ch_ext;
    uint64_t ch_rem;
    size_t trailer_line;
    int64_t body_rem; /* Content-Length left, or -1 for "until EOF" */
    /* event-stream parser */
    uint8_t bom_pos;  /* bytes of a leading BOM matched so far (3 = done) */
    uint8_t last_cr;  /* previous line ended in CR: skip one LF */
    uint8_t has_type; /* event: field seen for the event being built */
    char type[16];    /* event type, truncated (we only compare short names) */
    struct buf line;  /* a line split across reads */
    struct buf data;  /* data buffer */
    size_t req_off;
    struct buf head;
};

static struct conn *conns;
static uint8_t *seen; /* clients × writes: seq received */
static double *write_time;
static double *samples; /* latency in ms */
static size_t nsamples;
static char *request;
static size_t request_len;

static int launched, inflight, ready_count, failed;
static double t_connect_start, t_last_ready;
static long duplicates, bad_events, other_events, retry_fields, id_fields;
static long patch_events, state_events; /* events received after the initial one, by kind */
static long bad_patches;                /* patch events whose "/seq" op could not be read */
static unsigned long long body_bytes;   /* body bytes (with chunk framing) read once writing began */
static int writing;                     /* the first write has been made */
static long err_connect, err_http, err_protocol, err_disconnect, err_timeout;
static int epfd;
static struct sockaddr_in server, server2;

/* ---------- connection lifecycle ---------- */

static void conn_close(struct conn *c) {
    if (c->state == C_UNUSED || c->state == C_CLOSED)
        return;
    epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    if (!c->ready) {
        inflight--;
        failed++;
    }
    c->state = C_CLOSED;
    free(c->line.p);
    free(c->data.p);
    free(c->head.p);
    c->line = c->data = c->head = (struct buf){0};
}

static void conn_fail(struct conn *c, long *counter) {
    (*counter)++;
    conn_close(c);
}

static void conn_start(struct conn *c) {
    launched++;
    inflight++;
    c->state = C_CONNECTING;
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0 ||
        (connect(c->fd, (struct sockaddr *)((opt_port2 && (c - conns) % 2) ? &server2 : &server), sizeof server) < 0 &&
         errno != EINPROGRESS)) {
        perror(c->fd < 0 ? "socket" : "connect");
        if (c->fd >= 0)
            close(c->fd);
        c->state = C_CLOSED;
        err_connect++;
        inflight--;
        failed++;
        return;
    }
    struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = (uint32_t)(c - conns)};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
        perror("epoll_ctl");
        exit(1);
    }
}

/* ---------- what an event means for the measurement ---------- */

/* Length of the document written for `seq` (see make_doc). */
static size_t doc_len(long seq) {
    if (!opt_fixed_pad)
        return (size_t)opt_size;
    char digits[24];
    return (size_t)opt_size - 5 + (size_t)snprintf(digits, sizeof digits, "%ld", seq);
}

/* The number after `key` (e.g. "seq": or "value":), JSON whitespace allowed around the colon. */
static int read_number_after(const char *p, const char *end, long *out) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    if (p < end && *p == ':')
        p++;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    char tmp[24];
    size_t k = (size_t)(end - p);
    if (k > sizeof tmp - 1)
        k = sizeof tmp - 1;
    memcpy(tmp, p, k);
    tmp[k] = 0;
    char *stop;
    *out = strtol(tmp, &stop, 10);
    return stop != tmp;
}

/* In an RFC 6902 patch array, the value that a "replace" (or "add") op on "/seq" sets.
 * The op is the object around "path":"/seq"; its other members ("op", "value") hold no
 * braces, so the object's bounds are the nearest { before and } after. Returns 0 when
 * the patch does not set /seq (or sets it with another op). */
static int patch_seq(const char *data, size_t len, long *seq) {
    const char *end = data + len;
    for (const char *p = data; (p = memmem(p, (size_t)(end - p), "\"/seq\"", 6)); p += 6) {
        const char *ob = p, *oe = p + 6;
        while (ob > data && *ob != '{')
            ob--;
        while (oe < end && *oe != '}')
            oe++;
        if (*ob != '{' || oe == end)
            return 0;
        /* "/seq" must be the value of "path", not of "from" or a string value */
        const char *q = p - 1;
        while (q > ob && (*q == ' ' || *q == ':' || *q == '\t' || *q == '\n' || *q == '\r'))
            q--;
        if (q - ob < 6 || memcmp(q - 5, "\"path\"", 6) != 0)
            continue;
        size_t olen = (size_t)(oe - ob);
        const char *op = memmem(ob, olen, "\"op\"", 4);
        if (!op)
            return 0;
        while (op < oe && *op != ':')
            op++;
        while (op < oe && (*op == ':' || *op == ' ' || *op == '\t' || *op == '\n' || *op == '\r'))
            op++;
        if (!(oe - op >= 9 && memcmp(op, "\"replace\"", 9) == 0) && !(oe - op >= 5 && memcmp(op, "\"add\"", 5) == 0))
            continue; /* e.g. a "test" of /seq */
        const char *v = memmem(ob, olen, "\"value\"", 7);
        if (!v)
            return 0;
        return read_number_after(v + 7, oe, seq);
    }
    return 0;
}

static void on_event(struct conn *c, const char *data, size_t len, double now) {
    int is_patch = c->has_type && strcmp(c->type, "patch") == 0;
    int named_ok = is_patch || !c->has_type || strcmp(c->type, "message") == 0 ||
                   strcmp(c->type, "changed") == 0;
    if (!named_ok) {
        other_events++;
        return;
    }
    if (!c->ready) { /* the first event is the current document */
        if (is_patch) { /* a patch needs a base: the stream must start with the document */
            bad_patches++;
            return;
        }
        c->ready = 1;
        ready_count++;
        inflight--;
        t_last_ready = now;
        return;
    }
    long seq;
    if (is_patch) {
        patch_events++;
        /* {"op":"replace","path":"/seq","value":n}; no length check: a patch is not the document */
        if (!patch_seq(data, len, &seq)) {
            bad_patches++;
            return;
        }
    } else {
        state_events++;
        /* Find "seq":n by scanning; a full JSON parse would only cost time. */
        const char *s = memmem(data, len, "\"seq\"", 5);
        if (!s || !read_number_after(s + 5, data + len, &seq)) {
            other_events++;
            return;
        }
    }
    if (seq < 0 || seq >= opt_writes || write_time[seq] == 0) {
        other_events++; /* e.g. the initial document re-sent */
        return;
    }
    if (!is_patch && len != doc_len(seq)) { /* truncated or padded: not the document we wrote */
        bad_events++;
        return;
    }
    uint8_t *mark = &seen[(size_t)(c - conns) * (size_t)opt_writes + (size_t)seq];
    if (*mark) {
        duplicates++;
        return;
    }
    *mark = 1;
    samples[nsamples++] = (now - write_time[seq]) * 1000.0;
}

/* ---------- WHATWG event-stream parser ---------- */

static void sse_dispatch(struct conn *c, double now) {
    if (c->data.len > 0) {
        c->data.len--; /* drop the LF that ends the last data line */
        on_event(c, c->data.p, c->data.len, now);
    }
    c->data.len = 0;
    c->has_type = 0;
}

static void sse_line(struct conn *c, const char *s, size_t n, double now) {
    if (n == 0) {
        sse_dispatch(c, now);
        return;
    }
    if (s[0] == ':') /* comment, e.g. a heartbeat */
        return;
    const char *colon = memchr(s, ':', n);
    size_t name_len = colon ? (size_t)(colon - s) : n;
    const char *v = colon ? colon + 1 : s + n;
    size_t vlen = (size_t)(s + n - v);
    if (vlen > 0 && v[0] == ' ') {
        v++;
        vlen--;
    }
    if (name_len == 4 && memcmp(s, "data", 4) == 0) {
        buf_append(&c->data, v, vlen);
        buf_append(&c->data, "\n", 1);
    } else if (name_len == 5 && memcmp(s, "event", 5) == 0) {
        size_t m = vlen < sizeof c->type - 1 ? vlen : sizeof c->type - 1;
        memcpy(c->type, v, m);
        c->type[m] = 0;
        c->has_type = 1;
    } else if (name_len == 2 && memcmp(s, "id", 2) == 0) {
        if (!memchr(v, 0, vlen)) /* ids containing NUL are ignored */
            id_fields++;
    } else if (name_len == 5 && memcmp(s, "retry", 5) == 0) {
        retry_fields++;
    } /* any other field is ignored */
}

static void sse_feed(struct conn *c, const char *p, size_t n, double now) {
    /* A UTF-8 BOM may start the stream; bytes that only looked like one are kept. */
    static const char BOM[3] = {'\xEF', '\xBB', '\xBF'};
    while (c->bom_pos < 3 && n > 0) {
        if (*p == BOM[c->bom_pos]) {
            c->bom_pos++;
            p++;
            n--;
        } else {
            buf_append(&c->line, BOM, c->bom_pos);
            c->bom_pos = 3;
        }
    }
    while (n > 0) {
        if (c->last_cr) { /* CRLF may be split across reads */
            c->last_cr = 0;
            if (*p == '\n') {
                p++;
                n--;
                continue;
            }
        }
        const char *lf = memchr(p, '\n', n);
        const char *cr = memchr(p, '\r', lf ? (size_t)(lf - p) : n);
        const char *end = cr ? cr : lf;
        if (!end) {
            buf_append(&c->line, p, n);
            return;
        }
        size_t k = (size_t)(end - p);
        if (c->line.len == 0) {
            sse_line(c, p, k, now); /* whole line in this read: no copy */
        } else {
            buf_append(&c->line, p, k);
            sse_line(c, c->line.p, c->line.len, now);
            c->line.len = 0;
        }
        if (c->state == C_CLOSED)
            return;
        c->last_cr = (*end == '\r');
        p = end + 1;
        n -= k + 1;
    }
}

/* ---------- HTTP body framing ---------- */

static int hexval(char ch) {
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Returns -1 on a framing error, 1 when the body has ended, 0 otherwise. */
static int body_feed(struct conn *c, const char *p, size_t n, double now) {
    if (!c->chunked) {
        if (c->body_rem >= 0) {
            size_t take = (uint64_t)c->body_rem < n ? (size_t)c->body_rem : n;
            sse_feed(c, p, take, now);
            c->body_rem -= (int64_t)take;
            return c->body_rem == 0;
        }
        sse_feed(c, p, n, now);
        return 0;
    }
    while (n > 0) {
        switch (c->ch_state) {
        case CH_SIZE: { /* hex size [;ext] CRLF */
            char ch = *p++;
            n--;
            int v = hexval(ch);
            if (ch == '\n') {
                if (!c->ch_digits)
                    return -1;
                c->ch_state = c->ch_rem ? CH_DATA : CH_TRAILER;
                c->trailer_line = 0;
            } else if (c->ch_ext || ch == '\r') {
                /* extension bytes are ignored */
            } else if (v >= 0) {
                if (c->ch_rem > (1ull << 40))
                    return -1;
                c->ch_rem = c->ch_rem * 16 + (uint64_t)v;
                c->ch_digits = 1;
            } else if (ch == ';' || ch == ' ' || ch == '\t') {
                c->ch_ext = 1;
            } else {
                return -1;
            }
            break;
        }
        case CH_DATA: {
            size_t take = c->ch_rem < n ? (size_t)c->ch_rem : n;
            sse_feed(c, p, take, now);
            if (c->state == C_CLOSED)
                return 1;
            p += take;
            n -= take;
            c->ch_rem -= take;
            if (c->ch_rem == 0)
                c->ch_state = CH_DATA_CR;
            break;
        }
        case CH_DATA_CR: /* CRLF after chunk data; a bare LF is tolerated */
            if (*p == '\r')
                c->ch_state = CH_DATA_LF;
            else if (*p == '\n')
                c->ch_state = CH_SIZE, c->ch_digits = c->ch_ext = 0;
            else
                return -1;
            p++;
            n--;
            break;
        case CH_DATA_LF:
            if (*p != '\n')
                return -1;
            c->ch_state = CH_SIZE;
            c->ch_digits = c->ch_ext = 0;
            p++;
            n--;
            break;
        case CH_TRAILER: /* trailer lines until an empty one ends the body */
            if (*p == '\n') {
                if (c->trailer_line == 0)
                    return 1;
                c->trailer_line = 0;
            } else if (*p != '\r') {
                c->trailer_line++;
            }
            p++;
            n--;
            break;
        }
    }
    return 0;
}

/* ---------- HTTP response head ---------- */

/* Returns bytes of `p` consumed by the head, or -1 if the head is incomplete. */
static long head_feed(struct conn *c, const char *p, size_t n) {
    size_t before = c->head.len;
    buf_append(&c->head, p, n);
    char *h = c->head.p;
    size_t hl = c->head.len;
    char *end = memmem(h, hl, "\r\n\r\n", 4);
    size_t endlen = 4;
    char *end2 = memmem(h, hl, "\n\n", 2);
    if (end2 && (!end || end2 < end))
        end = end2, endlen = 2;
    if (!end) {
        if (hl > MAX_HEAD)
            return -2;
        return -1;
    }
    size_t head_len = (size_t)(end - h) + endlen;
    h[head_len - 1] = 0;

    /* Status line: HTTP/1.x 200 */
    if (strncmp(h, "HTTP/1.", 7) != 0 || strlen(h) < 12 || strncmp(h + 9, "200", 3) != 0)
        return -3;
    c->body_rem = -1;
    for (char *line = strchr(h, '\n'); line && *++line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next = 0;
        char *colon = strchr(line, ':');
        if (colon) {
            *colon = 0;
            char *v = colon + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            if (strcasecmp(line, "transfer-encoding") == 0 && strcasestr(v, "chunked"))
                c->chunked = 1;
            else if (strcasecmp(line, "content-length") == 0)
                c->body_rem = strtoll(v, NULL, 10);
        }
        line = next;
    }
    if (c->chunked)
        c->body_rem = -1; /* chunked framing wins over Content-Length */
    return (long)(head_len - before);
}

/* ---------- socket events ---------- */

static char rbuf[1 << 18];

static void on_conn_event(struct conn *c, uint32_t events) {
    if (c->state == C_CONNECTING) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) {
            conn_fail(c, &err_connect);
            return;
        }
        while (c->req_off < request_len) {
            ssize_t w = write(c->fd, request + c->req_off, request_len - c->req_off);
            if (w < 0) {
                if (errno == EAGAIN)
                    return; /* EPOLLOUT will fire again */
                conn_fail(c, &err_connect);
                return;
            }
            c->req_off += (size_t)w;
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)(c - conns)};
        epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
        c->state = C_HEAD;
        return;
    }
    /* Bounded reads per wake-up so one busy connection cannot starve the rest. */
    for (int i = 0; i < 8; i++) {
        ssize_t r = read(c->fd, rbuf, sizeof rbuf);
        double now = now_s();
        if (r < 0) {
            if (errno == EAGAIN || errno == EINTR)
                return;
            conn_fail(c, &err_disconnect);
            return;
        }
        if (r == 0) {
            conn_fail(c, &err_disconnect);
            return;
        }
        const char *p = rbuf;
        size_t n = (size_t)r;
        if (c->state == C_HEAD) {
            long used = head_feed(c, p, n);
            if (used == -1)
                continue;
            if (used < -1) {
                conn_fail(c, &err_http);
                return;
            }
            free(c->head.p);
            c->head = (struct buf){0};
            c->state = C_BODY;
            p += used;
            n -= (size_t)used;
        }
        if (writing)
            body_bytes += n;
        int st = body_feed(c, p, n, now);
        if (st < 0) {
            conn_fail(c, &err_protocol);
            return;
        }
        if (st > 0 && c->state != C_CLOSED) { /* server ended the stream */
            conn_fail(c, &err_disconnect);
            return;
        }
        if (c->state == C_CLOSED || (size_t)r < sizeof rbuf)
            return;
    }
    (void)events;
}

/* ---------- the writer ---------- */

static char *doc;
static char *tmp_path;

/* {"seq":n,"pad":"xxxx…"} padded to exactly opt_size bytes; with --fixed-pad the pad is
 * always opt_size-22 bytes, so consecutive documents differ in "seq" only. */
static size_t make_doc(long seq) {
    int k = snprintf(doc, (size_t)opt_size + 1, "{\"seq\":%ld,\"pad\":\"", seq);
    size_t pad = opt_fixed_pad ? (size_t)opt_size - 22 : (size_t)opt_size - (size_t)k - 2;
    memset(doc + k, 'x', pad);
    memcpy(doc + k + pad, "\"}", 2);
    return (size_t)k + pad + 2;
}

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            perror("write");
            exit(1);
        }
        p += w;
        n -= (size_t)w;
    }
}

static double do_write(long seq) {
    size_t n = make_doc(seq);
    /* rename mode writes a temp file and renames it over the target; in place writes the target. */
    const char *path = opt_rename ? tmp_path : opt_file;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        perror(path);
        exit(1);
    }
    write_all(fd, doc, n);
    close(fd);
    if (opt_rename && rename(tmp_path, opt_file) < 0) {
        perror("rename");
        exit(1);
    }
    return now_s();
}

/* ---------- results ---------- */

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of the sorted samples. */
static double pct(double q) {
    if (nsamples == 0)
        return -1;
    size_t rank = (size_t)(q * (double)nsamples + 0.999999);
    if (rank < 1)
        rank = 1;
    if (rank > nsamples)
        rank = nsamples;
    return samples[rank - 1];
}

static void print_num(const char *key, double v, int last) {
    if (v < 0)
        printf("\"%s\":null%s", key, last ? "" : ",");
    else
        printf("\"%s\":%.3f%s", key, v, last ? "" : ",");
}

/* ---------- main ---------- */

enum { P_CONNECT, P_WAIT, P_WRITE, P_GRACE, P_DONE };

int main(int argc, char **argv) {
    static struct option longopts[] = {
        {"port", required_argument, 0, 'p'},     {"file", required_argument, 0, 'f'},
        {"path", required_argument, 0, 'P'},     {"clients", required_argument, 0, 'n'},
        {"writes", required_argument, 0, 'w'},   {"interval-ms", required_argument, 0, 'i'},
        {"size", required_argument, 0, 's'},     {"mode", required_argument, 0, 'm'},
        {"grace-ms", required_argument, 0, 'g'}, {"inflight", required_argument, 0, 'F'},
        {"connect-timeout-ms", required_argument, 0, 'T'},
        {"wait-stdin", no_argument, 0, 'W'},     {"help", no_argument, 0, 'h'},
        {"fixed-pad", no_argument, 0, 'X'},      {"port2", required_argument, 0, 'q'},
        {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'p': opt_port = atoi(optarg); break;
        case 'q': opt_port2 = atoi(optarg); break;
        case 'f': opt_file = optarg; break;
        case 'P': opt_path = optarg; break;
        case 'n': opt_clients = atoi(optarg); break;
        case 'w': opt_writes = atoi(optarg); break;
        case 'i': opt_interval_ms = atoi(optarg); break;
        case 's': opt_size = atoi(optarg); break;
        case 'm':
            if (strcmp(optarg, "rename") == 0)
                opt_rename = 1;
            else if (strcmp(optarg, "inplace") != 0)
                usage(argv[0]);
            break;
        case 'g': opt_grace_ms = atoi(optarg); break;
        case 'F': opt_inflight = atoi(optarg); break;
        case 'T': opt_connect_timeout_ms = atoi(optarg); break;
        case 'W': opt_wait_stdin = 1; break;
        case 'X': opt_fixed_pad = 1; break;
        default: usage(argv[0]);
        }
    }
    if (optind != argc || opt_port <= 0 || opt_port > 65535 || !opt_file || opt_clients < 1 ||
        opt_writes < 0 || opt_writes > 100000 || opt_size < 64 || opt_interval_ms < 0 ||
        opt_grace_ms < 0 || opt_inflight < 1)
        usage(argv[0]);

    /* One fd per client: take the whole hard limit, and say so if it is too small. */
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
    if ((rlim_t)opt_clients + 32 > rl.rlim_cur) {
        printf("{\"error\":\"fd limit: %d clients need %d fds, RLIMIT_NOFILE is %llu\","
               "\"clients_requested\":%d}\n",
               opt_clients, opt_clients + 32, (unsigned long long)rl.rlim_cur, opt_clients);
        return 3;
    }
    signal(SIGPIPE, SIG_IGN);

    size_t N = (size_t)opt_clients, W = (size_t)opt_writes;
    conns = calloc(N, sizeof *conns);
    seen = calloc(N * (W ? W : 1), 1);
    write_time = calloc(W ? W : 1, sizeof *write_time);
    samples = malloc(N * (W ? W : 1) * sizeof *samples);
    doc = malloc((size_t)opt_size + 32);
    if (!conns || !seen || !write_time || !samples || !doc) {
        perror("malloc");
        return 1;
    }
    /* The temp file must be in the target's directory for rename to be atomic. */
    const char *slash = strrchr(opt_file, '/');
    size_t dirlen = slash ? (size_t)(slash - opt_file) + 1 : 0;
    tmp_path = malloc(strlen(opt_file) + 16);
    sprintf(tmp_path, "%.*s.%s.tmp", (int)dirlen, opt_file, opt_file + dirlen);

    request_len = (size_t)asprintf(&request,
                                   "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                                   "Accept: text/event-stream\r\n\r\n",
                                   opt_path, opt_port);
    server.sin_family = AF_INET;
    server.sin_port = htons((uint16_t)opt_port);
    server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    server2 = server;
    server2.sin_port = htons((uint16_t)opt_port2);

    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) {
        perror("epoll_create1");
        return 1;
    }

    int phase = P_CONNECT;
    t_connect_start = now_s();
    double deadline = t_connect_start + opt_connect_timeout_ms / 1000.0;
    double t_write0 = 0, connect_ms = -1;
    size_t next_write = 0;
    struct epoll_event evs[1024];

    while (phase != P_DONE) {
        double now = now_s();

        /* Phase transitions, each bounded by its own deadline. */
        if (phase == P_CONNECT) {
            while (launched < opt_clients && inflight < opt_inflight)
                conn_start(&conns[launched]);
            if (ready_count + failed >= opt_clients || now >= deadline) {
                for (size_t i = 0; i < N; i++) /* stragglers count as timeouts */
                    if (conns[i].state != C_UNUSED && conns[i].state != C_CLOSED && !conns[i].ready)
                        conn_fail(&conns[i], &err_timeout);
                err_timeout += opt_clients - launched;
                connect_ms = ready_count ? (t_last_ready - t_connect_start) * 1000.0 : -1;
                if (opt_wait_stdin) {
                    fprintf(stderr, "READY %d\n", ready_count);
                    fflush(stderr);
                    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = STDIN_TAG};
                    epoll_ctl(epfd, EPOLL_CTL_ADD, 0, &ev);
                    phase = P_WAIT;
                    deadline = now + 300;
                } else {
                    phase = P_WRITE;
                    t_write0 = now;
                }
            }
        }
        if (phase == P_WAIT && now >= deadline) {
            phase = P_WRITE;
            t_write0 = now;
        }
        if (phase == P_WRITE) {
            /* Spaced from the previous write's completion, so a slow loop never bunches writes. */
            double due = next_write ? write_time[next_write - 1] + opt_interval_ms / 1000.0 : t_write0;
            if (next_write < W && now >= due) {
                writing = 1;
                write_time[next_write] = do_write((long)next_write);
                next_write++;
                now = now_s();
            }
            if (next_write == W) {
                phase = P_GRACE;
                deadline = (W ? write_time[W - 1] : now) + opt_grace_ms / 1000.0;
            }
        }
        if (phase == P_GRACE && (now >= deadline || nsamples >= (size_t)ready_count * W))
            phase = P_DONE;
        if (phase == P_DONE)
            break;

        /* Sleep until the next thing that is due, at most 50 ms. */
        double due = now + 0.05;
        if (phase == P_WRITE)
            due = next_write ? write_time[next_write - 1] + opt_interval_ms / 1000.0 : t_write0;
        else if (phase != P_CONNECT && deadline < due)
            due = deadline;
        int timeout = due > now ? (int)((due - now) * 1000.0) : 0;
        if (timeout > 50)
            timeout = 50;
        int n = epoll_wait(epfd, evs, 1024, timeout);
        if (n < 0 && errno != EINTR) {
            perror("epoll_wait");
            return 1;
        }
        for (int i = 0; i < n; i++) {
            if (evs[i].data.u32 == STDIN_TAG) {
                char junk[256];
                ssize_t r = read(0, junk, sizeof junk);
                if (phase == P_WAIT && (r <= 0 || memchr(junk, '\n', (size_t)r))) {
                    epoll_ctl(epfd, EPOLL_CTL_DEL, 0, NULL);
                    phase = P_WRITE;
                    t_write0 = now_s();
                }
                continue;
            }
            struct conn *c = &conns[evs[i].data.u32];
            if (c->state != C_UNUSED && c->state != C_CLOSED)
                on_conn_event(c, evs[i].events);
        }
    }

    qsort(samples, nsamples, sizeof *samples, cmp_double);
    double sum = 0;
    for (size_t i = 0; i < nsamples; i++)
        sum += samples[i];
    size_t expected = N * W;
    long errors = err_connect + err_http + err_protocol + err_disconnect + err_timeout;
    printf("{\"clients_requested\":%d,\"clients_connected\":%d,", opt_clients, ready_count);
    print_num("connect_ms", connect_ms, 0);
    printf("\"writes\":%zu,\"size\":%d,\"mode\":\"%s\",\"interval_ms\":%d,", W, opt_size,
           opt_rename ? "rename" : "inplace", opt_interval_ms);
    print_num("p50_ms", pct(0.50), 0);
    print_num("p90_ms", pct(0.90), 0);
    print_num("p99_ms", pct(0.99), 0);
    print_num("max_ms", nsamples ? samples[nsamples - 1] : -1, 0);
    print_num("mean_ms", nsamples ? sum / (double)nsamples : -1, 0);
    printf("\"samples_received\":%zu,\"samples_expected\":%zu,\"missed\":%zu,", nsamples, expected,
           expected - nsamples);
    printf("\"duplicates\":%ld,\"bad_events\":%ld,\"other_events\":%ld,", duplicates, bad_events,
           other_events);
    printf("\"patch_events\":%ld,\"state_events\":%ld,\"bad_patches\":%ld,\"fixed_pad\":%s,", patch_events,
           state_events, bad_patches, opt_fixed_pad ? "true" : "false");
    /* Body bytes (chunk framing included) per connected client per write: the wire cost of a change. */
    printf("\"body_bytes\":%llu,", body_bytes);
    print_num("bytes_per_client_write", ready_count && W ? (double)body_bytes / ready_count / (double)W : -1, 0);
    printf("\"errors\":%ld,\"error_detail\":{\"connect\":%ld,\"http\":%ld,\"protocol\":%ld,"
           "\"disconnect\":%ld,\"timeout\":%ld}}\n",
           errors, err_connect, err_http, err_protocol, err_disconnect, err_timeout);
    return 0;
}
