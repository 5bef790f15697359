/** What a file part declares about its file (see bulk-client.ts). */
export interface PartDeclaration {
  key: string;
  name: string;
  relativePath?: string;
  /** Lowercase hex. */
  sha256: string;
}

/** Unpaired UTF-16 surrogates: they have no UTF-8 form, so they go as U+FFFD, as URLSearchParams sends them. */
const loneSurrogates = /\p{Cs}/gu;

/** What encodeURIComponent leaves as it is but RFC 8187's attr-char does not allow. */
const notAttrChar = /['()*]/;
const notAttrChars = /['()*]/g;
const escaped = (char: string) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`;

/**
 * `value` percent-encoded as UTF-8, decoded the same by a form parser (URLSearchParams) and as an RFC
 * 8187 value (`filename*`): ASCII of only `%XX` escapes and `A-Z a-z 0-9 - _ . ! ~`, so it sits as it
 * is in the quoted field name and in the header.
 */
export function percentEncoded(value: string): string {
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    encoded = encodeURIComponent(value.replace(loneSurrogates, '\uFFFD'));
  }
  return notAttrChar.test(encoded) ? encoded.replace(notAttrChars, escaped) : encoded;
}

/**
 * The head of a file part, as ASCII text (so its length is its size in bytes). Everything but the name
 * travels in the field name, as a form-encoded query (`sha256`, `key`, `relativePath`); the name goes
 * as `filename*`. Built by hand: URLSearchParams costs tens of µs a part, a good share of a small file's
 * CPU on the sender.
 */
export function partHeadText(boundary: string, part: PartDeclaration): string {
  let meta = `sha256=${percentEncoded(part.sha256)}&key=${percentEncoded(part.key)}`;
  if (part.relativePath) meta += `&relativePath=${percentEncoded(part.relativePath)}`;
  return (
    `--${boundary}\r\nContent-Disposition: form-data; name="${meta}"; ` +
    `filename*=UTF-8''${percentEncoded(part.name)}\r\nContent-Type: application/octet-stream\r\n\r\n`
  );
}

/** What ends each file part's bytes. */
export const partTail = '\r\n';

/** What ends a multipart body. */
export const closingText = (boundary: string) => `--${boundary}--\r\n`;
