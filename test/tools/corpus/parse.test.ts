import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createParser,
  formatFromName,
  type CorpusFormat,
  type FieldSpec,
  type ParseEvent,
} from '../../../src/tools/corpus/parse.js';
import { ToolError } from '../../../src/core/errors.js';

function parseAll(
  format: CorpusFormat,
  input: string,
  spec: FieldSpec,
  chunkSizes: number[] = [input.length || 1],
  maxRecordChars?: number,
) {
  const p = createParser(format, spec, maxRecordChars ? { maxRecordChars } : undefined);
  const events: ParseEvent[] = [];
  let i = 0,
    k = 0;
  while (i < input.length) {
    const size = Math.max(1, chunkSizes[k++ % chunkSizes.length]);
    events.push(...p.feed(input.slice(i, i + size)));
    i += size;
  }
  events.push(...p.end());
  return { events, blank: p.blankLines };
}

/** RFC 4180 writer used as the independent reference: quote every field, double inner quotes. */
const csvLine = (fields: string[], d = ',') => fields.map((f) => `"${f.replace(/"/g, '""')}"`).join(d);

describe('CSV (RFC 4180)', () => {
  it('reads quoted fields with delimiters, doubled quotes and line breaks; CRLF and LF', () => {
    const input = 'id,text,team\r\n1,"hello, world",A\r\n2,"she said ""hi""",B\n3,"two\nlines",A\n4,plain,\n';
    const { events } = parseAll('csv', input, { text: 'text', group: 'team' });
    expect(events).toEqual([
      { kind: 'row', row: 1, line: 2, text: 'hello, world', group: 'A', time: undefined },
      { kind: 'row', row: 2, line: 3, text: 'she said "hi"', group: 'B', time: undefined },
      { kind: 'row', row: 3, line: 4, text: 'two\nlines', group: 'A', time: undefined },
      { kind: 'row', row: 4, line: 6, text: 'plain', group: undefined, time: undefined },
    ]);
  });

  it('gives the same records for every chunking (chunks split quotes, CRLF and fields)', () => {
    const input = 'text,g\r\n"a ""q"" b",x\r\n"multi\r\nline",y\r\nlast,z';
    const whole = parseAll('csv', input, { text: 'text', group: 'g' }).events;
    for (const sizes of [[1], [2], [3], [1, 5], [7, 1, 2]])
      expect(parseAll('csv', input, { text: 'text', group: 'g' }, sizes).events).toEqual(whole);
    expect(whole.map((e) => (e.kind === 'row' ? e.text : e.reason))).toEqual(['a "q" b', 'multi\r\nline', 'last']);
  });

  it('round-trips random fields through an RFC 4180 writer, in random chunks', () => {
    const field = fc.string({
      unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r\n', ' ', '한', '😀', '\t'),
      maxLength: 12,
    });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(field, field), { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 5 }),
        fc.constantFrom(',', '\t'),
        (rows, sizes, d) => {
          const input = [csvLine(['text', 'g'], d), ...rows.map((r) => csvLine(r, d))].join('\r\n') + '\r\n';
          const { events } = parseAll(d === ',' ? 'csv' : 'tsv', input, { text: 'text', group: 'g' }, sizes);
          // `""` alone on a line reads as a blank line (not a row) — the writer's one ambiguity with a single column, not here.
          expect(events.map((e) => (e.kind === 'row' ? [e.text, e.group ?? ''] : e.reason))).toEqual(
            rows.map(([t, g]) => [t, g.trim()]),
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('counts blank lines and skips them; strips nothing else', () => {
    const { events, blank } = parseAll('csv', 'text\n\n  padded  \n\n', { text: 'text' });
    expect(blank).toBe(2);
    expect(events).toEqual([{ kind: 'row', row: 1, line: 3, text: '  padded  ', group: undefined, time: undefined }]);
  });

  it('lists malformed records with their line and goes on', () => {
    const input = [
      'text,n',
      'ok,1',
      'bad "quote,2',
      '"after" x,3',
      'too,many,fields',
      'short',
      '"fine",6',
      '"never closed,7',
      'x,8',
    ].join('\n');
    const { events } = parseAll('csv', input, { text: 'text' });
    const simple = events.map((e) =>
      e.kind === 'row' ? `row ${e.row} line ${e.line}: ${e.text}` : `bad ${e.row} line ${e.line}: ${e.reason}`,
    );
    expect(simple).toEqual([
      'row 1 line 2: ok',
      'bad 2 line 3: line 3: a quote inside an unquoted field (quote the whole field and double inner quotes)',
      'bad 3 line 4: line 4: text after the closing quote of a field',
      'bad 4 line 5: expected 2 fields (as in the header), found 3',
      'bad 5 line 6: expected 2 fields (as in the header), found 1',
      'row 6 line 7: fine',
      'bad 7 line 8: a quoted field opened on line 8 is never closed (unbalanced quotes)',
    ]);
  });

  it('marks over-long records malformed without keeping them', () => {
    const input = `text\n"${'x'.repeat(500)}"\nshort\n`;
    const { events } = parseAll('csv', input, { text: 'text' }, [64], 100);
    expect(events.map((e) => e.kind)).toEqual(['malformed', 'row']);
    expect((events[0] as { reason: string }).reason).toBe('record longer than 100 characters');
  });

  it('marks records with invalid UTF-8 (decoded as U+FFFD)', () => {
    const { events } = parseAll('csv', 'text\nbad \uFFFD byte\n', { text: 'text' });
    expect(events[0]).toMatchObject({ kind: 'malformed', reason: expect.stringContaining('invalid UTF-8') });
  });

  it('refuses a missing text column, naming the columns', () => {
    expect(() => parseAll('csv', 'a,b\n1,2\n', { text: 'text' })).toThrow(
      /text_field 'text' is not a column of the header; the header has: "a", "b"/,
    );
    expect(() => parseAll('csv', 'a,b\n1,2\n', {})).toThrow(ToolError);
    expect(() => parseAll('csv', 'text\nx\n', { text: 'text', group: 'team' })).toThrow(/group_field 'team'/);
  });

  it('TSV takes a quote inside an unquoted field literally', () => {
    const { events } = parseAll('tsv', 'text\nso "really" angry\n', { text: 'text' });
    expect(events).toEqual([
      { kind: 'row', row: 1, line: 2, text: 'so "really" angry', group: undefined, time: undefined },
    ]);
  });

  it('TSV uses tabs and the same quoting', () => {
    const { events } = parseAll('tsv', 'text\tday\n"a\tb"\t2024-01-02\nplain, with comma\t2024-01-03\n', {
      text: 'text',
      time: 'day',
    });
    expect(events).toEqual([
      { kind: 'row', row: 1, line: 2, text: 'a\tb', group: undefined, time: '2024-01-02' },
      { kind: 'row', row: 2, line: 3, text: 'plain, with comma', group: undefined, time: '2024-01-03' },
    ]);
  });
});

describe('JSON Lines', () => {
  it('reads objects, stringifies scalar group/time values, and lists bad lines', () => {
    const input = [
      '{"text":"good","team":"A","t":"2024-01-01"}',
      '{"text":"num group","team":7}',
      '',
      '{"text": 5}',
      '[1,2]',
      '{"other":"x"}',
      '{not json',
      '{"text":"crlf","team":null}\r',
      '{"text":"last"}',
    ].join('\n');
    const { events, blank } = parseAll('jsonl', input, { text: 'text', group: 'team', time: 't' }, [5, 11]);
    expect(blank).toBe(1);
    expect(
      events.map((e) =>
        e.kind === 'row' ? [e.row, e.line, e.text, e.group, e.time] : [e.row, e.line, e.reason.replace(/ \(.*\)$/, '')],
      ),
    ).toEqual([
      [1, 1, 'good', 'A', '2024-01-01'],
      [2, 2, 'num group', '7', undefined],
      [3, 4, "'text' (text_field) is number, not a string"],
      [4, 5, 'the line is not a JSON object'],
      [5, 6, "no key 'text'"],
      [6, 7, 'not valid JSON'],
      [7, 8, 'crlf', undefined, undefined],
      [8, 9, 'last', undefined, undefined],
    ]);
  });
  it('needs text_field', () => {
    expect(() => createParser('jsonl', {})).toThrow(/text_field is required/);
  });
});

describe('plain text', () => {
  it('one text per line; CR, LF and CRLF split lines even across chunks; blank lines are not rows', () => {
    const input = 'first\r\nsecond\rthird\n\n  \nfourth';
    for (const sizes of [[input.length], [1], [6], [2, 3]]) {
      const { events, blank } = parseAll('text', input, {}, sizes);
      expect(blank).toBe(2);
      expect(events.map((e) => e.kind === 'row' && [e.row, e.line, e.text])).toEqual([
        [1, 1, 'first'],
        [2, 2, 'second'],
        [3, 3, 'third'],
        [4, 6, 'fourth'],
      ]);
    }
  });
  it('over-long lines are malformed', () => {
    const { events } = parseAll('text', `${'y'.repeat(50)}\nok\n`, {}, [8], 20);
    expect(events.map((e) => e.kind)).toEqual(['malformed', 'row']);
  });
});

describe('formatFromName', () => {
  it('maps extensions', () => {
    expect(['a.csv', 'b.TSV', 'c.tab', 'd.jsonl', 'e.ndjson', 'f.txt', 'g.json', 'h'].map(formatFromName)).toEqual([
      'csv',
      'tsv',
      'tsv',
      'jsonl',
      'jsonl',
      'text',
      null,
      null,
    ]);
  });
});
