import busboy from 'busboy';
import { describe, expect, it } from 'vitest';
import { parsePartMeta } from '../receiver/multipart/bulk-protocol';
import { partHeadText, percentEncoded, type PartDeclaration } from './bulk-part-head';

const boundary = 'ferry-bulk-0123456789abcdef';
const sha256 = 'ab'.repeat(32);

/** The part as the receiver reads it: busboy with its settings, then the field name's declaration. */
function received(part: PartDeclaration): Promise<{ fieldName: string; filename: string | undefined }> {
  const body = Buffer.concat([Buffer.from(partHeadText(boundary, part)), Buffer.from('x\r\n'), closingOf(boundary)]);
  return new Promise((resolve, reject) => {
    const parser = busboy({
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      defParamCharset: 'utf8',
    });
    parser.on('file', (fieldName, stream, info) => {
      stream.resume();
      resolve({ fieldName, filename: info.filename });
    });
    parser.on('error', reject);
    parser.on('close', () => reject(new Error('no file part')));
    parser.end(body);
  });
}
const closingOf = (b: string) => Buffer.from(`--${b}--\r\n`);

// (A backslash in a name is a path separator to the receiver's parser, as ever; in relativePath it stays.)
const awkward = [
  'plain.txt',
  'with space.txt',
  'a&b=c.txt',
  '100%.txt',
  '1+1=2.txt',
  'quote"d.txt',
  "it's (a) *star*.txt",
  'semi;colon,comma.txt',
  'ümlaut ünïcödé.txt',
  '日本語のファイル.txt',
  'emoji 🚀.txt',
  'tab\there.txt',
  '%20already%2Bencoded.txt',
  '?query#hash~!.txt',
];

describe('partHeadText', () => {
  for (const name of awkward)
    it(`declares ${JSON.stringify(name)} so the receiver reads back the same name, path and key`, async () => {
      const part = { sha256, key: `job-1.${sha256}`, name, relativePath: `top dir/sub&=%+\\x/${name}` };
      const { fieldName, filename } = await received(part);
      expect(parsePartMeta(fieldName)).toEqual({ sha256, key: part.key, relativePath: part.relativePath });
      expect(filename).toBe(name);
    });

  it('leaves relativePath out when there is none, as before', async () => {
    const { fieldName } = await received({ sha256, key: 'k', name: 'a.txt' });
    expect(parsePartMeta(fieldName)).toEqual({ sha256, key: 'k' });
  });

  it('keys with form characters survive (a key is any printable ASCII)', async () => {
    const key = 'a&b=c+d%e f'.replace(' ', '~') + '"\'()*!';
    const { fieldName } = await received({ sha256, key, name: 'a.txt' });
    expect(parsePartMeta(fieldName)).toEqual({ sha256, key });
  });

  it('is ASCII (its length is its size in bytes) and carries no quote or backslash', () => {
    for (const name of awkward) {
      const text = partHeadText(boundary, { sha256, key: 'k', name, relativePath: `d/${name}` });
      expect(Buffer.byteLength(text)).toBe(text.length);
      const disposition = text.split('\r\n')[1]!;
      // Only the two quotes around the field name.
      expect(disposition.match(/"/g)).toHaveLength(2);
      expect(disposition).not.toContain('\\');
    }
  });

  it('sends an unpaired surrogate as U+FFFD instead of failing, as URLSearchParams did', () => {
    expect(percentEncoded('a\ud800b')).toBe(encodeURIComponent('a\ufffdb'));
    expect(new URLSearchParams(`v=${percentEncoded('x\udc00')}`).get('v')).toBe(
      new URLSearchParams({ v: 'x\udc00' }).get('v'),
    );
  });

  it('decodes as a form value exactly as URLSearchParams encoded it', () => {
    for (const value of awkward) {
      const ours = new URLSearchParams(`v=${percentEncoded(value)}`).get('v');
      expect(ours).toBe(new URLSearchParams(new URLSearchParams({ v: value }).toString()).get('v'));
    }
  });
});
