import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium, or whatever GATEHOUSE_CHROMIUM points at. */
export function chromiumPath(): string {
  return process.env.GATEHOUSE_CHROMIUM ?? '/usr/bin/chromium';
}

/**
 * Launches a headless system Chromium for the end-to-end tests. A missing browser is an error,
 * never a skip: a suite that silently skips its browser tests reports green for untested pages.
 * The flags keep Chromium off the network (the test machines have none): no QUIC, no update
 * checks, no sync, no first-run pings.
 *
 * @example
 * const browser = await launchChromium();
 * after(() => browser.close());
 * const page = await (await browser.newContext()).newPage();
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  try {
    accessSync(executablePath, constants.X_OK);
  } catch {
    throw new Error(
      `Chromium is not installed at ${executablePath}. Run \`bash scripts/ensure-system-deps.sh\` (installs Debian's chromium with apt), or set GATEHOUSE_CHROMIUM to a Chromium binary.`,
    );
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Starts a server and Chromium together. If either fails, the other is closed before the error
 * is thrown, so a failed `before()` leaves no process behind for `after()` to find.
 *
 * @example
 * ({ server, browser } = await startWithChromium(() => startTestServer({ clock })));
 */
export async function startWithChromium<S extends { close(): Promise<void> }>(start: () => Promise<S>): Promise<{ server: S; browser: Browser }> {
  const [started, launched] = await Promise.allSettled([start(), launchChromium()]);
  if (started.status === 'fulfilled' && launched.status === 'fulfilled') return { server: started.value, browser: launched.value };
  await Promise.allSettled([started.status === 'fulfilled' ? started.value.close() : null, launched.status === 'fulfilled' ? launched.value.close() : null]);
  throw started.status === 'rejected' ? started.reason : (launched as PromiseRejectedResult).reason;
}
