/**
 * `npm start`: the command line. Reads the role (--role api|worker|all, or
 * HOOKPOST_ROLE), the environment, starts Hookpost and stops it cleanly on SIGINT or
 * SIGTERM. A second signal exits at once.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, processRoles, type ProcessRole } from './config.ts';
import { startHookpost } from './hookpost.ts';
import { createLogger } from './logger.ts';

const usage = `Usage: npm start -- [--role all|api|worker]

  --role all     HTTP API, GraphQL, dashboard and the delivery worker (default)
  --role api     only the HTTP side; run workers elsewhere on the same database
  --role worker  only the delivery worker

Configuration comes from the environment; see README.md.`;

async function main() {
  const { values } = parseArgs({ options: { role: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(usage);
    return;
  }
  if (values.role && !processRoles.includes(values.role as ProcessRole)) {
    console.error(`Unknown role "${values.role}".\n\n${usage}`);
    process.exit(2);
  }

  let config;
  try {
    config = loadConfig(process.env, values.role ? { role: values.role as ProcessRole } : {});
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  const logger = createLogger({ level: config.logLevel, pretty: config.logPretty });
  const drainLogs = () => new Promise<void>((resolve) => logger.flush(() => resolve()));
  const hookpost = await startHookpost(config, logger).catch(async (error) => {
    logger.fatal({ err: error }, `Hookpost could not start: ${error.message}`);
    await drainLogs();
    process.exit(1);
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      logger.warn(`Second ${signal}: exiting now.`);
      process.exit(1);
    }
    stopping = true;
    logger.info(`${signal} received: shutting down.`);
    await hookpost.stop();
    logger.info('Hookpost stopped.');
    // The log stream writes asynchronously: exiting while a write is in flight let the
    // lines behind it go out first (exit flushes them synchronously) and that one last,
    // or not at all. So every exit waits for the stream to drain.
    await drainLogs();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

await main();
