// A pino logger whose records a test can read: each line written is parsed and kept, in order.
import pino, { type Level, type Logger } from 'pino';

export function captureLogger(level: Level = 'debug'): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}
