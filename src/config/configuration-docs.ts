import { settings } from './settings.ts';

function show(value: unknown): string {
  if (value === undefined) return 'required (dev mode fills it in)';
  if (value === '') return '(empty)';
  if (Array.isArray(value)) return value.length === 0 ? '(empty)' : value.join(',');
  return `\`${String(value)}\``;
}

/** docs/configuration.md, generated from the settings table so the two never drift. */
export function configurationDocs(): string {
  const rows = settings.map((s) => `| \`${s.env}\` | \`${s.path}\` | ${show(s.defaultValue)} | ${s.description.replaceAll('|', '\\|')} |`);
  return [
    '# Configuration',
    '',
    'Gatehouse reads environment variables and, optionally, a JSON file (`--config file.json` or `GATEHOUSE_CONFIG`).',
    'The file uses the dotted paths below as nested keys; environment variables win. Everything is checked once at',
    'start-up, every problem is listed together, unknown keys are refused, and the result is frozen.',
    '',
    'Generated from `src/config/settings.ts` by `npm run gatehouse -- config-docs`.',
    '',
    '| environment variable | config file key | default | meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
