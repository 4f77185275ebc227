// Issue 25: three `handoff start` processes on one real PostgreSQL behind Debian's HAProxy, with
// the config docs/scaling.md gives operators. Each test talks to the balancer, or to one node
// directly to choose where each step lands: a link minted on one node is redeemed on another,
// twenty browsers race for one link across all three, an OIDC code and a SAML request cross
// nodes, a logout on one is refused on the others (the time it takes is printed), a new signing
// key is published by every node before any signs with it, webhook events and one-time codes
// are delivered once with every node's workers running, a failure budget is the same as one
// node's, and a rolling restart under load loses no request.
import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Composition, compose, listen } from "../../src/compose.js";
import { loadConfig } from "../../src/config.js";
import { openDatabase } from "../../src/db/open.js";
import type { DemoCredentials } from "../../src/demo/demo.js";
import { CookieJar } from "../helpers/jar.js";
import { freePort, waitForPort } from "../helpers/net.js";
import { type PartnerEndpoint, startPartnerEndpoint } from "../helpers/partner-endpoint.js";
import { nodeSaml, SP } from "../helpers/saml.js";
import { accessTokenAt, startHandoff } from "../helpers/server.js";
import { type Mailbox, startSmtp } from "../helpers/smtp.js";

const HAPROXY = process.env.HANDOFF_HAPROXY ?? "/usr/sbin/haproxy";
const postgresUrl = process.env.HANDOFF_TEST_POSTGRES_URL;
/** In CI (.ci/run installs HAProxy and starts PostgreSQL) this never skips. */
const runs = postgresUrl !== undefined && (existsSync(HAPROXY) || process.env.CI !== undefined);

