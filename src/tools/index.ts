// The tools this server exposes, in the order tools/list shows them (registered by src/server/registry.ts).
import { analyzeConversationTool } from './analyze-conversation.js';
import { analyzeCorpusTool } from './analyze-corpus.js';
import { analyzeEmotionTool } from './analyze-emotion.js';
import { benthamScoreTool } from './bentham-score.js';
import { forgetTool } from './forget.js';
import { fullAnalysisTool } from './full-analysis.js';
import { recallTool } from './recall.js';
import { regretForecastTool } from './regret-forecast.js';
import { rememberTool } from './remember.js';
import { surdDecomposeTool } from './surd-decompose.js';
import type { ToolDefinition } from './types.js';

export const TOOLS: readonly ToolDefinition[] = [
  analyzeEmotionTool,
  benthamScoreTool,
  regretForecastTool,
  surdDecomposeTool,
  fullAnalysisTool,
  analyzeConversationTool,
  analyzeCorpusTool,
] as unknown as ToolDefinition[];

/** The experience-memory tools, registered only when memory is on (--memory PATH). */
export const MEMORY_TOOLS: readonly ToolDefinition[] = [
  rememberTool,
  recallTool,
  forgetTool,
] as unknown as ToolDefinition[];
