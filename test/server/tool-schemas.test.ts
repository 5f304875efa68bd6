// The input schemas tools/list serves: zod's conversion, minus what only costs a host's context.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { inputJsonSchema } from '../../src/server/tool-schemas.js';

describe('input JSON schemas', () => {
  it('keep a standard format but drop the validation regex zod writes beside it', () => {
    const schema = inputJsonSchema(
      z.object({ since: z.iso.datetime({ offset: true }).describe('from'), code: z.string().regex(/^[a-z]+$/) }),
    ) as { properties: Record<string, Record<string, unknown>> };
    expect(schema.properties.since).toMatchObject({ type: 'string', format: 'date-time', description: 'from' });
    expect(schema.properties.since).not.toHaveProperty('pattern');
    // a pattern with no format is the only statement of the rule, so it stays
    expect(schema.properties.code.pattern).toBe('^[a-z]+$');
  });
});
