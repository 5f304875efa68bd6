// A minimal ToolContext for calling a tool handler in-process: default config, silent logger, and an engine
// handle over an optional (fake) engine that reports model_missing when none is given.
import pino from 'pino';
import type { TextEngine } from '../../src/core/model.js';
import { defaults, type AppConfig } from '../../src/server/config.js';
import { ToolError } from '../../src/core/errors.js';
import { uncachedContext, type ToolContext } from '../../src/tools/types.js';

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
    },
  });
}
