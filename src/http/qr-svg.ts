/**
 * An inline SVG QR code (the `qrcode` library draws it; nothing is hand-rolled). Inline SVG needs
 * no image request and no script, so it works under the page CSP. The SVG holds only paths
 * derived from `text`; the library escapes nothing into markup from it.
 */
export async function qrSvg(text: string): Promise<string> {
  // Loaded on first use: only enrolment pages need it.
  const { default: QRCode } = await import('qrcode');
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
}
