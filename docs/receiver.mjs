// receiver.mjs: HOOKPOST_SIGNING_SECRET=whsec_… node receiver.mjs
import http from 'node:http';
import { Webhook } from 'standardwebhooks';

const webhook = new Webhook(process.env.HOOKPOST_SIGNING_SECRET);
const handled = new Set(); // in production: a table with a unique index on the id

http
  .createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        // Throws unless the signature matches and the timestamp is within 5 minutes.
        webhook.verify(body, request.headers, { jsonParse: false });
      } catch {
        response.writeHead(401).end('invalid signature');
        return;
      }
      const id = request.headers['webhook-id'];
      if (!handled.has(id)) {
        handled.add(id);
        console.log(`verified ${id}: ${body}`);
      }
      response.writeHead(204).end();
    });
  })
  .listen(Number(process.env.PORT ?? 3000));
