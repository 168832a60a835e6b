/** Small text helpers every layer may use. */

/** Cut `s` to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function cutBytes(s: string, maxBytes: number): string {
  let bytes = 0;
  let out = '';
  for (const ch of s) {
    const b = Buffer.byteLength(ch, 'utf8');
    if (bytes + b > maxBytes) break;
    bytes += b;
    out += ch;
  }
  return out;
}
