/**
 * A real forward proxy on port 0, as an egress proxy (squid and the like) works: plain
 * requests carry the absolute URL and are forwarded, `CONNECT host:port` opens a tunnel.
 * It records every request that went through it, with its Proxy-Authorization.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

export interface ProxiedRequest {
  /** `POST http://host:port/path` or `CONNECT host:port`. */
  line: string;
  proxyAuthorization: string | undefined;
}

export interface ForwardProxy {
  url: string;
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

export async function startForwardProxy(): Promise<ForwardProxy> {
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<net.Socket>();
  const record = (req: http.IncomingMessage) =>
    requests.push({
      line: `${req.method} ${req.url}`,
      proxyAuthorization: req.headers['proxy-authorization'],
    });

  const server = http.createServer((req, res) => {
    record(req);
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = http.request(req.url ?? '', { method: req.method, headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    record(req);
    const target = new URL(`tcp://${req.url}`);
    const upstream = net.connect(Number(target.port), target.hostname.replace(/^\[(.*)\]$/, '$1'), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
