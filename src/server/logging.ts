// pino to stderr only: in stdio mode stdout carries JSON-RPC and nothing else.
import pino, { type Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'red-heart-mcp' } }, pino.destination({ dest: 2, sync: true }));
}
