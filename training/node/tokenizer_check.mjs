// Checks that @huggingface/tokenizers (JS) encodes texts to the same ids as the Python
// `tokenizers` library with models/tokenizer.json.
// usage: node training/node/tokenizer_check.mjs <texts.json> <out.json> [--tokenizer FILE]
//   (default models/tokenizer.json with the first model's tokenizer_config; --tokenizer: that file, default config)
//   texts.json: JSON array of strings; out.json: JSON array of id arrays (with <s> ... </s>)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { createTokenizer } from '../../dist/src/engine/tokenizer.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const at = args.indexOf('--tokenizer');
const tokFile = at >= 0 ? args.splice(at, 2)[1] : null;
const tokJson = JSON.parse(readFileSync(tokFile ?? path.join(root, 'models', 'tokenizer.json'), 'utf8'));
const manifestPath = path.join(root, 'models', 'manifest.json');
let config;
if (tokFile) config = {};
else try {
  config = JSON.parse(readFileSync(manifestPath, 'utf8')).models[0].tokenizer_config;
} catch {
  config = JSON.parse(readFileSync(path.join(root, 'models', 'tokenizer_config.json'), 'utf8'));
}
const tok = new Tokenizer(tokJson, config);
const [inFile, outFile] = args;
const texts = inFile
  ? JSON.parse(readFileSync(inFile, 'utf8'))
  : ['I am so happy today, thanks for everything!', '이 영화 정말 최악이다... 시간 아깝네요 ㅠㅠ'];
// --tokenizer: the server's own tokenizer module (dist/, npm run build first) with the tokenizer_config.json beside
// the file (the USE member's sentencepiece options)
const served = tokFile
  ? createTokenizer(tokJson, JSON.parse(readFileSync(path.join(path.dirname(tokFile), 'tokenizer_config.json'), 'utf8')))
  : null;
const out = texts.map((t) => (served ? [...served.prefix, ...served.encode(t), ...served.suffix] : tok.encode(t).ids));
if (outFile) writeFileSync(outFile, JSON.stringify(out));
else for (let i = 0; i < texts.length; i++) console.log(JSON.stringify(texts[i]), JSON.stringify(out[i]));
