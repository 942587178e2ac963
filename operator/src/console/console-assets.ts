// The console's stylesheet and script, served as files so the Content-Security-Policy can forbid
// every inline script and style. Light and dark follow prefers-color-scheme; a badge's meaning is
// in its text, the colour only repeats it.

export const CONSOLE_CSS = `:root { color-scheme: light dark; --bg: #fff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de;
  --ok: #116329; --ok-bg: #dafbe1; --bad: #a40e26; --bad-bg: #ffebe9; --unknown: #6e5600; --unknown-bg: #fff8c5;
  --accent: #0550ae; --card: #f6f8fa; }
@media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9da7b3; --line: #30363d;
  --ok: #7ee787; --ok-bg: #12261e; --bad: #ffa198; --bad-bg: #2d1214; --unknown: #e3b341; --unknown-bg: #272115;
  --accent: #79c0ff; --card: #161b22; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, sans-serif; background: var(--bg); color: var(--fg); }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -9999px; } .skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: .5rem; }
header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .75rem 1.5rem; border-bottom: 1px solid var(--line); }
header .brand { font-weight: 700; margin-right: 1rem; }
nav ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; margin: 0; padding: 0; }
nav a[aria-current="page"] { font-weight: 700; text-decoration: none; color: var(--fg); border-bottom: 2px solid var(--accent); }
header .who { margin-left: auto; color: var(--muted); display: flex; gap: .75rem; align-items: center; }
main { padding: 1rem 1.5rem 3rem; max-width: 80rem; }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; } h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
.table-wrap { overflow-x: auto; margin-bottom: 1.5rem; }
table { border-collapse: collapse; min-width: 100%; } table.narrow { min-width: 0; }
caption { text-align: left; font-weight: 600; padding: .25rem 0 .5rem; }
th, td { text-align: left; vertical-align: top; padding: .4rem .75rem .4rem 0; border-bottom: 1px solid var(--line); }
thead th { color: var(--muted); font-weight: 600; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 1rem; font-size: .85em; font-weight: 600; }
.badge[data-tone="ok"] { color: var(--ok); background: var(--ok-bg); }
.badge[data-tone="bad"] { color: var(--bad); background: var(--bad-bg); }
.badge[data-tone="unknown"] { color: var(--unknown); background: var(--unknown-bg); }
/* Unfilled rows of the recent-requests view (their time is empty) stay hidden until a request fills them. */
tbody tr:has(> td:first-child > span:empty) { display: none; }
.health { font-size: .85em; } .health[data-tone="ok"] { color: var(--ok); } .health[data-tone="bad"] { color: var(--bad); font-weight: 600; }
.health[data-tone="unknown"] { color: var(--muted); }
.muted, .empty { color: var(--muted); } .mono { font-family: ui-monospace, monospace; } .num { font-variant-numeric: tabular-nums; }
ul.plain { list-style: none; margin: 0; padding: 0; }
.message { max-width: 40rem; }
dl.facts { display: flex; flex-wrap: wrap; gap: .5rem 2rem; margin: 0 0 1.25rem; }
dl.facts dt { color: var(--muted); font-size: .85em; } dl.facts dd { margin: 0; font-weight: 600; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: .5rem; padding: 1rem; margin-bottom: 1rem; }
meter { width: 100%; max-width: 30rem; height: 1.25rem; }
svg.burn { display: block; margin-top: .5rem; max-width: 100%; height: auto; }
svg.burn .frame { fill: none; stroke: var(--line); }
svg.burn .spent { stroke: var(--accent); stroke-width: 2.5; }
svg.burn .projected { stroke: var(--accent); stroke-width: 2; stroke-dasharray: 5 4; }
svg.burn .now { stroke: var(--muted); stroke-width: 1; stroke-dasharray: 2 3; }
a.button { display: inline-block; padding: .4rem 1rem; border-radius: .25rem; border: 1px solid var(--line); background: var(--card); color: var(--fg); text-decoration: none; font-weight: 600; }
form.login { display: grid; gap: .5rem; max-width: 40rem; }
input[type="password"] { font: inherit; padding: .5rem; border: 1px solid var(--line); border-radius: .25rem; background: var(--bg); color: var(--fg); }
button { font: inherit; padding: .4rem 1rem; border-radius: .25rem; border: 1px solid var(--line); background: var(--card); color: var(--fg); cursor: pointer; }
.error { color: var(--bad); background: var(--bad-bg); padding: .5rem .75rem; border-radius: .25rem; }
code { font-family: ui-monospace, monospace; }
#refresh-status { color: var(--muted); font-size: .85em; }
`;

/**
 * Asks /api/live for the view's live values every few seconds and writes them in place; a new
 * signature (rows added or removed, visibility changed) reloads the page; a 401 goes to the login.
 */
export const CONSOLE_JS = `(() => {
  const main = document.querySelector('main[data-view]');
  if (!main) return;
  const view = main.dataset.view;
  const signature = main.dataset.signature;
  const interval = Number(main.dataset.refreshMs) || 5000;
  const status = document.getElementById('refresh-status');
  async function refresh() {
    try {
      const res = await fetch('/api/live?view=' + encodeURIComponent(view), { credentials: 'same-origin', cache: 'no-store' });
      if (res.status === 401) { location.assign('/login'); return; }
      if (!res.ok) throw new Error('HTTP ' + res.status);
      const body = await res.json();
      if (body.signature !== signature) { location.reload(); return; }
      for (const el of document.querySelectorAll('[data-live]')) {
        const value = body.live[el.dataset.live];
        if (!value) continue;
        if (el.textContent !== value[0]) el.textContent = value[0];
        if (value[1]) el.dataset.tone = value[1];
      }
      for (const el of document.querySelectorAll('[data-live-meter]')) {
        const value = body.live[el.dataset.liveMeter];
        if (value) el.value = Number(value[0]);
      }
      if (status) status.textContent = 'Updated ' + new Date().toLocaleTimeString();
    } catch (error) {
      if (status) status.textContent = 'Refresh failed (' + error.message + '); retrying';
    }
    setTimeout(refresh, interval);
  }
  setTimeout(refresh, interval);
})();
`;
