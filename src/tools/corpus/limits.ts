// Fixed limits of analyze_corpus (documented in docs/corpus.md and the tool description).

/** Most data rows read from one file (the rest is not read; the output says so). */
export const MAX_CORPUS_ROWS = 1_000_000;
/** Largest input file: 512 MiB. */
export const MAX_CORPUS_BYTES = 512 * 1024 * 1024;
/** Malformed rows listed by line number in the output (all are counted). */
export const MAX_MALFORMED_LISTED = 20;
/** Texts per engine call; the engine's micro-batcher packs them into inference batches. */
export const CORPUS_BATCH = 64;
/** Bytes read from the file per chunk. */
export const READ_CHUNK_BYTES = 64 * 1024;
/** Characters of a text shown in example rows. */
export const EXCERPT_CHARS = 140;
