extension DashboardPage {
    /// The page's CSS: a list beside the stream on a wide screen, above it on a phone; the
    /// system's light or dark colours; a changed line fades from yellow.
    static let style = #"""
:root { color-scheme: light dark; --line: #8884; --lit: #fd4a; --accent: #2563eb; --bad: #b91c1c; --good: #15803d; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, sans-serif; }
header { display: flex; gap: 1rem; align-items: baseline; padding: .6rem 1rem; border-bottom: 1px solid var(--line); }
header a { font-weight: 600; color: inherit; text-decoration: none; }
main { display: grid; grid-template-columns: minmax(16rem, 24rem) 1fr; gap: 1rem; padding: 1rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; font-size: .85em; }
#streams a { color: var(--accent); font-family: ui-monospace, monospace; }
#streams .watch { font-size: .8em; opacity: .7; word-break: break-all; }
#streams tr.selected { background: #2563eb1a; }
.state.ok { color: var(--good); }
.state.invalid, .state.removed { color: var(--bad); }
.note { opacity: .75; font-size: .9em; }
#view { min-width: 0; }
#view h2 { margin: 0 0 .4rem; font: 600 1.2em ui-monospace, monospace; word-break: break-all; }
.status { display: flex; flex-wrap: wrap; gap: .4rem 1rem; align-items: center; font-size: .9em; margin-bottom: .6rem; }
#conn { padding: .1rem .5rem; border-radius: 1rem; background: #8883; }
#conn[data-state="live"] { background: var(--good); color: #fff; }
#conn[data-state="reconnecting"], #conn[data-state="closed"] { background: var(--bad); color: #fff; }
#warning { padding: .5rem; margin-bottom: .6rem; border-left: 4px solid var(--bad); background: #b91c1c1a; }
pre { margin: 0; padding: .6rem; border: 1px solid var(--line); border-radius: 4px; overflow: auto;
  font: 13px/1.4 ui-monospace, monospace; white-space: pre-wrap; overflow-wrap: anywhere; }
#lines { max-height: 70vh; }
pre .lit, tr.lit { animation: lit 2.5s ease-out; }
@keyframes lit { from { background: var(--lit); } to { background: transparent; } }
.toolbar { display: flex; gap: .5rem; align-items: center; margin-bottom: .5rem; flex-wrap: wrap; }
.toolbar input { flex: 1; min-width: 10rem; font: inherit; padding: .3rem; }
button { font: inherit; padding: .3rem .8rem; }
#tree td.hash { font-family: ui-monospace, monospace; font-size: .85em; word-break: break-all; }
#tree td.size { text-align: right; font-variant-numeric: tabular-nums; }
.removed { color: var(--bad); font-weight: 600; }
@media (max-width: 800px) {
  main { grid-template-columns: 1fr; padding: .5rem; }
  body.viewing #streams { order: 2; }
  #tree { font-size: .85em; }
}
"""#
}
