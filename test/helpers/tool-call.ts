// Calling a tool's handler in-process, as the tools tests do: a call whose result is checked against the tool's
// output schema (and must survive JSON), and the refusal a call ends with, as the registry would answer it.
import { expect } from 'vitest';
import type { z } from 'zod';
import { ToolError } from '../../src/core/errors.js';
import { toToolError } from '../../src/tools/errors.js';
import type { ToolContext, ToolDefinition, ToolOutput } from '../../src/tools/types.js';

/** The handler's output for `args` (parsed by the input schema); it must satisfy the output schema and survive JSON. */
export async function callTool<I extends z.ZodObject, O extends z.ZodObject>(
  def: ToolDefinition<I, O>,
  args: unknown,
  ctx: ToolContext,
): Promise<ToolOutput<z.infer<O>>> {
  const out = await def.handler(def.input.parse(args), ctx);
  const check = def.output.safeParse(out.structured);
  if (!check.success)
    throw new Error(
      `${def.name}: the output does not match its schema: ${JSON.stringify(check.error.issues.slice(0, 3))}`,
    );
  expect(JSON.parse(JSON.stringify(out.structured))).toEqual(out.structured);
  return out;
}

/** The ToolError that `work` ends with, mapped as the registry maps domain errors (src/tools/errors.ts). */
export async function refusalOf(work: () => Promise<unknown>): Promise<ToolError> {
  try {
    await work();
  } catch (err) {
    const known = toToolError(err);
    if (known) return known;
    throw err;
  }
  throw new Error('expected a ToolError');
}
