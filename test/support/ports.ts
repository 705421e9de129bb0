/**
 * Free TCP ports for servers a test starts on a port it must know beforehand (a child
 * process, PostgreSQL restarted in place), so tests and the bench never collide with
 * Hookpost's defaults or each other.
 *
 * Picked below the kernel's ephemeral range: a port between being picked and being bound
 * (or while its server restarts) cannot be handed to anything else on the machine that
 * listens on port 0 or connects out, as every receiver and Hookpost in the test files run
 * beside this one do. A port from the ephemeral range (listen on 0, close, reuse) could.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';

const FIRST = 20_000;

/** The first port of the kernel's ephemeral range (Linux; 32768 elsewhere, as on Linux by default). */
function ephemeralStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && low > FIRST + 1_000) return low;
  } catch {
    // Not Linux: use the common default.
  }
  return 32_768;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function kernelPicked(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function freePort(): Promise<number> {
  const end = ephemeralStart();
  for (let tries = 0; tries < 50; tries++) {
    const port = FIRST + Math.floor(Math.random() * (end - FIRST));
    if (await bindable(port)) return port;
  }
  return kernelPicked();
}