/** The fenced haproxy block of docs/scaling.md: the very text an operator copies. */
function documentedHaproxy(): string {
  const doc = readFileSync(new URL("../../docs/scaling.md", import.meta.url), "utf8");
  const block = /```haproxy\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!block) throw new Error("docs/scaling.md has no haproxy block");
  return block;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Node {
  port: number;
  url: string;
  child: ChildProcess;
}

describe.skipIf(!runs)("three nodes on one PostgreSQL behind HAProxy", () => {
  const processes: ChildProcess[] = [];
  const nodes: Node[] = [];
  let balancer = "";
  let env: (port: number) => Record<string, string>;
  let demo: DemoCredentials;
  let access = "";
  let setup: Composition;
  let smtp: Mailbox;
  let receiver: PartnerEndpoint;

  beforeAll(async () => {
    const url = new URL(postgresUrl as string);
    const name = `handoff_cluster_${randomBytes(6).toString("hex")}`;
    const admin = await openDatabase(url.href);
    await sql`create database ${sql.id(name)}`.execute(admin.read);
    await admin.close();
    url.pathname = `/${name}`;
    smtp = await startSmtp();
    receiver = await startPartnerEndpoint();
    const dir = mkdtempSync(join(tmpdir(), "handoff-cluster-"));
    const lbPort = await freePort();
    balancer = `http://127.0.0.1:${lbPort}`;
    env = (port) => ({
      PORT: String(port),
      HOST: "127.0.0.1",
      HANDOFF_DATA_DIR: dir,
      DATABASE_URL: url.href,
      HANDOFF_SECRET_KEY: Buffer.alloc(32, 8).toString("base64"),
      HANDOFF_BASE_URL: balancer,
      HANDOFF_TRUSTED_PROXIES: "127.0.0.1",
      HANDOFF_SMTP_URL: smtp.url,
      HANDOFF_OUTBOUND_ALLOW: "127.0.0.1/32",
      LOG_LEVEL: "warn",
    });
    const ports = [await freePort(), await freePort(), await freePort()];
    const start = async (port: number) => {
      const child = await startHandoff(env(port));
      processes.push(child);
      return { port, url: `http://127.0.0.1:${port}`, child };
    };
    // The first start migrates and makes the demo; the others find both done.
    nodes.push(await start(ports[0] as number));
    nodes.push(...(await Promise.all(ports.slice(1).map(start))));

    const conf = join(dir, "haproxy.cfg");
    let text = documentedHaproxy().replace("bind :80", `bind 127.0.0.1:${lbPort}`);
    ports.forEach((port, i) => {
      text = text.replace(`handoff-${i + 1}:8080`, `127.0.0.1:${port}`);
    });
    writeFileSync(conf, text);
    const haproxy = spawn(HAPROXY, ["-db", "-f", conf], { stdio: ["ignore", "pipe", "pipe"] });
    let said = "";
    haproxy.stderr?.on("data", (chunk: Buffer) => {
      said += chunk;
    });
    processes.push(haproxy);
    await waitForPort(lbPort, haproxy, () => said);

    demo = JSON.parse(readFileSync(join(dir, "demo-credentials.json"), "utf8"));
    // The test's own composition stands for the CLI: it sets up, and runs no routes or workers.
    setup = await compose(loadConfig({ ...env(0), HANDOFF_DEMO: "0" }), { migrate: false });
    listen(setup);
    access = await exchange(balancer);
  }, 120_000);

  afterAll(async () => {
    for (const child of processes) child.kill("SIGKILL");
    await setup?.domains.database.close();
    await smtp?.close();
    await receiver?.close();
  });

  const node = (i: number) => nodes[i % nodes.length] as Node;

  const exchange = (base: string) => accessTokenAt(base, demo.partner);

  async function mint(
    base: string,
    body: Record<string, unknown> = {},
  ): Promise<{ id: string; ticket: string }> {
    const response = await fetch(`${base}/v1/sso/tickets`, {
      method: "POST",
      headers: { authorization: `Bearer ${access}`, "content-type": "application/json" },
      body: JSON.stringify({
        user: { id: "ada", email: "ada@example.com" },
        app: demo.app.id,
        ...body,
      }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { id: string; ticket: string };
  }

  /** A browser's form post of the link on `base`, from `address` (each test its own). */
  const redeem = (base: string, ticket: string, address: string, jar = new CookieJar()) =>
    jar.fetch(`${base}/login/${ticket}`, {
      method: "POST",
      headers: { origin: balancer, "x-forwarded-for": address },
    });

  const verify = async (base: string, jar: CookieJar) =>
    (
      await fetch(`${base}/v1/session/verify`, {
        headers: { cookie: jar.header(`${base}/v1/session/verify`) },
      })
    ).status;

  it("redeems on one node a link minted on another; the session holds on the third", async () => {
    const { ticket } = await mint(node(0).url);
    const jar = new CookieJar();
    expect((await redeem(node(1).url, ticket, "198.51.100.1", jar)).status).toBe(303);
    expect(await verify(node(2).url, jar)).toBe(200);
    expect(await verify(balancer, jar)).toBe(200);
  });

  it("gives one session to twenty browsers racing for one link across three nodes", async () => {
    const { id, ticket } = await mint(balancer);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => redeem(node(i).url, ticket, `198.51.100.${10 + i}`)),
    );
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 303)).toHaveLength(1);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    const sessions = await setup.domains.database.read
      .selectFrom("sessions")
      .select("id")
      .where("ticket_id", "=", id)
      .execute();
    expect(sessions).toHaveLength(1);
  });

  /** Follows redirects on one node (the balancer's origin, in a Location, stands for it). */
  async function followOn(base: string, url: string, jar: CookieJar, stopAt: string) {
    let current = url;
    for (let i = 0; i < 10; i++) {
      const response = await jar.fetch(current);
      const location = response.headers.get("location");
      if (!location) return { response, url: current };
      const next = new URL(location, current).href;
      if (next.startsWith(stopAt)) return { response, url: next };
      current = next.replace(balancer, base);
    }
    throw new Error(`too many redirects from ${url}`);
  }

  it("redeems on one node an OIDC code issued by another, once", async () => {
    const client = demo.oidc_client;
    const { ticket } = await mint(node(0).url, { app: client.app });
    const jar = new CookieJar();
    expect((await redeem(node(0).url, ticket, "198.51.100.40", jar)).status).toBe(303);
    const verifier = randomBytes(32).toString("base64url");
    const authorize = new URL(`${node(0).url}/oidc/auth`);
    authorize.search = new URLSearchParams({
      client_id: client.client_id,
      redirect_uri: client.redirect_uri,
      response_type: "code",
      scope: "openid email",
      state: "s-1",
      code_challenge: createHash("sha256").update(verifier).digest("base64url"),
      code_challenge_method: "S256",
    }).toString();
    const landed = await followOn(node(0).url, authorize.href, jar, client.redirect_uri);
    const code = new URL(landed.url).searchParams.get("code");
    expect(code).toBeTruthy();
    const redeemCode = (base: string) =>
      fetch(`${base}/oidc/token`, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code: code as string,
          redirect_uri: client.redirect_uri,
          code_verifier: verifier,
        }),
      });
    const first = await redeemCode(node(1).url);
    expect(first.status).toBe(200);
    expect(await first.json()).toHaveProperty("id_token");
    const second = await redeemCode(node(2).url);
    expect(second.status).toBe(400);
    expect(await second.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("answers on one node a SAML request, and refuses it replayed on another", async () => {
    const app = await setup.domains.apps.create({
      name: "SAML shop",
      baseUrl: "https://sp.example.com",
      returnPaths: ["/"],
      saml: {
        entityId: SP.entityId,
        acsUrls: [SP.acs],
        nameIdFormat: "persistent",
        certificate: null,
        sloUrl: null,
      },
    });
    const { ticket } = await mint(node(0).url, { app: app.id });
    const jar = new CookieJar();
    // A link to a SAML app signs in and posts a Response at once (IdP-initiated).
    expect((await redeem(node(0).url, ticket, "198.51.100.41", jar)).status).toBe(200);
    const sp = nodeSaml(balancer, [], null);
    const request = await sp.getAuthorizeUrlAsync("relay-1", undefined, {});
    const onB = await jar.fetch(request.replace(balancer, node(1).url));
    expect(onB.status).toBe(200);
    const page = await onB.text();
    expect(page).toContain('name="SAMLResponse"');
    expect(page).toContain(`action="${SP.acs}"`);
    const onC = await jar.fetch(request.replace(balancer, node(2).url));
    expect(onC.status).toBe(400);
    const refused = await onC.text();
    expect(refused).toContain("the request was already used");
    expect(refused).not.toContain("SAMLResponse");
  });

  it("refuses a logged-out session on every other node within a second", async () => {
    const { ticket } = await mint(node(0).url);
    const jar = new CookieJar();
    expect((await redeem(node(0).url, ticket, "198.51.100.42", jar)).status).toBe(303);
    const cookie = jar.header(`${balancer}/`);
    const verifyWith = async (base: string) =>
      (await fetch(`${base}/v1/session/verify`, { headers: { cookie } })).status;
    // Every node has checked the session, so each holds it in its cache (2 s by default).
    for (const i of [0, 1, 2]) expect(await verifyWith(node(i).url)).toBe(200);
    const logout = await fetch(`${node(0).url}/logout`, {
      method: "POST",
      headers: { cookie, origin: balancer, "sec-fetch-site": "same-origin" },
    });
    expect(logout.status).toBe(200);
    const loggedOutAt = Date.now();
    const seen = await Promise.all(
      [1, 2].map(async (i) => {
        while ((await verifyWith(node(i).url)) !== 401) {
          if (Date.now() - loggedOutAt > 5000) throw new Error(`node ${i} still lets it in`);
          await pause(5);
        }
        return Date.now() - loggedOutAt;
      }),
    );
    console.info(
      `cluster: logout on one node refused on the others after ${seen.join(" and ")} ms`,
    );
    expect(Math.max(...seen)).toBeLessThan(1000);
  });

  it("publishes a new signing key on every node before any node signs with it", async () => {
    const jwks = async (base: string) =>
      ((await (await fetch(`${base}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] })
        .keys;
    const kid = await setup.domains.keys.rotate();
    const rotatedAt = Date.now();
    const published = async () =>
      (
        await Promise.all(nodes.map(async (n) => (await jwks(n.url)).some((k) => k.kid === kid)))
      ).every(Boolean);
    await expect.poll(published, { timeout: 1000, interval: 10 }).toBe(true);
    console.info(`cluster: a new key is in every node's JWKS after ${Date.now() - rotatedAt} ms`);
    // It signs only after PUBLISH_LEAD_MS (two minutes): every node still signs with the old key.
    for (const n of nodes) {
      const token = await exchange(n.url);
      const header = JSON.parse(Buffer.from(token.split(".")[0] ?? "", "base64url").toString());
      expect(header.kid).not.toBe(kid);
      expect((await jwks(n.url)).some((k) => k.kid === header.kid)).toBe(true);
    }
  });

  it("delivers each of 50 redemptions' webhook events and 50 one-time codes once, with every node's workers", {
    timeout: 60_000,
  }, async () => {
    const partner = demo.partner.id;
    // The endpoint is made elsewhere (the CLI's composition): each node hears of it through the
    // change feed, within its second, and from then on writes an event for every redemption.
    const { secret } = await setup.domains.webhooks.createEndpoint(partner, {
      url: `${receiver.url}/hooks`,
      events: ["ticket.redeemed"],
    });
    receiver.secret = secret;
    await pause(1000);
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const { ticket } = await mint(node(i).url, { user: { id: `hook-${i}` } });
        const landed = await redeem(node(i + 1).url, ticket, `198.51.100.${150 + (i % 50)}`);
        expect(landed.status).toBe(303);
      }),
    );
    const addresses = Array.from({ length: 50 }, (_, i) => `otp-${i}@example.com`);
    await Promise.all(
      addresses.map(async (email, i) => {
        const { ticket } = await mint(node(i).url, {
          user: { id: `otp-${i}`, email },
          otp: "primary_email",
        });
        // The code is asked for on another node than the one that minted the link.
        const sent = await fetch(`${node(i + 1).url}/login/${ticket}/otp`, {
          method: "POST",
          headers: {
            origin: balancer,
            "sec-fetch-site": "same-origin",
            "content-type": "application/x-www-form-urlencoded",
            "x-forwarded-for": `198.51.100.${100 + i}`,
          },
          body: "",
          redirect: "manual",
        });
        expect(sent.status).toBe(303);
      }),
    );
    const mailed = () => smtp.mail.filter((m) => addresses.includes(m.to)).length;
    await expect.poll(() => receiver.calls.length, { timeout: 30_000, interval: 100 }).toBe(50);
    await expect.poll(mailed, { timeout: 30_000, interval: 100 }).toBe(50);
    await pause(2500); // a worker's next run (every 2 s) would send a double now
    const ids = receiver.calls.map((call) => call.headers["webhook-id"]);
    expect(new Set(ids).size).toBe(50);
    expect(ids).toHaveLength(50);
    expect(receiver.calls.every((call) => call.verified)).toBe(true);
    expect(new Set(smtp.mail.map((m) => m.to)).size).toBe(smtp.mail.length);
    expect(mailed()).toBe(50);
  });

  it("allows one address the same failures through the balancer as one node does (20 a minute)", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 24; i++) {
      const response = await fetch(`${balancer}/v1/partner`, {
        headers: { authorization: `Bearer made.up.${i}`, "x-forwarded-for": "203.0.113.9" },
      });
      statuses.push(response.status);
    }
    // The balancer replaces the made-up X-Forwarded-For: every failure is the test's own address.
    expect(statuses).toEqual([...Array(20).fill(401), 429, 429, 429, 429]);
  });

  it("loses no request while every node is restarted in turn under load", {
    timeout: 120_000,
  }, async () => {
    let running = true;
    const outcomes: string[] = [];
    const client = async () => {
      // Bounded: stops when the restarts end, or after 2 000 sign-ins.
      for (let i = 0; running && i < 2000; i++) {
        try {
          const { ticket } = await mint(balancer);
          const jar = new CookieJar();
          const landed = await jar.fetch(`${balancer}/login/${ticket}`, {
            method: "POST",
            headers: { origin: balancer },
          });
          const verified = await verify(balancer, jar);
          outcomes.push(`${landed.status} ${verified}`);
        } catch (error) {
          outcomes.push(String(error));
        }
      }
    };
    const clients = Array.from({ length: 4 }, client);
    for (const [i, n] of nodes.entries()) {
      const exited = new Promise<number | null>((resolve) => n.child.once("exit", resolve));
      n.child.kill("SIGTERM");
      expect(await exited).toBe(0);
      const child = await startHandoff(env(n.port));
      processes.push(child);
      nodes[i] = { ...n, child };
      await pause(2500); // the balancer's two good checks a second apart
    }
    running = false;
    await Promise.all(clients);
    const failed = outcomes.filter((outcome) => outcome !== "303 200");
    console.info(
      `cluster: ${outcomes.length} sign-ins during a rolling restart, ${failed.length} failed`,
    );
    expect(failed).toEqual([]);
    expect(outcomes.length).toBeGreaterThan(100);
  });
});
