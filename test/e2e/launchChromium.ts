/**
 * The one place the triad e2e tests start a browser, so that the shared launcher
 * (test/support/browser.ts `launchBrowser()`, @sparticuz/chromium) can replace it in one edit.
 * Until then: Debian's chromium, as test/e2e/adminUi.test.ts starts it.
 */
import { chromium, type Browser } from 'playwright-core';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
}
