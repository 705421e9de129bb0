/**
 * The one logger. JSON lines for machines, pretty lines in a terminal. Secrets never
 * reach it: request headers that carry them are redacted here, once.
 */
import { Logger as GraphileLogger } from 'graphile-worker';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export function createLogger(options: {
  level: string;
  pretty: boolean;
  /** Where lines go instead of stdout (tests read them). */
  destination?: DestinationStream;
}): Logger {
  const settings: LoggerOptions = {
    level: options.level,
    base: { service: 'hookpost' },
    redact: {
      paths: [
        'req.headers["x-api-key"]',
        'req.headers.authorization',
        'req.headers.cookie',
        'headers["x-api-key"]',
        'headers.authorization',
      ],
      censor: '[redacted]',
    },
    ...(options.pretty && !options.destination
      ? {
          transport: {
            target: 'pino-pretty',
            options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,service' },
          },
        }
      : {}),
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** graphile-worker's logger, writing through ours so there is one log stream. */
export function toGraphileLogger(logger: Logger): GraphileLogger {
  return new GraphileLogger((scope) => {
    const child = logger.child({ component: 'graphile-worker', ...scope });
    // Per-job lines ("Completed task…") repeat what the delivery task logs in our words.
    const jobInfo = scope.label === 'worker' || scope.label === 'job';
    return (level, message, meta) => {
      const method =
        level === 'error' ? 'error' : level === 'warning' ? 'warn' : level === 'info' && !jobInfo ? 'info' : 'debug';
      child[method](meta ?? {}, message);
    };
  });
}
