// examples/storefront's pages as a person reads them: styled (an inline stylesheet its CSP
// allows by hash) and saying in words how they signed in, never Handoff's raw `amr` value.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { renderPage, signedInWith, welcomeBody } from "../../examples/storefront/server.js";

describe("the storefront example's pages", () => {
  it("says how the person signed in, in words", () => {
    expect(signedInWith(["link"])).toBe("a login link from your partner's site");
    expect(signedInWith(["link", "otp"])).toBe(
      "a login link from your partner's site and a one-time code",
    );
    expect(signedInWith(["link", "otp", "mfa"])).toBe(
      "a login link from your partner's site and a one-time code (two factors)",
    );
    const body = welcomeBody({
      sub: "usr_1",
      name: "Grace Hopper",
      email: "grace@example.com",
      partner: "ptn_1",
      amr: ["link"],
    });
    expect(body).toContain('<dd id="amr">a login link from your partner&#39;s site</dd>');
    expect(body).not.toContain(">link<");
    expect(body).not.toContain("sub-account");
    expect(welcomeBody({ sub: "usr_2", partner: "ptn_1", sub_account: "ptn_2" })).toContain(
      '<dd id="sub-account">ptn_2</dd>',
    );
  });

  it("is styled by a stylesheet its CSP allows", () => {
    const page = renderPage(200, "Storefront", welcomeBody({ sub: "usr_1", amr: ["link"] }));
    const style = /<style>([\s\S]*?)<\/style>/.exec(page.html)?.[1];
    expect(style).toContain("font-family");
    const allowed = /style-src ('sha256-[^']+')/.exec(
      page.headers["content-security-policy"] ?? "",
    )?.[1];
    expect(allowed).toBe(
      `'sha256-${createHash("sha256")
        .update(style ?? "")
        .digest("base64")}'`,
    );
  });
});
