import escapeHtml from 'escape-html';
import type { MailKind, MailMessage } from '../ports.ts';

/** What every template needs: the product's name and the configured public origin. */
export interface MailBranding {
  productName: string;
  /** The configured public URL (e.g. https://auth.example.com): every link starts here, never at a request's Host. */
  publicUrl: string;
}

/** A paragraph of a mail: plain text, a link shown as a button, or a one-time code shown large. */
export type MailBlock = { text: string } | { link: string; label: string } | { code: string };

/**
 * An absolute link under the configured public origin. Built with URL so the path and the
 * parameters are encoded by the platform, and the origin is always the configured one: a
 * path that tries to name another host (`//evil.example`) is refused.
 */
export function publicLink(publicUrl: string, path: string, params: Readonly<Record<string, string>> = {}): string {
  const url = new URL(path, publicUrl);
  if (url.origin !== new URL(publicUrl).origin) throw new Error(`a mail link must stay on ${publicUrl}`);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.href;
}

const esc = (value: string): string => escapeHtml(value);

function textBlock(block: MailBlock): string {
  if ('text' in block) return block.text;
  if ('link' in block) return `${block.label}:\n${block.link}`;
  return `    ${block.code}`;
}

function htmlBlock(block: MailBlock): string {
  if ('text' in block) return `<p style="margin:0 0 16px">${esc(block.text)}</p>`;
  if ('link' in block) {
    return `<p style="margin:0 0 16px"><a href="${esc(block.link)}" style="display:inline-block;padding:10px 18px;background:#1f4fd1;color:#ffffff;text-decoration:none;border-radius:6px">${esc(block.label)}</a></p>
<p style="margin:0 0 16px;font-size:13px;color:#555">Or paste this address into your browser: <span style="word-break:break-all">${esc(block.link)}</span></p>`;
  }
  return `<p style="margin:0 0 16px;font-size:28px;letter-spacing:6px;font-family:monospace"><strong>${esc(block.code)}</strong></p>`;
}

/**
 * Renders one mail as text and HTML from the same blocks, so both parts always say the same.
 * Every value is escaped in the HTML part (escape-html); the text part is plain text.
 */
export function renderMail(
  branding: MailBranding,
  mail: { kind: MailKind; to: string; subject: string; greeting?: string; blocks: readonly MailBlock[]; footer: string },
): MailMessage {
  const subject = `${mail.subject} · ${branding.productName}`;
  const greeting = mail.greeting ?? 'Hello,';
  const text = [greeting, ...mail.blocks.map(textBlock), mail.footer, `— ${branding.productName}\n${branding.publicUrl}`].join('\n\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(subject)}</title></head>
<body style="margin:0;padding:24px;background:#f5f6f8;font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1b1d22;line-height:1.5">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:28px">
<p style="margin:0 0 20px;font-weight:600">${esc(branding.productName)}</p>
<p style="margin:0 0 16px">${esc(greeting)}</p>
${mail.blocks.map(htmlBlock).join('\n')}
<p style="margin:24px 0 0;font-size:13px;color:#555">${esc(mail.footer)}</p>
</div>
</body></html>
`;
  return { kind: mail.kind, to: mail.to, subject, text, html };
}
