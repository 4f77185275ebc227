// Takes the screenshots in docs/console/ with Debian's Chromium: a demo database, some login
// links (one that lands, two that fail), then the console's main pages as an operator and as the
// demo partner's admin. Run: npx tsx scripts/console-screenshots.ts
import { mkdirSync } from "node:fs";
import { chromium, type Page } from "playwright-core";
import { buildApp } from "../src/app.js";
import { testConfig } from "../src/config.js";
import { ensureDemo } from "../src/demo/demo.js";

const out = new URL("../docs/console/", import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const port = 18_080;
const base = `http://127.0.0.1:${port}`;
const app = await buildApp(testConfig({ baseUrl: base, port, demo: true }));
await app.listen({ port, host: "127.0.0.1" });
const demo = await ensureDemo(app.services);
if (!demo) throw new Error("no demo");
for (const bindIp of [undefined, "203.0.113.9", "198.51.100.4"]) {
  const minted = await app.services.tickets.mint({
    partnerId: demo.partner.id,
    apiTokenId: null,
    user: { id: "demo-user-1", email: "ada@demo.example" },
    appId: demo.app.id,
    ip: "127.0.0.1",
    ...(bindIp ? { bindIp } : {}),
  });
  await fetch(`${base}/login/${minted.ticket}`, {
    method: "POST",
    headers: { "sec-fetch-site": "same-origin" },
    redirect: "manual",
  });
}

const browser = await chromium.launch({
  executablePath: process.env.HANDOFF_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
async function signIn(page: Page, login: string, password: string, partnerId?: string) {
  await page.goto(`${base}/console/sign-in`);
  await page.getByLabel("Email or login").fill(login);
  await page.getByLabel("Password", { exact: true }).fill(password);
  if (partnerId) await page.getByLabel("Partner ID").fill(partnerId);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Overview" }).waitFor();
}
const shot = async (page: Page, path: string, name: string) => {
  await page.goto(`${base}${path}`);
  await page.screenshot({ path: `${out}${name}.png`, fullPage: true });
};

const operator = await browser.newPage({ viewport: { width: 1100, height: 700 } });
await shot(operator, "/console/sign-in", "sign-in");
await signIn(operator, demo.operator.email, demo.operator.password);
await shot(operator, "/console", "overview");
await shot(operator, "/console/partners", "partners");
await shot(operator, `/console/partners/${demo.partner.id}`, "partner");
await shot(operator, "/console/audit", "audit");

const admin = await browser.newPage({ viewport: { width: 1100, height: 700 } });
await signIn(admin, demo.partner_user.username, demo.partner_user.password, demo.partner.id);
await shot(admin, `/console/partners/${demo.partner.id}/tokens`, "token-management");
await shot(admin, `/console/partners/${demo.partner.id}/activity`, "activity");
const phone = await browser.newPage({ viewport: { width: 375, height: 740 } });
await signIn(phone, demo.partner_user.username, demo.partner_user.password, demo.partner.id);
await shot(phone, `/console/partners/${demo.partner.id}/tokens`, "token-management-375");

await browser.close();
await app.close();
console.log(`screenshots in ${out}`);
