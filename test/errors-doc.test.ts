// Failures are public API: each catalogue in src/http/errors.ts and the document that describes it
// list exactly the same codes with the same statuses (the API's codes in docs/errors.md, the
// reasons a sign-in fails in docs/sso.md, seed 000's OAuth errors in docs/compat/enkash.md).
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { errorCatalogue, oauthErrorCatalogue, pageFailureCatalogue } from "../src/http/errors.js";

/** `| \`code\` … | status |` rows of a Markdown table, the status in the given column. */
function table(file: string, statusColumn: number): Record<string, number> {
  const doc = readFileSync(new URL(`../${file}`, import.meta.url), "utf8");
  const rows: Record<string, number> = {};
  for (const line of doc.split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    const code = /^`([a-z_]+)`/.exec(cells[1] ?? "")?.[1];
    const status = cells[statusColumn];
    if (code && status && /^\d{3}$/.test(status)) rows[code] = Number(status);
  }
  return rows;
}

const statuses = (catalogue: Record<string, { status: number }>) =>
  Object.fromEntries(Object.entries(catalogue).map(([code, { status }]) => [code, status]));

it("documents every API error code with its status, and nothing more", () => {
  expect(table("docs/errors.md", 2)).toEqual(statuses(errorCatalogue));
});

it("documents every reason a login link or an app's sign-in fails, with its page status", () => {
  expect(table("docs/sso.md", 2)).toEqual(statuses(pageFailureCatalogue));
});

it("documents every OAuth error of seed 000's token endpoint, with its status", () => {
  expect(table("docs/compat/enkash.md", 2)).toEqual(statuses(oauthErrorCatalogue));
});
