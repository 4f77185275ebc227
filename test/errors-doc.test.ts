// Error codes are public API: the catalogue and docs/errors.md list exactly the same codes.
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { errorCatalogue } from "../src/http/errors.js";

it("documents every error code with its status, and nothing more", () => {
  const doc = readFileSync(new URL("../docs/errors.md", import.meta.url), "utf8");
  const documented = new Map(
    [...doc.matchAll(/^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|/gm)].map((m) => [
      m[1] as string,
      Number(m[2]),
    ]),
  );
  const inCode = new Map(
    Object.entries(errorCatalogue).map(([code, { status }]) => [code, status]),
  );
  expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(inCode));
});
