#!/bin/sh
# Wait in CI until a build artifact shows up in an sse-mirror directory stream, then say so.
#
#   examples/ci-wait.sh URL ARTIFACT [TIMEOUT]
#
#   URL       the directory stream, e.g. http://ci:8080/artifacts (a stream whose watch: is a folder)
#   ARTIFACT  the file's path under that folder, e.g. dist/app.tar.gz
#   TIMEOUT   how long to wait: seconds, or 30s, 10m, 1h (default 600)
#
# Environment: SSE_MIRROR, the sse-mirror binary (default: the one on PATH); SSE_MIRROR_TOKEN_FILE,
# a file holding the bearer token of a stream behind auth.
#
# The build should publish the artifact by moving it into the folder once written (mv, or
# rename(2)): a manifest shows a file while it is still being written too, so a file written in
# place may be seen half-made. Exits with follow's code: 0 the artifact is there, 124 it did not come in time, 1 bad input or
# a refusal (a wrong token, no such stream).
set -u

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 URL ARTIFACT [TIMEOUT]" >&2
    exit 1
fi
url=$1
artifact=$2
timeout=${3:-600}

# The manifest is keyed by path; as an RFC 6901 pointer, '~' is written ~0 and '/' is written ~1.
pointer=/$(printf '%s' "$artifact" | sed -e 's/~/~0/g' -e 's|/|~1|g')

set -- "${SSE_MIRROR:-sse-mirror}" follow "$url" --until "$pointer" --timeout "$timeout"
if [ -n "${SSE_MIRROR_TOKEN_FILE:-}" ]; then
    set -- "$@" --token-file "$SSE_MIRROR_TOKEN_FILE"
fi

# follow prints the manifest once the pointer exists (one line of JSON), and exits.
manifest=$("$@")
status=$?

case $status in
0)
    # Only the artifact's entry (size, mtime, sha256) when jq is there; else the whole manifest.
    if command -v jq >/dev/null 2>&1; then
        entry=$(printf '%s\n' "$manifest" | jq -c --arg key "$artifact" '.[$key]')
    else
        entry=$manifest
    fi
    echo "$artifact is ready: $entry"
    ;;
124)
    echo "$artifact did not appear at $url within $timeout" >&2
    ;;
*)
    echo "waiting for $artifact at $url failed (exit $status)" >&2
    ;;
esac
exit $status
