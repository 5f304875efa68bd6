// Command-line options of the eval and bench scripts: `--name value` pairs and bare `--flag`s.
import { writeFileSync } from 'node:fs';

/** The value after `--name`, or the fallback when the option (or its value) is missing. */
export function arg(name: string, fallback: string): string;
export function arg(name: string, fallback?: string): string | undefined;
export function arg(name: string, fallback?: string): string | undefined {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
}

/** Whether the bare option `--name` was given. */
export function flag(name: string): boolean {
  return process.argv.slice(2).includes(`--${name}`);
}

/** Prints a report as JSON on stdout and, with `--out FILE`, writes the same text to FILE. */
export function emitReport(report: unknown, out: string | undefined = arg('out')): void {
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (out) writeFileSync(out, json);
  process.stdout.write(json);
}
