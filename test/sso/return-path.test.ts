// Property tests of the return-path check: whatever it accepts stays inside the app's base URL
// and under an allowed prefix, however a browser would resolve it (SECURITY row 23).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkReturnPath, landingUrl, underPrefix } from "../../src/tickets/return-path.js";

const BASE = "https://shop.example/store";
const ALLOWED = ["/orders", "/account/"];

/** Strings built from the characters that matter in URLs, so the search finds the tricky ones. */
const tricky = fc
  .array(
    fc.constantFrom(
      "/",
      "\\",
      ".",
      "..",
      "%2e",
      "%2E",
      "%2f",
      "%5c",
      "%25",
      "%",
      "@",
      ":",
      "?",
      "#",
      "//",
      "orders",
      "account",
      "evil.example",
      "https:",
      "javascript:",
      "\t",
      "\n",
      " ",
      "a",
      "7",
      "=",
      "&",
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(""));

describe("return paths", () => {
  it("never accepts a value that a browser would resolve outside the app or its prefixes", () => {
    fc.assert(
      fc.property(tricky, (value) => {
        const check = checkReturnPath(value, ALLOWED);
        if (!check.ok) return;
        const resolved = new URL(landingUrl(BASE, check.path));
        expect(resolved.origin).toBe("https://shop.example");
        const path = resolved.pathname.slice("/store".length);
        expect(resolved.pathname.startsWith("/store/")).toBe(true);
        expect(ALLOWED.some((prefix) => underPrefix(path, prefix))).toBe(true);
        // What the browser would request is what we checked: no normalisation happened on the way.
        expect(resolved.pathname).toBe(`/store${check.path.split("?")[0]}`);
      }),
      { numRuns: 20_000 },
    );
  });

  it("accepts ordinary paths under a prefix", () => {
    for (const value of [
      "/orders",
      "/orders/7",
      "/orders/7?tab=a&x=%2F",
      "/account/",
      "/account/me",
    ]) {
      expect(checkReturnPath(value, ALLOWED)).toEqual({ ok: true, path: value });
    }
    for (const value of ["/ordersX", "/accounts", "/", "/orders/..", "/orders/%2e%2e"]) {
      expect(checkReturnPath(value, ALLOWED).ok).toBe(false);
    }
  });
});
