import escapeHtml from 'escape-html';

/** HTML that is already escaped (or is our own markup). Only `html` makes one. */
export class SafeHtml {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
}

type Interpolation = SafeHtml | string | number | null | undefined | false | ReadonlyArray<SafeHtml>;

/**
 * A tagged template that escapes every interpolated value (escape-html) unless it is SafeHtml,
 * so pages are escaped by default and raw HTML needs a deliberate `html` wrapper.
 *
 * @example
 * html`<p>Hello ${user.email}</p>` // the email is escaped
 */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    if (value instanceof SafeHtml) out += value.value;
    else if (Array.isArray(value)) out += value.map((v: SafeHtml) => v.value).join('');
    else if (value !== null && value !== undefined && value !== false) out += escapeHtml(String(value));
    out += strings[i + 1] ?? '';
  });
  return new SafeHtml(out);
}
