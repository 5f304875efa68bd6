// Prompts: ready-made requests that set up the real jobs with the right tool calls (Claude Desktop shows them in
// its menu). Arguments with a known set of values (language, profile, and any enum a tool adds later, such as
// detail) complete through completion/complete; their values are read from the tools' own zod input schemas, so
// the prompt and the tool cannot disagree. To add a prompt, add one entry to PROMPTS.
import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { MAX_CONVERSATION_TURNS } from '../core/limits.js';
import { TOOLS } from '../tools/index.js';
import { docUri } from './resources.js';

/** The values of an enum field of a tool's input schema (through default/optional), or undefined if it has none. */
export function toolEnum(tool: string, field: string): readonly string[] | undefined {
  const def = TOOLS.find((t) => t.name === tool);
  let schema: unknown = def?.input.shape[field];
  while (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional) schema = schema.unwrap();
  return schema instanceof z.ZodEnum ? (schema.options as string[]) : undefined;
}

/** Values that start with what was typed (case-insensitive); all of them for an empty value. */
export function completeFrom(values: readonly string[], typed: string): string[] {
  const t = typed.trim().toLowerCase();
  return values.filter((v) => v.toLowerCase().startsWith(t));
}

/** An optional prompt argument whose values are a tool's enum; absent (undefined) when the tool has no such field. */
function choice(tool: string, field: string, what: string) {
  const values = toolEnum(tool, field);
  if (!values) return undefined;
  const schema = z
    .enum(values as [string, ...string[]])
    .optional()
    .describe(`${what} (one of ${values.join(', ')}; passed to ${tool}.${field})`);
  return completable(schema, (typed) => completeFrom(values, typed ?? ''));
}

/** A free-text argument the prompt needs. */
const required = (what: string) => z.string().min(1).describe(what);
/** A free-text argument the user may leave out. */
const optional = (what: string) => z.string().optional().describe(what);

type Args = Record<string, string | undefined>;

interface PromptSpec {
  name: string;
  title: string;
  description: string;
  args: Record<string, z.ZodType | undefined>;
  /** The user message. */
  text(args: Args): string;
}

/** ` with `language: "ko"`` etc. for the enum arguments the user gave (the SDK has checked them against the enum). */
function given(args: Args, fields: string[]): string {
  const parts: string[] = [];
  for (const f of fields) {
    const v = args[f];
    if (v !== undefined && v !== '') parts.push(`\`${f}: "${v}"\``);
  }
  return parts.length > 0 ? ` with ${parts.join(', ')}` : '';
}

const NO_INVENTION =
  'Report only numbers the tools returned; where a tool needs a number the text does not give, ask me instead of guessing, ' +
  'and say which value you assumed if I tell you to go on.';

/** analyse_corpus_file's arguments besides the path, passed on to analyze_corpus when given. */
const CORPUS_OPTIONS = ['text_field', 'group_field', 'time_field', 'format', 'time_bucket', 'language', 'detail'];

