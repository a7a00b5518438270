/// The dashboard at `GET /` (README.md, "Dashboard"): the streams from `/healthz`, and one stream
/// shown live at `/?stream=/path`. One page with no external resource (no CDN, no font), so it works
/// offline; its script imports `/client.js` (``ClientScript``) for the patch appliers and resume.
///
/// The page's style and script are inline, and the Content Security Policy allows exactly them by
/// their SHA-256 (CSP Level 3 §8.4) and nothing else but the server's own origin: no other script,
/// no `eval`, no connection elsewhere. What the streams hold is put in the page as text, never as
/// markup. The page holds no secret, so it is served without a token; it reads `access_token` from
/// its own URL and sends it with each request it makes.
enum DashboardPage {
    static let path = "/"

    static let asset: StaticAsset = {
        // Each literal is written without its last line end (a multi-line literal drops it).
        let inlineStyle = "\n" + style + "\n"
        let inlineScript = "\n" + script + "\n"
        let html = head + "\n<style>" + inlineStyle + "</style>\n</head>\n" + body
            + "\n<script type=\"module\">" + inlineScript + "</script>\n</body>\n</html>\n"
        let policy = [
            "default-src 'none'",
            "script-src 'self' " + StaticAsset.cspHash(of: inlineScript),
            "style-src " + StaticAsset.cspHash(of: inlineStyle),
            "connect-src 'self'",
            "img-src 'self' data:",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ].joined(separator: "; ")
        // The page's URL may hold a token: no Referer takes it anywhere.
        return StaticAsset(html, contentType: "text/html; charset=utf-8", extra: [
            ("Content-Security-Policy", policy), ("Referrer-Policy", "no-referrer"),
        ])
    }()

    private static let head = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>sse-mirror</title>
"""#

    private static let body = #"""
<body>
<header><a id="home" href="/">sse-mirror</a><span class="note">files as live streams</span></header>
<main>
<nav id="streams" aria-label="streams"><p class="note">loading the streams…</p></nav>
<section id="view" hidden>
<h2 id="view-title"></h2>
<div class="status"><span id="conn" data-state="connecting">connecting</span><span id="reconnects"></span><span id="last-event" class="note"></span></div>
<div id="warning" role="alert" hidden></div>
<div id="view-body"></div>
</section>
</main>
"""#
}
