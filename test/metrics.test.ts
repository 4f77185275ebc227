// Issue 25: /metrics in Prometheus' text format, for operators only (a bearer token), with
// requests by route and status, what the audit log records, the backlogs and bounded labels.
import { afterEach, describe, expect, it } from "vitest";
import { type TestApp, testApp } from "./helpers/app.js";
import { mint, redeem, ssoFixture } from "./helpers/sso.js";

const TOKEN = "metrics-token-0123456789abcdef0123456789";

describe("/metrics", () => {
  let t: TestApp;
  afterEach(async () => t.app.close());

  const scrape = (authorization?: string) =>
    t.app.inject({ url: "/metrics", headers: authorization ? { authorization } : {} });

  it("is not served without HANDOFF_METRICS_TOKEN", async () => {
    t = await testApp("sqlite");
    expect((await scrape(`Bearer ${TOKEN}`)).statusCode).toBe(404);
  });

  it("asks for the token, then counts requests, audit entries and backlogs without user labels", async () => {
    t = await testApp("sqlite", { metricsToken: TOKEN });
    for (const wrong of [undefined, "Bearer nope", `Basic ${TOKEN}`, `Bearer ${TOKEN}x`]) {
      const refused = await scrape(wrong);
      expect(refused.statusCode, String(wrong)).toBe(401);
      expect(refused.headers["www-authenticate"]).toMatch(/^Bearer/);
      expect(refused.body).not.toContain("handoff_");
    }
    const f = await ssoFixture(t.app);
    const minted = await mint(t.app, f, { user: { id: "u-metrics", email: "ada@example.com" } });
    expect((await redeem(t.app, minted.ticket)).statusCode).toBe(303);
    expect((await redeem(t.app, minted.ticket)).statusCode).toBe(410);
    await t.app.inject({ url: "/no/such/route" });

    const scraped = await scrape(`Bearer ${TOKEN}`);
    expect(scraped.statusCode).toBe(200);
    expect(scraped.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = scraped.body;
    expect(text).toContain(
      'handoff_http_requests_total{method="POST",route="/v1/sso/tickets",status="201"} 1',
    );
    expect(text).toContain(
      'handoff_http_requests_total{method="GET",route="unmatched",status="404"} 1',
    );
    expect(text).toContain(
      'handoff_http_request_duration_seconds_count{method="POST",route="/login/:ticket"} 2',
    );
    expect(text).toContain('handoff_audit_entries_total{action="ticket.mint",outcome="ok"} 1');
    expect(text).toContain('handoff_audit_entries_total{action="ticket.redeem",outcome="ok"} 1');
    expect(text).toContain(
      'handoff_audit_entries_total{action="ticket.redeem",outcome="already_used"} 1',
    );
    expect(text).toContain('handoff_backlog_items{queue="outbox"} 0');
    expect(text).toContain('handoff_backlog_items{queue="webhooks"} 0');
    // Bounded labels: no user, partner, ticket or URL ever becomes a label.
    for (const id of [minted.user_id, f.partnerId, minted.id, minted.ticket, "u-metrics"]) {
      expect(text).not.toContain(id);
    }
  });
});
