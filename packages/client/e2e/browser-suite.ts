import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { launchBrowser, watchConsole } from './browser';
import { startServer, type RunningServer } from './server';

/** Where the screenshots go, for a person to look at: no test compares them. */
const ARTIFACTS = 'test-results';

type Options<Name extends string> = {
  /** The pages each test gets, side by side, by name: one, `page`, unless named here. */
  pages?: readonly Name[];
  /** What the pages may do beyond the defaults (e.g. read the clipboard). */
  permissions?: string[];
  /**
   * The pages are tabs of one browser (one context: they share its storage and cookies), not of
   * a browser each, the default.
   */
  sameBrowser?: boolean;
};

type OpenPage = { page: Page; problems: string[]; expected: RegExp[] };

/**
 * Registers the hooks of a file of browser tests: a server of the file's own (its own database,
 * so that what one file's tests make never shows in another's) and a browser; for each test,
 * fresh pages whose console errors and warnings fail the test unless it said it expects them.
 * It answers with accessors: the server and the pages exist only once the hooks have run.
 */
export function browserSuite<Name extends string = 'page'>({
  pages = ['page' as Name],
  permissions,
  sameBrowser = false,
}: Options<Name> = {}) {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext | undefined;
  const open = new Map<Name, OpenPage>();

  beforeAll(async () => {
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });
  beforeEach(async () => {
    open.clear();
    const options = { viewport: { width: 1280, height: 900 }, permissions };
    context = sameBrowser ? await browser.newContext(options) : undefined;
    for (const name of pages) {
      const page = await (context ? context.newPage() : browser.newPage(options));
      open.set(name, { page, problems: watchConsole(page), expected: [] });
    }
  });
  afterEach(async () => {
    for (const { page } of open.values()) await page.close();
    await context?.close();
    const unexpected = ({ problems, expected }: OpenPage) =>
      problems.filter((line) => !expected.some((pattern) => pattern.test(line)));
    expect(
      Object.fromEntries([...open].map(([name, opened]) => [name, unexpected(opened)])),
    ).toEqual(Object.fromEntries(pages.map((name) => [name, []])));
  });

  const opened = (name: Name = pages[0]!) => open.get(name)!;
  return {
    server: () => server,
    page: (name?: Name) => opened(name).page,
    /** A console line the test provokes on purpose (a refusal the browser logs), on that page. */
    expectConsole: (pattern: RegExp, name?: Name) => {
      opened(name).expected.push(pattern);
    },
    /** A full-page screenshot into test-results/. */
    screenshot: async (file: string, name?: Name) => {
      await opened(name).page.screenshot({ path: `${ARTIFACTS}/${file}.png`, fullPage: true });
    },
  };
}
