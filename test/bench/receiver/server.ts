/**
 * The bench's receiver, a program of its own so its CPU is not the load generator's or
 * Hookpost's. It answers every delivery at once, with 200 or with the status the bench
 * set (the retry storm; per tag for an outage of some endpoints while others stay up), or,
 * for a tag made a tarpit, never (the noisy neighbour: it accepts the request and holds
 * it until Hookpost gives up at the endpoint's timeout), and remembers each successful
 * delivery by its `webhook-id`
 * (the delivery id) and arrival time, per tag, so the bench can prove every delivery
 * arrived and compute end-to-end latency.
 *
 *   POST /hooks/<tag>/...         a delivery; recorded under <tag>
 *   POST /ceiling                 answered, not recorded (the network ceiling)
 *   POST /_control/status/<code>  answer deliveries with <code> from now on
 *   POST /_control/status/<code>/<tag>  answer <tag>'s deliveries with <code> from now on,
 *                                 whatever the status for the others
 *   POST /_control/tarpit/<tag>   never answer <tag>'s deliveries from now on
 *   GET  /_control/stats/<tag>    {"delivered": n, "refused": n, "held": n} (held: requests a tarpit took)
 *   GET  /_control/deliveries/<tag>  one "<webhook-id> <arrival ms>" line per delivery
 *
 * Started by receiverProcess.ts, which learns the port over IPC.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

interface Tally {
  ids: string[];
  at: number[];
  refused: number;
  held: number;
}

const tallies = new Map<string, Tally>();
let status = 200;
/** Tags answered with their own status, set apart from `status`. */
const statusOfTag = new Map<string, number>();
/** Tags whose deliveries are never answered. */
const tarpits = new Set<string>();

const tally = (tag: string): Tally => {
  let t = tallies.get(tag);
  if (!t) tallies.set(tag, (t = { ids: [], at: [], refused: 0, held: 0 }));
  return t;
};

const now = () => performance.timeOrigin + performance.now();

const server = http.createServer((req, res) => {
  const url = req.url ?? '/';
  if (url.startsWith('/hooks/')) {
    req.on('end', () => {
      const tag = url.split('/')[2] ?? '';
      const t = tally(tag);
      if (tarpits.has(tag)) {
        // The response is never written; the socket stays open until the sender gives up.
        t.held += 1;
        return;
      }
      const answer = statusOfTag.get(tag) ?? status;
      if (answer >= 200 && answer < 300) {
        t.ids.push(String(req.headers['webhook-id'] ?? ''));
        t.at.push(now());
      } else {
        t.refused += 1;
      }
      res.writeHead(answer, { 'content-type': 'text/plain', 'content-length': '2' });
      res.end('ok');
    });
    req.resume();
    return;
  }
  if (url === '/ceiling') {
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
      res.end('ok');
    });
    req.resume();
    return;
  }
  req.resume();
  const [, , command, argument = '', tag] = url.split('/');
  if (req.method === 'POST' && command === 'status' && tag) {
    statusOfTag.set(tag, Number(argument));
    res.end(JSON.stringify({ tag, status: Number(argument) }));
  } else if (req.method === 'POST' && command === 'tarpit' && argument) {
    tarpits.add(argument);
    res.end(JSON.stringify({ tarpit: argument }));
  } else if (req.method === 'POST' && command === 'status') {
    status = Number(argument);
    res.end(JSON.stringify({ status }));
  } else if (command === 'stats') {
    const t = tally(argument);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ delivered: t.ids.length, refused: t.refused, held: t.held }));
  } else if (command === 'deliveries') {
    const t = tally(argument);
    res.setHeader('content-type', 'text/plain');
    const lines: string[] = [];
    for (let i = 0; i < t.ids.length; i++) lines.push(`${t.ids[i]} ${t.at[i]!.toFixed(3)}`);
    res.end(lines.join('\n'));
  } else {
    res.statusCode = 404;
    res.end();
  }
});
// Longer than any client's keep-alive, so connections are reused rather than raced.
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
