// What the browser tests share: Debian's Chromium through playwright-core, and a partner's own
// page on another site ("localhost" is another site than 127.0.0.1) holding a login link.
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AxeBuilder } from "@axe-core/playwright";
import { type Browser, chromium, type Page } from "playwright-core";
import { expect } from "vitest";

const CHROMIUM = process.env.HANDOFF_CHROMIUM ?? "/usr/bin/chromium";
/** In CI Chromium must be there (.ci/run installs it); on a laptop without it, tests skip. */
export const chromiumAvailable = existsSync(CHROMIUM) || process.env.CI !== undefined;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}

/** Serves a page with one link (`#go`) to `href`; returns the server and the page's URL. */
export async function partnerPage(
  href: string,
  text: string,
): Promise<{ server: Server; url: string }> {
  const server = createServer((_req, res) => {
    res.setHeader("content-type", "text/html");
    res.end(`<!doctype html><title>Partner</title><a id="go" href="${href}">${text}</a>`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://localhost:${(server.address() as AddressInfo).port}/` };
}

/**
 * What every console page must pass: axe finds nothing serious or critical, the page is no wider
 * than `width`, and (with `tablesFit`, at desktop widths) no table scrolls inside its own region.
 */
export async function checkPage(page: Page, width: number, tablesFit = false): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations.filter(
    (v) => v.impact === "serious" || v.impact === "critical",
  );
  expect(
    serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
    page.url(),
  ).toEqual([]);
  const scrollWidth = Number(await page.evaluate("document.documentElement.scrollWidth"));
  expect(scrollWidth, `${page.url()} is wider than the screen`).toBeLessThanOrEqual(width);
  if (!tablesFit) return;
  const scrolling = await page.evaluate(
    `[...document.querySelectorAll(".scroll")].filter((e) => e.scrollWidth > e.clientWidth).length`,
  );
  expect(scrolling, `${page.url()} has a table wider than the page`).toBe(0);
}
