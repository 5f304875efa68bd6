// What analyze_corpus needs from the file system, as an interface: the tools layer does no I/O itself
// (docs/architecture.md). The server implements it in src/server/corpus/files.ts, confined to the allowed
// directories (--data-dir and the client's MCP roots), and hands it to tools as `services.files`.

export interface AllowedDirectory {
  /** Real path (symlinks resolved) of the directory. */
  dir: string;
  /** Where it came from, for messages: "--data-dir" or "MCP root". */
  source: string;
  /** The directory as configured, when that spelling differs from `dir` (it leads through a link): paths may use either. */
  given?: string;
}

export interface CorpusInput {
  /** Real path of the file. */
  path: string;
  /** File name without the directory. */
  name: string;
  size: number;
  /** The file's text from the start, decoded incrementally (BOM dropped; invalid UTF-8 as U+FFFD); may be called again. */
  chunks(): AsyncIterable<{ text: string; bytesRead: number }>;
  close(): Promise<void>;
}

export interface OutputFiles {
  rows: string;
  report: string;
}

/** A file being written: appended to, then committed (renamed into place) or discarded. */
export interface FileWriter {
  write(text: string): Promise<void>;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/** Lines of an earlier output file, read forward. */
export interface LineReader {
  next(): Promise<string | null>;
  close(): Promise<void>;
}

export interface CorpusFiles {
  /** The configured directories plus the client's roots (file:// URIs), resolved; entries that cannot be used are listed. */
  allowedDirectories(rootUris: readonly string[]): Promise<{ allowed: AllowedDirectory[]; unusable: string[] }>;
  /** Checks the path (allowed directory, no '..', regular file, size) and opens it; refusals are ToolErrors. */
  openInput(path: string, allowed: readonly AllowedDirectory[], maxBytes: number): Promise<CorpusInput>;
  /** Output paths next to the input or in `outputDir` (checked), each refused when it exists and is not a regular file. */
  outputFiles(
    input: CorpusInput,
    outputDir: string | undefined,
    allowed: readonly AllowedDirectory[],
  ): Promise<OutputFiles>;
  /** The lines of an existing output file (null when there is none or it is not a regular file). */
  readLines(path: string): Promise<LineReader | null>;
  /** A new file that replaces `path` when committed. */
  createWriter(path: string): Promise<FileWriter>;
  /** file:// URI of a path (for resource links). */
  uriOf(path: string): string;
}
