/**
 * Client-supplied names are display names only (DESIGN.md "Paths and names"). These helpers turn any
 * string into something that is safe as ONE path component on Linux, macOS and Windows alike, so a
 * received folder can be copied between machines without surprises.
 */

/** NAME_MAX on ext4/APFS/NTFS-via-Linux: 255 bytes per component. */
export const MAX_NAME_BYTES = 255;
/** A "suffix" longer than this is not an extension worth preserving when truncating. */
const MAX_EXTENSION_BYTES = 32;
/** Depth cap for client-chosen sub-folders; keeps paths well below PATH_MAX (4096). */
export const MAX_DIR_DEPTH = 16;
const FALLBACK_NAME = 'file';

// Windows forbids these in names; ':' would also open an NTFS alternate data stream ("a.txt:evil").
const WINDOWS_FORBIDDEN = new Set(['<', '>', ':', '"', '/', '\\', '|', '?', '*']);

// Win32 maps these names to devices whatever the extension ("con.txt", "LPT1.tar.gz") and ignores
// spaces before the dot; COM¹/COM²/COM³ are reserved too. CONIN$/CONOUT$ are console devices.
const RESERVED_DEVICE =
  /^(?:CON|PRN|AUX|NUL|COM[1-9\u00b9\u00b2\u00b3]|LPT[1-9\u00b9\u00b2\u00b3]|CONIN\$|CONOUT\$) *(?:\..*)?$/i;

// Windows silently strips trailing dots and spaces, so "a.txt." and "a.txt" would collide.
const TRAILING_DOTS_SPACES = /[. ]+$/;

// Drive letters ("C:"), UNC roots ("\\server\share") and Win32 device paths ("\\?\C:", "\\.\UNC\s\sh").
const WINDOWS_ROOT =
  /^(?:[\\/]{2}[?.][\\/](?:UNC[\\/][^\\/]*[\\/]?[^\\/]*|[A-Za-z]:)?|[\\/]{2}[^\\/]+[\\/]?[^\\/]*|[A-Za-z]:)/i;

/** Code points that are invisible or control text direction; they disguise names ("evil\u202Egpj.exe"). */
function isInvisibleOrControl(cp: number): boolean {
  return (
    cp <= 0x1f || // C0 controls, including NUL
    (cp >= 0x7f && cp <= 0x9f) || // DEL and C1 controls
    (cp >= 0x200b && cp <= 0x200f) || // zero-width space/non-joiner/joiner, LRM, RLM
    (cp >= 0x202a && cp <= 0x202e) || // LRE, RLE, PDF, LRO, RLO
    (cp >= 0x2060 && cp <= 0x2069) || // word joiner, invisible operators, LRI, RLI, FSI, PDI
    cp === 0x061c || // Arabic letter mark (bidi)
    cp === 0x2028 || // line separator
    cp === 0x2029 || // paragraph separator
    cp === 0xfeff || // zero-width no-break space / BOM
    (cp >= 0xd800 && cp <= 0xdfff) // lone surrogates cannot be encoded in UTF-8 file names
  );
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Longest prefix of `text` that fits in `maxBytes` UTF-8 bytes; iterates by code point so none is split. */
function truncateUtf8(text: string, maxBytes: number): string {
  let out = '';
  let used = 0;
  for (const ch of text) {
    const size = utf8Length(ch);
    if (used + size > maxBytes) break;
    out += ch;
    used += size;
  }
  return out;
}

/** Splits "name.ext" into ["name", ".ext"]; dot-files (".bashrc") and over-long suffixes have no extension. */
export function splitExtension(name: string): [stem: string, extension: string] {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return [name, ''];
  const extension = name.slice(dot);
  if (utf8Length(extension) > MAX_EXTENSION_BYTES) return [name, ''];
  return [name.slice(0, dot), extension];
}

/** Joins stem + suffix + extension, shortening the stem so the whole stays within MAX_NAME_BYTES. */
function fitName(stem: string, suffix: string, extension: string): string {
  const room = MAX_NAME_BYTES - utf8Length(suffix) - utf8Length(extension);
  const fitted = utf8Length(stem) > room ? truncateUtf8(stem, room) : stem;
  // A cut stem may now end in a dot or space; only the very end matters to Windows.
  const name = `${fitted}${suffix}${extension}`;
  return suffix === '' && extension === '' ? name.replace(TRAILING_DOTS_SPACES, '') : name;
}

/** Cleans one path component; returns '' when nothing usable is left. */
function cleanComponent(raw: string): string {
  let out = '';
  // NFC so a name typed on macOS (NFD) and one typed on Windows compare and display the same.
  for (const ch of raw.normalize('NFC')) {
    const cp = ch.codePointAt(0) ?? 0;
    if (isInvisibleOrControl(cp)) continue;
    out += WINDOWS_FORBIDDEN.has(ch) ? '_' : ch;
  }
  out = out.trim().replace(TRAILING_DOTS_SPACES, '');
  if (out === '' || /^\.+$/.test(out)) return '';
  if (RESERVED_DEVICE.test(out)) out = `_${out}`;
  const [stem, extension] = splitExtension(out);
  return fitName(stem, '', extension);
}

/** Path components of `raw` after dropping any drive/UNC/device root and the "", ".", ".." segments. */
function pathSegments(raw: string): string[] {
  const withoutRoot = raw.replace(WINDOWS_ROOT, '');
  return withoutRoot.split(/[\\/]+/).filter((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/**
 * A safe file name for display and storage. Any directory part is discarded (only the last usable
 * segment counts), and the result is never empty, never a device name, and at most 255 UTF-8 bytes.
 */
export function sanitizeDisplayName(name: string): string {
  const segments = pathSegments(name);
  for (let i = segments.length - 1; i >= 0; i -= 1) {
    const cleaned = cleanComponent(segments[i] ?? '');
    if (cleaned !== '') return cleaned;
  }
  return FALLBACK_NAME;
}

/**
 * The sub-folders a tus `relativePath` ("photos/2024/a.jpg" or "photos/2024/") asks for, as safe
 * segments to join under the receive folder. The last segment is the file itself unless the path ends
 * with a separator. Traversal segments are dropped, not resolved, so the result can only go deeper.
 */
export function sanitizeRelativeDir(relativePath: string): string[] {
  const endsWithSeparator = /[\\/]$/.test(relativePath);
  const segments = pathSegments(relativePath);
  const dirs = endsWithSeparator ? segments : segments.slice(0, -1);
  return dirs
    .map(cleanComponent)
    .filter((segment) => segment !== '')
    .slice(0, MAX_DIR_DEPTH);
}

/** "a.txt" → "a (n).txt", kept within 255 bytes; used when the plain name is already taken. */
export function withCollisionSuffix(name: string, n: number): string {
  const [stem, extension] = splitExtension(name);
  return fitName(stem, ` (${n})`, extension);
}
