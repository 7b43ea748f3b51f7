import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { repoRoot } from "../../src/database/provision";

export const SCREENSHOTS = join(repoRoot(), ".ferry", "screenshots");

/**
 * Headless Chromium from the @sparticuz/chromium package (its binary ships inside the npm package, so no
 * download and no apt). The package is ESM-only, hence the dynamic imports.
 */
export async function launchBrowser(): Promise<Browser> {
  const { default: chromium } = await import("@sparticuz/chromium");
  const puppeteer = await import("puppeteer-core");
  return puppeteer.launch({
    args: chromium.args,
    executablePath: await chromium.executablePath(),
    headless: true,
    defaultViewport: { width: 1400, height: 900 },
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
