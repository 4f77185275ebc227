// The typed partner client (packages/client) against a running server: the README's partner
// journey (exchange, mint a login link, the person redeems it, the ticket reads "redeemed"),
// typed errors, a revoked API token, and the package as it is published (built by tsc).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generatedSchema, SCHEMA_FILE } from "../../packages/client/scripts/generate.js";
import { createHandoffClient, HandoffExchangeError } from "../../packages/client/src/index.js";
import { testConfig } from "../../src/config.js";
import { buildApp, domainsOf, makePartner, type PartnerFixture } from "../helpers/app.js";
import { freePort } from "../helpers/net.js";

describe("the typed partner client", () => {
  let app: FastifyInstance;
  let base: string;
  let partner: PartnerFixture;
  let appId: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = await buildApp(testConfig({ baseUrl: base, port }));
    await app.listen({ port, host: "127.0.0.1" });
    partner = await makePartner(app);
    appId = (await domainsOf(app).apps.create({ name: "Shop", baseUrl: "https://shop.example" }))
      .id;
  });
  afterAll(async () => app?.close());

  it("is generated from the document the server serves (npm run client:generate)", async () => {
    expect(readFileSync(SCHEMA_FILE, "utf8")).toBe(await generatedSchema());
  });

  it("runs the README's partner journey", async () => {
    const handoff = createHandoffClient({
      baseUrl: base,
      partnerToken: partner.partnerToken,
      apiToken: partner.apiToken,
    });
    const me = await handoff.GET("/v1/partner");
    expect(me.response.status).toBe(200);
    expect(me.data?.id).toBe(partner.partnerId);

    const minted = await handoff.POST("/v1/sso/tickets", {
      body: { user: { id: "u-1", email: "ada@example.com" }, app: appId },
    });
    expect(minted.response.status).toBe(201);
    const link = minted.data;
    if (!link) throw new Error(JSON.stringify(minted.error));
    expect(link.login_url).toBe(`${base}/login/${link.ticket}`);

    // The person's browser: the page, then the POST that uses the link.
    const page = await fetch(link.login_url);
    expect(page.status).toBe(200);
    const redeemed = await fetch(link.login_url, {
      method: "POST",
      redirect: "manual",
      headers: { "sec-fetch-site": "same-origin" },
    });
    expect(redeemed.status).toBe(303);
    expect(redeemed.headers.get("location")).toBe("https://shop.example/");

    const status = await handoff.GET("/v1/sso/tickets/{id}", {
      params: { path: { id: link.id } },
    });
    expect(status.data?.status).toBe("redeemed");
  });

  it("gives the server's problem+json as a typed error", async () => {
    const handoff = createHandoffClient({
      baseUrl: base,
      partnerToken: partner.partnerToken,
      apiToken: partner.apiToken,
    });
    const refused = await handoff.POST("/v1/sso/tickets", {
      body: { user: { id: "u-2" }, app: "app_unknown" },
    });
    expect(refused.data).toBeUndefined();
    expect(refused.response.status).toBe(400);
    expect(refused.error?.code).toBe("unknown_app");
  });

  it("exchanges again after a 401, and throws when the credentials are refused", async () => {
    const other = await makePartner(app, "Revoked Partner");
    const handoff = createHandoffClient({
      baseUrl: base,
      partnerToken: other.partnerToken,
      apiToken: other.apiToken,
    });
    expect((await handoff.GET("/v1/partner")).response.status).toBe(200);
    await domainsOf(app).partners.revokeApiToken(other.partnerId, other.apiTokenId);
    expect((await handoff.GET("/v1/partner")).response.status).toBe(401);
    const next = handoff.GET("/v1/partner");
    await expect(next).rejects.toBeInstanceOf(HandoffExchangeError);
    await expect(next).rejects.toMatchObject({
      status: 401,
      problem: { code: "invalid_api_token" },
    });
  });

  it("builds with tsc into the package that npm publishes", async () => {
    const out = mkdtempSync(join(tmpdir(), "handoff-client-"));
    try {
      execFileSync(
        process.execPath,
        [
          join("node_modules", "typescript", "bin", "tsc"),
          "-p",
          join("packages", "client", "tsconfig.json"),
          "--outDir",
          out,
        ],
        { stdio: "pipe" },
      );
      const built = (await import(pathToFileURL(join(out, "index.js")).href)) as {
        createHandoffClient: typeof createHandoffClient;
      };
      const handoff = built.createHandoffClient({
        baseUrl: `${base}/`,
        partnerToken: partner.partnerToken,
        apiToken: partner.apiToken,
      });
      expect((await handoff.GET("/v1/partner")).data?.id).toBe(partner.partnerId);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
