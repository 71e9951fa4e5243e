/** A short, human name for a session's device from its User-Agent ("Chrome/120.0 on Linux"). */
export function describeDevice(userAgent: string): string {
  if (userAgent === '') return 'Unknown device';
  const browser = /(Edg|Firefox|Chrome|Chromium|Safari|curl|HeadlessChrome)\/[\d.]+/.exec(userAgent)?.[0] ?? 'Browser';
  const os = /(Windows|Mac OS X|Android|iPhone|iPad|Linux|CrOS)/.exec(userAgent)?.[0] ?? '';
  return os === '' ? browser : `${browser} on ${os}`;
}
