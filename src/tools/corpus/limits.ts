// Working sizes of analyze_corpus (docs/corpus.md). Its row and byte limits are in src/core/limits.ts.

/** Malformed rows listed by line number in the output (all are counted). */
export const MAX_MALFORMED_LISTED = 20;
/** Texts per engine call; the engine's micro-batcher packs them into inference batches. */
export const CORPUS_BATCH = 64;
/** Bytes read from the file per chunk. */
export const READ_CHUNK_BYTES = 64 * 1024;
/** Characters of a text shown in example rows. */
export const EXCERPT_CHARS = 140;
