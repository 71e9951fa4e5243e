import { html, type SafeHtml } from '../html.ts';

/** A UTC time for console tables: `<time>` with the ISO value, shown to the minute. */
export function utcTime(ms: number | null): SafeHtml {
  if (ms === null) return html`<span class="muted">never</span>`;
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}">${iso.replace('T', ' ').slice(0, 16)} UTC</time>`;
}

/** A POST form with one button: every console action is one of these (no scripts). */
export function actionButton(action: string, label: string, options: { danger?: 'danger'; ariaLabel?: string } = {}): SafeHtml {
  return html`<form method="post" action="${action}"><button class="${options.danger === 'danger' ? 'danger' : 'secondary'}" type="submit"${options.ariaLabel === undefined ? '' : html` aria-label="${options.ariaLabel}"`}>${label}</button></form>`;
}
