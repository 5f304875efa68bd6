// full_analysis: placeholder until issue 7 lands. It answers with an honest "not implemented" error.
import { z } from 'zod';
import { ToolError, type ToolDefinition } from './types.js';

const input = z.object({
  text: z.string().min(1).max(20_000).describe('The text to analyse (1..20000 characters).'),
  language: z.enum(['auto', 'en', 'ko']).default('auto').describe('Language of the text; auto detects by script.'),
});

const output = z.object({});

export const fullAnalysisTool: ToolDefinition<typeof input, typeof output> = {
  name: 'full_analysis',
  title: 'Full analysis (emotion, ethics, regret, causality)',
  description: 'Runs every analysis on one text and integrates the scores. Not implemented yet.',
  input,
  output,
  cache: 'none',
  async handler() {
    throw new ToolError('not_implemented', 'full_analysis is not implemented yet; call analyze_emotion, bentham_score, regret_forecast or surd_decompose directly');
  },
};