export const PROMPTS: readonly PromptSpec[] = [
  {
    name: 'read_conversation_emotions',
    title: 'Read the emotions of a conversation',
    description:
      'Turn a conversation into speaker turns, analyse it with analyze_conversation and describe how each ' +
      "speaker's feelings move and who moves whom.",
    args: {
      conversation: required('the conversation, one turn per line ("Speaker: text")'),
      language: choice('analyze_conversation', 'language', 'language of the conversation'),
      detail: choice('analyze_conversation', 'detail', 'how much the tool returns per turn'),
    },
    text: (a) =>
      'Read the emotions of this conversation.\n\n' +
      '1. Split it into turns and call `analyze_conversation` with `turns` = [{ speaker, text }] in ' +
      `order${given(a, ['language', 'detail'])} (at most ${MAX_CONVERSATION_TURNS} turns per call; continue a ` +
      'longer one by passing back the returned `state` with the next turns).\n' +
      "2. Describe each speaker's course (valence, arousal, dominant Ekman emotion), the shifts the tool found and " +
      'the influence between speakers, with the numbers it gives; name where the model is least sure.\n' +
      `3. ${NO_INVENTION} What each number means: ${docUri('analyze_conversation')}.\n\n` +
      `Conversation:\n${a.conversation ?? ''}`,
  },
  {
    name: 'weigh_dilemma',
    title: 'Weigh a dilemma',
    description:
      'Lay out a decision as Bentham parties per option (bentham_score) and an options × scenarios matrix (regret_forecast), then compare.',
    args: {
      dilemma: required('the decision in words: what is at stake, the options, who is affected'),
      options: optional('the options, comma-separated (default: the ones the dilemma names)'),
      profile: choice('bentham_score', 'profile', 'cultural weighting preset of the Bentham layers'),
    },
    text: (a) =>
      'Help me weigh this dilemma with exact tools, not impressions.\n\n' +
      `1. Options: ${a.options ? a.options : 'list the options the dilemma names (at least two)'}.\n` +
      '2. For each option, list the parties affected and each effect as pleasure or pain with intensity, duration, ' +
      'certainty, propinquity, fecundity and purity in 0..1, show me that table, then call `bentham_score` with ' +
      `those \`parties\`${given(a, ['profile'])}.\n` +
      '3. Name 2–4 scenarios (how the world may turn out, with probabilities if known), give the utility of each ' +
      'option in each scenario, and call `regret_forecast` with `options`, `scenarios` and `outcomes` (rows ' +
      '= options, columns = scenarios).\n' +
      '4. Compare: Bentham final score per option, minimax regret, expected regret and the recommendations; say ' +
      'where they disagree and why.\n' +
      `5. ${NO_INVENTION} Formulas: ${docUri('bentham_score')} and ${docUri('regret_forecast')}.\n\n` +
      `Dilemma:\n${a.dilemma ?? ''}`,
  },
  {
    name: 'find_drivers',
    title: 'Find what drives a series (SURD)',
    description:
      'Decompose the information sources carry about a target series into redundant, unique and synergistic parts with surd_decompose.',
    args: {
      target: required('the series to explain (its name, or its values)'),
      sources: optional('candidate driver series, comma-separated (names or where to find them)'),
      data: optional('the data: a table with one column per series, or where it lives'),
    },
    text: (a) =>
      'Find what drives this series with a SURD decomposition.\n\n' +
      `1. Target: ${a.target ?? ''}. Sources: ${a.sources ? a.sources : 'the other series in the data'}.\n` +
      '2. Put the aligned samples in the samples form of `surd_decompose` (`target`, `sources` with `names`, `lag` = the delay in ' +
      'steps you expect, default 1; `bins` small enough that each joint cell has samples). With more than a ' +
      'few sources set `max_order`.\n' +
      "3. Report the unique, redundant and synergistic shares and the information leak in the tool's words; a large leak means the " +
      'listed sources miss much of what drives the target. Causality here is information flow at that lag, not proof of a mechanism.\n' +
      `4. ${NO_INVENTION} Method and limits: ${docUri('surd_decompose')}.` +
      (a.data ? `\n\nData:\n${a.data}` : ''),
  },
  {
    name: 'analyse_corpus_file',
    title: 'Analyse a corpus file',
    description:
      'Run analyze_corpus on a CSV/TSV/JSONL/text file in an allowed directory and summarise the emotion ' +
      'shares, groups and trends it reports.',
    args: {
      path: required('absolute path of the file (inside a --data-dir directory or a client root)'),
      text_field: optional('column or key holding the text (needed except for plain text)'),
      group_field: optional('column or key to compare groups by'),
      time_field: optional('column or key with the date, for the time series'),
      format: choice('analyze_corpus', 'format', 'file format (default: from the extension)'),
      time_bucket: choice('analyze_corpus', 'time_bucket', 'time series bucket'),
      language: choice('analyze_corpus', 'language', 'language of the texts'),
      detail: choice('analyze_corpus', 'detail', 'size of the per-row JSONL'),
    },
    text: (a) =>
      `Call \`analyze_corpus\` with \`path: "${a.path ?? ''}"\`${given(a, CORPUS_OPTIONS)}. ` +
      'If it answers that a field is missing or the file is outside the allowed directories, tell me what it said ' +
      'instead of guessing another path or column.\n' +
      'Then report the dominant emotions and sentiment with their 95 % intervals, the differences between groups ' +
      'the tool marks, and the trend over time if there is one; give the paths of the JSONL and HTML reports it ' +
      `wrote. ${NO_INVENTION} Method and limits: ${docUri('analyze_corpus')}.`,
  },
  {
    name: 'full_reading',
    title: 'Full reading of one text',
    description:
      'Run full_analysis on one text (emotion, Bentham, regret; SURD when series are given) and summarise the integrated scores.',
    args: {
      text: required('the text: a diary entry, a dilemma, a customer message…'),
      language: choice('full_analysis', 'language', 'language of the text'),
    },
    text: (a) =>
      `Call \`full_analysis\` on the text below${given(a, ['language'])}, then summarise each section in two sentences ` +
      `and the integrated scores, saying which sections were estimated by the model and which were computed exactly. ${NO_INVENTION} ` +
      `How sections combine: ${docUri('full_analysis')}.\n\nText:\n${a.text ?? ''}`,
  },
];

export function registerPrompts(mcp: McpServer): void {
  for (const p of PROMPTS) {
    const argsSchema: Record<string, z.ZodType> = {};
    for (const [k, v] of Object.entries(p.args)) if (v) argsSchema[k] = v;
    mcp.registerPrompt(
      p.name,
      { title: p.title, description: p.description, argsSchema: argsSchema as Record<string, z.ZodString> },
      (args: Args) => ({
        description: p.description,
        messages: [{ role: 'user' as const, content: { type: 'text' as const, text: p.text(args) } }],
      }),
    );
  }
}
