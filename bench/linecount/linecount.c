/* linecount: one SSE client that counts the lines a line stream delivers, as fast as it can.
 *
 *   linecount PORT PATH EXPECTED
 *
 * Connects to 127.0.0.1:PORT, GETs PATH as text/event-stream, de-chunks the HTTP/1.1 body and
 * parses the event stream (WHATWG HTML §9.2.6). For every `changed` or `appended` event it counts
 * the elements of the JSON array of strings in its data: an element starts at a `"` right after
 * `[` or `,`, which inside a JSON string cannot happen (a quote there is written `\"`). Prints
 * "READY" on stderr once the response head is in, and when EXPECTED lines have arrived prints
 * "<lines> <CLOCK_MONOTONIC seconds at the last byte> <body bytes>" on stdout (Python's
 * time.monotonic() reads the same clock) and exits 0; more lines than EXPECTED exit 1.
 * No allocation per event: one fixed buffer, state kept across reads.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* Event-stream parser state. */
static int at_line_start = 1;   /* the next body byte starts a line */
static int field = 0;           /* 0 unknown/other, 1 data, 2 event */
static int field_pos = 0;       /* bytes of the line seen so far */
static char name_buf[16];       /* the line's first bytes, to tell the field */
static char event_name[16];
static int event_name_len = 0;
static long long pending = 0;   /* elements counted in this event's data */
static unsigned char prev = 0;  /* previous data byte */
static long long lines = 0;

static void end_event(void) {
    event_name[event_name_len] = 0;
    if (strcmp(event_name, "appended") == 0 || strcmp(event_name, "changed") == 0) lines += pending;
    pending = 0;
    event_name_len = 0;
}

static void body_byte(unsigned char c) {
    if (c == '\n') {
        if (field_pos == 0) end_event(); /* a blank line dispatches the event */
        at_line_start = 1;
        field = 0;
        field_pos = 0;
        return;
    }
    if (field_pos < 6) {
        name_buf[field_pos] = (char)c;
        field_pos++;
        if (field_pos == 6 && memcmp(name_buf, "data: ", 6) == 0) { field = 1; prev = 0; }
        else if (field_pos == 6 && memcmp(name_buf, "event:", 6) == 0) { field = 2; event_name_len = 0; }
        return;
    }
    field_pos++;
    if (field == 1) {
        if (c == '"' && (prev == '[' || prev == ',')) pending++;
        prev = c;
    } else if (field == 2) {
        if (c == ' ' && event_name_len == 0) return;
        if (event_name_len < 15) event_name[event_name_len++] = (char)c;
    }
}

/* body_byte for a run of bytes, with the inside of a data line skipped quote to quote by memchr
 * (a log event is one data line of about a megabyte): the client must not be what is measured. */
static void body_bytes(const unsigned char *p, size_t n) {
    const unsigned char *end = p + n;
    while (p < end) {
        if (field == 1 && field_pos >= 6) {
            const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
            const unsigned char *stop = nl ? nl : end;
            const unsigned char *q = p;
            for (;;) {
                const unsigned char *quote = memchr(q, '"', (size_t)(stop - q));
                if (!quote) break;
                unsigned char before = quote > p ? quote[-1] : prev;
                if (before == '[' || before == ',') pending++;
                q = quote + 1;
            }
            if (stop > p) { prev = stop[-1]; field_pos += (int)(stop - p > 1000 ? 1000 : stop - p); }
            p = stop;
            if (nl) { body_byte('\n'); p++; }
            continue;
        }
        body_byte(*p++);
    }
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: linecount PORT PATH EXPECTED\n"); return 2; }
    int port = atoi(argv[1]);
    long long expected = atoll(argv[3]);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); return 1; }
    char req[512];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: text/event-stream\r\n\r\n", argv[2], port);
    if (write(fd, req, n) != n) { perror("write"); return 1; }
    static unsigned char buf[1 << 20];
    size_t have = 0;
    int head_done = 0;
    long long chunk_left = 0; /* data bytes left in the current chunk */
    int in_size = 1;          /* reading a chunk-size line */
    long long size_acc = 0;
    int size_ext = 0, crlf_skip = 0;
    long long body = 0;
    for (;;) {
        ssize_t r = read(fd, buf + have, sizeof buf - have);
        if (r <= 0) { fprintf(stderr, "connection ended after %lld lines\n", lines); return 1; }
        have += (size_t)r;
        size_t pos = 0;
        if (!head_done) {
            unsigned char *end = memmem(buf, have, "\r\n\r\n", 4);
            if (!end) continue;
            if (memcmp(buf, "HTTP/1.1 200", 12) != 0) { fprintf(stderr, "bad response: %.40s\n", buf); return 1; }
            pos = (size_t)(end - buf) + 4;
            head_done = 1;
            fprintf(stderr, "READY\n");
        }
        while (pos < have) {
            unsigned char c = buf[pos];
            if (crlf_skip) { crlf_skip--; pos++; continue; }
            if (in_size) {
                pos++;
                if (c == '\n') {
                    if (size_acc == 0) { fprintf(stderr, "stream ended after %lld lines\n", lines); return 1; }
                    chunk_left = size_acc; size_acc = 0; size_ext = 0; in_size = 0;
                } else if (c == ';') size_ext = 1;
                else if (!size_ext && c != '\r') {
                    int v = (c >= '0' && c <= '9') ? c - '0' : (c | 32) - 'a' + 10;
                    size_acc = size_acc * 16 + v;
                }
                continue;
            }
            size_t take = have - pos;
            if ((long long)take > chunk_left) take = (size_t)chunk_left;
            body_bytes(buf + pos, take);
            pos += take; chunk_left -= (long long)take; body += (long long)take;
            if (chunk_left == 0) { in_size = 1; crlf_skip = 2; }
        }
        have = 0;
        if (lines >= expected) {
            printf("%lld %.6f %lld\n", lines, now(), body);
            fflush(stdout);
            return lines == expected ? 0 : 1;
        }
    }
}
