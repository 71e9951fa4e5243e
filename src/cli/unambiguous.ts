/**
 * Text as an operator should read it: printable ASCII as is, everything else escaped
 * (`\u0430`, `\u{1f600}`), and the backslash itself doubled so an escape cannot be faked.
 * Addresses that look alike (Cyrillic `а` for Latin `a`, dotless `ı`, full-width letters,
 * invisible joiners) then print differently, and a control character cannot move the cursor
 * or break a line (docs/security.md SEC-113).
 *
 * @example
 * unambiguous('\u0430dmin@example.com'); // '\\u0430dmin@example.com'
 */
export function unambiguous(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\') out += '\\\\';
    else if (code >= 0x20 && code <= 0x7e) out += char;
    else out += code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return out;
}
