// The built server reads eld's n-gram database from the JSON file `npm run build` writes (dist/eld-medium.json,
// scripts/build-eld-data.mjs) instead of eld's JavaScript module: the same database, so every text gets the same
// language and scores as from eld itself.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as fromModule from '../../src/engine/language.js';
import { ROOT } from './harness.js';

const BUILT = join(ROOT, 'dist/src/engine/language.js');

// Latin-script texts of several languages (the detector's job), short and long, plus symbols only.
const TEXTS = [
  'FLY EAGLES FLY!!!',
  'Ride in trunk',
  'I love miramar',
  '*oh god oh fuck*',
  'I am so happy today, this is the best day of my life!',
  'Je suis très content de te voir aujourd’hui.',
  'Ich habe heute keine Zeit, leider.',
  'Hoy hace mucho calor en Madrid.',
  'Questo è il miglior ristorante della città.',
  'Dit is een mooie dag om te fietsen.',
  'Hôm nay trời đẹp quá.',
  'Mahal kita, sobra.',
  'Это был долгий день.',
  '12345 !!! ???',
];

describe('the language detector from the built database', () => {
  it('is what the built server loads, and identifies every text exactly as eld itself does', async () => {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build\` first (npm test does it)`);
    const built = (await import(BUILT)) as typeof import('../../src/engine/language.js');
    expect(existsSync(built.ELD_DATA_FILE)).toBe(true);
    const version = JSON.parse(readFileSync(built.ELD_DATA_FILE, 'utf8')).eld_version;
    expect(version).toBe(JSON.parse(readFileSync(join(ROOT, 'node_modules/eld/package.json'), 'utf8')).version);
    await built.loadLanguageDetector();
    expect(built.languageDetectorSource()).toBe('built-json');
    // the source tree has no built database beside it, so it loads eld's own module
    await fromModule.loadLanguageDetector();
    expect(fromModule.languageDetectorSource()).toBe('eld-module');
    for (const text of TEXTS) expect(built.identifyLanguage(text), text).toEqual(fromModule.identifyLanguage(text));
    const detected = new Set(TEXTS.map((t) => built.identifyLanguage(t).language));
    expect(detected.size).toBeGreaterThanOrEqual(6); // the texts really exercise the detector
  });
});
