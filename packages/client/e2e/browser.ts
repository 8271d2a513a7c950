import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';

/** Debian's package puts it here; CHROMIUM_PATH points elsewhere. */
const { CHROMIUM_PATH = '/usr/bin/chromium' } = process.env;

/** Debian's Chromium, headless; flags as this machine needs them (no sandbox as root, no network). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Collects what the page logs as errors or warnings, to assert there are none. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return problems;
}
