// Command-line options of the eval and bench scripts: `--name value` pairs and bare `--flag`s.

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
