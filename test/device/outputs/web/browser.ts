/**
 * Debian's Chromium under playwright-core, kept off the network (scripts/chromium.ts: every host name
 * except 127.0.0.1 resolves to nothing, and background services are off). One persistent context per
 * test file, in a temp profile directory removed on close. Every page is watched for console errors,
 * CSP violations, page errors, dialogs and requests to anything but 127.0.0.1.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../../../scripts/chromium.ts';
import { toolPath } from '../../../fakes/tools.ts';

export interface TestBrowser {
  readonly context: BrowserContext;
  /** Every URL any page of this context requested. */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'ec2led-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: toolPath('chromium'),
    headless: true,
    args: [...CHROMIUM_ARGS],
    viewport: { width: 1040, height: 760 },
    deviceScaleFactor: 1,
    locale: 'en-GB',
    timezoneId: 'UTC',
    timeout: 20_000,
  });
  context.setDefaultTimeout(5_000);
  const requests: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  // Runs before the page's own script; a violation is also reported here, not only on the console.
  await context.addInitScript(() => {
    const w = window as unknown as { cspViolations: string[] };
    w.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      w.cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return {
    context,
    requests,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export interface PageWatch {
  readonly page: Page;
  /** Console errors and warnings, uncaught page errors, alert/confirm/prompt dialogs. */
  readonly problems: string[];
  readonly dialogs: string[];
  /** CSP violations seen by the page itself. */
  cspViolations(): Promise<string[]>;
}

export async function openPage(browser: TestBrowser, url: string): Promise<PageWatch> {
  const page = await browser.context.newPage();
  const problems: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(url);
  return {
    page,
    problems,
    dialogs,
    cspViolations: () =>
      page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations),
  };
}

/** Requests that went anywhere but the test server on 127.0.0.1 (a data: favicon is not a request off the machine). */
export function offMachine(requests: readonly string[]): string[] {
  return requests.filter((url) => !url.startsWith('http://127.0.0.1:') && !url.startsWith('data:'));
}
