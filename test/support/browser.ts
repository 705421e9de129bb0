/**
 * The system Chromium driven by playwright-core, for the dashboard's end-to-end tests.
 * Never downloads a browser: CI installs Debian's chromium (.ci/run). Each launch gets
 * a fresh profile folder, removed on close.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { beforeEach, onTestFailed } from 'vitest';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(
  options: { colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } } = {},
): Promise<TestBrowser> {
  await fs.access(CHROMIUM_PATH).catch(() => {
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM_PATH}: install it (Debian: apt-get install -y chromium; .ci/run does) or set CHROMIUM_PATH.`,
    );
  });
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'hookpost-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
    viewport: options.viewport ?? { width: 1280, height: 860 },
    colorScheme: options.colorScheme ?? 'light',
    deviceScaleFactor: 1,
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  return {
    context,
    async close() {
      await context.close();
      await fs.rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A failing test leaves a picture of what the page showed: `<folder>/<prefix><test name>.png`
 * (registers a beforeEach; `page()` may be undefined until the file's beforeAll made it).
 */
export function screenshotOnFailure(folder: string, prefix: string, page: () => Page | undefined): void {
  beforeEach((context) => {
    onTestFailed(async () => {
      await page()
        ?.screenshot({
          path: path.join(folder, `${prefix}${context.task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}.png`),
          fullPage: true,
        })
        .catch(() => {});
    });
  });
}
