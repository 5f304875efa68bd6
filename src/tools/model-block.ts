// The `model` block of text tools' results: which model produced them and on which execution provider.
import { z } from 'zod';
import type { ModelInfo } from '../core/model.js';

export const modelBlockSchema = z.object({
  id: z.string(),
  version: z.string(),
  sha256: z.string().describe('first 12 hex digits'),
  provider: z.string().optional().describe('execution provider the model ran on: cpu, cuda, webgpu, coreml, dml'),
});
export type ModelBlock = z.infer<typeof modelBlockSchema>;

export function modelBlock(model: ModelInfo): ModelBlock {
  return {
    id: model.id,
    version: model.version,
    sha256: model.sha256.slice(0, 12),
    ...(model.provider ? { provider: model.provider } : {}),
  };
}
