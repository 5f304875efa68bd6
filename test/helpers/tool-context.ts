// A minimal ToolContext for calling a tool handler in-process: default config, silent logger, and an engine
// handle over an optional (fake) engine that reports model_missing when none is given.
import { createHmac, timingSafeEqual } from 'node:crypto';
import pino from 'pino';
import type { TextEngine } from '../../src/core/model.js';
import { defaults, type AppConfig } from '../../src/server/config.js';
import { ToolError } from '../../src/core/errors.js';
import { uncachedContext, type TokenSigner, type ToolContext } from '../../src/tools/types.js';

/** An HMAC-SHA256 signer under a fixed test key (the server's comes from the installation secret). */
export function testSigner(key = 'test-secret-of-sixteen+'): TokenSigner {
  const sign = (data: string) => createHmac('sha256', key).update(data).digest('hex');
  return {
    sign,
    verify: (data, sig) => sig.length === 64 && timingSafeEqual(Buffer.from(sign(data)), Buffer.from(sig)),
  };
}

export function toolContext(engine?: TextEngine, configure?: (config: AppConfig) => void): ToolContext {
  const config = defaults({});
  configure?.(config);
  return uncachedContext({
    requestId: 't',
    signal: new AbortController().signal,
    logger: pino({ level: 'silent' }),
    progress: async () => {},
    services: {
      limits: config.limits,
      engine: {
        require: async () => {
          if (!engine) throw new ToolError('model_missing', 'no model installed: models/manifest.json is missing');
          return engine;
        },
        modelId: () => (engine ? engine.model.id : null),
      },
      signer: testSigner(),
    },
  });
}

export type ProgressRecord = [number, number | undefined, string | undefined];

/**
 * A context for tools that need no model, with a caller's signal, tightened limits and the progress
 * notifications recorded in order.
 */
export function recordingContext(options: { signal?: AbortSignal; limits?: Partial<AppConfig['limits']> } = {}): {
  ctx: ToolContext;
  progress: ProgressRecord[];
} {
  const config = defaults({});
  Object.assign(config.limits, options.limits);
  const progress: ProgressRecord[] = [];
  const ctx = uncachedContext({
    requestId: 't',
    signal: options.signal ?? new AbortController().signal,
    logger: pino({ level: 'silent' }),
    progress: async (done, total, message) => {
      progress.push([done, total, message]);
    },
    services: {
      limits: config.limits,
      engine: {
        require: async () => {
          throw new ToolError('model_missing', 'this tool needs no model');
        },
        modelId: () => null,
      },
    },
  });
  return { ctx, progress };
}
