// server.js — the seed's design, ported from its Next.js API route to a plain
// Node `http` server so it can be benchmarked beside the floor and sse-mirror.
//
// Kept faithful on purpose, defects included: every client gets its own
// fs.watch on the FILE (not its directory), each change re-reads and
// re-parses the file once per client, a half-written file makes JSON.parse
// throw (logged, event skipped), and after an atomic rename the watch stays
// on the old inode and stops firing. The benchmark is meant to show that.
//
// Usage: node server.js PORT FILE
// (Node raises its own RLIMIT_NOFILE soft limit to the hard limit at start-up.)
"use strict";

const http = require("http");
const fs = require("fs");

const [port, FILE] = [Number(process.argv[2]), process.argv[3]];
if (!port || !FILE) {
  console.error("usage: node server.js PORT FILE");
  process.exit(2);
}

function handler(req, res) {
  res.writeHead(200, {
    Connection: "keep-alive",
    "Content-Encoding": "none",
    "Cache-Control": "no-cache",
    "Content-Type": "text/event-stream",
  });

  const watcher = fs.watch(FILE);

  const onChange = () => {
    try {
      const data = fs.readFileSync(FILE, "utf8");
      const json = JSON.stringify(JSON.parse(data));
      res.write(`data: ${json}\n\n`);
    } catch (error) {
      console.error("Error reading or parsing file:", error.message);
    }
  };

  watcher.on("change", onChange);
  onChange();

  req.on("close", () => {
    watcher.close();
    res.end();
  });
}

const server = http.createServer(handler);
server.listen(port, "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
