/// The dashboard at `GET /` (README.md, "Dashboard"): the streams from `/healthz`, and one stream
/// shown live at `/?stream=/path`. One page with no external resource (no CDN, no font), so it works
/// offline; its script imports `/client.js` (``ClientScript``) for the patch appliers and resume.
///
/// The page is `Assets/dashboard.html` with its style (`dashboard.css`: a list beside the stream on
/// a wide screen, above it on a phone, the system's colours, a changed line fading from yellow) and
/// its script (`dashboard.js`, an ES module: the list of streams, the URL, and the views of a
/// document, a log and a folder) put inline at the template's `{{dashboard.css}}` and
/// `{{dashboard.js}}` markers. The Content Security Policy allows exactly those two by the SHA-256 of
/// the bytes put in (CSP Level 3 §8.4) and nothing else but the server's own origin: no other
/// script, no `eval`, no connection elsewhere. What the streams hold is put in the page as text,
/// never as markup. The page holds no secret, so it is served without a token; it reads
/// `access_token` from its own URL and sends it with each request it makes.
enum DashboardPage {
    static let path = "/"

    static let asset: StaticAsset = {
        // An inline element's text starts on a line of its own: the line end after the opening
        // tag, then the file (which ends with its own line end, before the closing tag).
        let lineEnd = Array("\n".utf8)
        let style = lineEnd + PackageResources.dashboard_css
        let script = lineEnd + PackageResources.dashboard_js
        let html = PageTemplate(PackageResources.dashboard_html).filling([
            "dashboard.css": style, "dashboard.js": script,
        ])
        let policy = [
            "default-src 'none'",
            "script-src 'self' " + StaticAsset.cspHash(of: script),
            "style-src " + StaticAsset.cspHash(of: style),
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
}
