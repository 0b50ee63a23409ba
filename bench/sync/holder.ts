/**
 * Child process of the bench: holds `count` long polls (`GET /api/sync/files?since=&wait=60`)
 * open against the server, one socket each, from its own loopback source address. Reports to
 * the parent when every request is sent, then when every one has returned (after a change).
 */
import http from 'node:http';

const [base, apiKey, countText, since, localAddress] = process.argv.slice(2) as [string, string, string, string, string];
const count = Number(countText);
const url = new URL(`/api/sync/files?since=${since}&wait=60`, base);
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
let sent = 0;
let returned = 0;
let failed = 0;
const errors: Record<string, number> = {};
let firstReturn = 0;
let lastReturn = 0;

function poll(): void {
  const req = http.request(url, { agent, headers: { 'x-api-key': apiKey }, localAddress }, (res) => {
    res.resume();
    res.on('end', () => {
      if (res.statusCode === 200) {
        returned++;
        const now = Date.now(); // wall clock: comparable with the parent process
        firstReturn ||= now;
        lastReturn = now;
      } else {
        failed++;
        errors[`HTTP ${res.statusCode}`] = (errors[`HTTP ${res.statusCode}`] ?? 0) + 1;
      }
      maybeDone();
    });
  });
  req.on('error', (err: NodeJS.ErrnoException) => {
    failed++;
    errors[err.code ?? err.message] = (errors[err.code ?? err.message] ?? 0) + 1;
    maybeDone();
  });
  req.end(() => {
    sent++;
    if (sent === count) process.send!({ type: 'sent' });
  });
}

function maybeDone(): void {
  if (returned + failed === count) process.send!({ type: 'returned', returned, failed, errors, firstReturn, lastReturn });
}

// Open in paced batches (BENCH_OPEN_RATE per second per process) so the server's listen backlog
// is not overrun: an overflowing backlog makes the kernel drop or reset connections.
const perSecond = Number(process.env.BENCH_OPEN_RATE ?? 200);
let opened = 0;
function openBatch(): void {
  for (let i = 0; i < perSecond / 10 && opened < count; i++, opened++) poll();
  if (opened < count) setTimeout(openBatch, 100);
}
openBatch();
process.on('message', (m) => {
  if (m === 'exit') process.exit(0);
});
