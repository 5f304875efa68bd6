// The tool names the server tests expect, written out here (not read from src/) so that a tool that disappears or
// appears fails them. Sorted by name.

/** The tools a server started without --memory lists (remember, recall and forget need --memory). */
export const TOOL_NAMES = [
  'analyze_conversation',
  'analyze_corpus',
  'analyze_emotion',
  'bentham_score',
  'full_analysis',
  'regret_forecast',
  'surd_decompose',
];

/** The tools with an MCP Apps view (dist/views/<tool>.html, built by `npm run build`). */
export const VIEW_TOOLS = [
  'analyze_conversation',
  'analyze_corpus',
  'analyze_emotion',
  'regret_forecast',
  'surd_decompose',
];
