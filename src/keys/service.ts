// Signing keys: which keys sign and verify, their rotation and reloading (rows in keys/store.ts,
// JWS in crypto/jws.ts). Ed25519 (EdDSA) signs access tokens; RSA (RS256, which every OpenID
// Connect client supports) is added the first time the OIDC provider needs it and signs ID tokens.
import { createPrivateKey, type KeyObject } from "node:crypto";
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
} from "jose";
import type { AuditLog } from "../audit/log.js";
import { type Actor, CLI, changeEntry } from "../audit/store.js";
import type { Clock } from "../clock.js";
import {
  jwsHeader,
  MAX_SIGNED_LIFETIME_SECONDS,
  SIGNING_ALG,
  signJws,
  TokenRejected,
  type VerifyOptions,
  verifyJws,
} from "../crypto/jws.js";
import type { Sealer } from "../crypto/seal.js";
import type { Storage } from "../db/database.js";
import type { SigningKeyStore } from "./store.js";

export {
  CLOCK_TOLERANCE_SECONDS,
  MAX_SIGNED_LIFETIME_SECONDS,
  MAX_TOKEN_LENGTH,
  SIGNING_ALG,
  TokenRejected,
} from "../crypto/jws.js";

/** The algorithms a key can have: EdDSA (access tokens, ID tokens) and RS256 (ID tokens). */
export type KeyAlg = "EdDSA" | "RS256";
const KID = /^[A-Za-z0-9_-]{1,64}$/;
const RELOAD_THROTTLE_MS = 10_000;
/**
 * A new key is published (JWKS) at once but signs only this long after it was made: every node
 * reloads keys each minute, so by the time any node signs with it, every node publishes it.
 */
export const PUBLISH_LEAD_MS = 2 * 60_000;

/** Whether `a` is to be preferred to `b`: newer; of two made at one moment, the one not retiring. */
function newer(a: LoadedKey, b: LoadedKey | undefined): boolean {
  return !b || a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.retireAt === null);
}

interface LoadedKey {
  kid: string;
  alg: KeyAlg;
  publicJwk: JWK;
  /** For the OIDC provider's signer (oidc-provider takes private JWKs). */
  privateJwk: JWK;
  publicKey: CryptoKey;
  privateKey: KeyObject;
  /** The JWS header of what this key signs, encoded once per `typ`. */
  headers: Map<string, string>;
  createdAt: number;
  retireAt: number | null;
}

export interface SignOptions {
  typ: string;
  audience: string;
  subject: string;
  jti: string;
  ttlSeconds: number;
}

/**
 * Holds the signing keys in memory, imported once. The newest live key signs; every key that
 * is neither retired nor revoked verifies. Other processes' rotations are picked up when an
 * unknown `kid` arrives (at most every 10 s) and on `reload()`.
 */
export class KeyStore {
  #keys = new Map<string, LoadedKey>();
  #lastLoad = 0;
  /** A key being made per algorithm: concurrent first users share it (one key, not one each). */
  readonly #making = new Map<KeyAlg, Promise<unknown>>();
  /** Bumped whenever the set of keys changes, so a consumer (the OIDC provider) can rebuild. */
  generation = 0;

  constructor(
    private readonly storage: Storage,
    private readonly store: SigningKeyStore,
    private readonly sealer: Sealer,
    private readonly clock: Clock,
    readonly issuer: string,
    private readonly audit: AuditLog,
  ) {}

  /** Loads the keys, creating the first one on an empty database. */
  async init(): Promise<void> {
    await this.reload();
    if (!this.#signer(SIGNING_ALG)) {
      await this.#rotateAlg(SIGNING_ALG);
    }
  }

  /** Makes sure a key of `alg` signs (the OIDC provider asks for RS256 when first used). */
  async ensure(alg: KeyAlg): Promise<void> {
    if (this.#signer(alg)) return;
    let making = this.#making.get(alg);
    if (!making) {
      making = this.#rotateAlg(alg).finally(() => this.#making.delete(alg));
      this.#making.set(alg, making);
    }
    await making;
  }

  async reload(): Promise<void> {
    const now = this.clock.now();
    const rows = await this.store.live(now);
    const next = new Map<string, LoadedKey>();
    for (const row of rows) {
      const known = this.#keys.get(row.kid);
      if (known) {
        next.set(row.kid, { ...known, retireAt: row.retire_at });
        continue;
      }
      const publicJwk = JSON.parse(row.public_jwk) as JWK;
      const privateJwk = JSON.parse(
        this.sealer.open(row.private_jwk_sealed, `signing_key:${row.kid}`),
      ) as JWK;
      const alg = row.alg as KeyAlg;
      next.set(row.kid, {
        kid: row.kid,
        alg,
        publicJwk,
        privateJwk: { ...privateJwk, kid: row.kid, alg, use: "sig" },
        publicKey: (await importJWK(publicJwk, alg)) as CryptoKey,
        privateKey: createPrivateKey({
          key: privateJwk as import("node:crypto").JsonWebKey,
          format: "jwk",
        }),
        headers: new Map(),
        createdAt: row.created_at,
        retireAt: row.retire_at,
      });
    }
    const changed =
      next.size !== this.#keys.size ||
      [...next.values()].some((k) => this.#keys.get(k.kid)?.retireAt !== k.retireAt);
    this.#keys = next;
    this.#lastLoad = now;
    if (changed) this.generation += 1;
  }

  /**
   * Adds a new signing key for every algorithm in use; the previous ones verify until what they
   * signed has expired. Returns the new EdDSA key's id.
   */
  async rotate(by: Actor = CLI): Promise<string> {
    const kid = await this.#rotateAlg(SIGNING_ALG, by);
    if (this.#signer("RS256")) await this.#rotateAlg("RS256", by);
    return kid;
  }

  async #rotateAlg(alg: KeyAlg, by: Actor | null = null): Promise<string> {
    const now = this.clock.now();
    const { publicKey, privateKey } =
      alg === "EdDSA"
        ? await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true })
        : await generateKeyPair("RS256", { modulusLength: 2048, extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const privateJwk = await exportJWK(privateKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const retireAt = now + (MAX_SIGNED_LIFETIME_SECONDS + 5 * 60) * 1000;
    const row = {
      kid,
      alg,
      public_jwk: JSON.stringify({ ...publicJwk, kid, alg, use: "sig" }),
      private_jwk_sealed: this.sealer.seal(JSON.stringify(privateJwk), `signing_key:${kid}`),
      created_at: now,
      retire_at: null,
      revoked_at: null,
    };
    await this.storage.write(async (trx, changed) => {
      await this.store.replace(trx, row, retireAt);
      changed({ topic: "keys" });
      if (by)
        await this.audit.record(
          trx,
          changeEntry(by, now, "signing_key.rotate", null, kid, { alg }),
        );
    });
    await this.reload();
    return kid;
  }

  /** Emergency revocation: the key stops verifying at once in this process. */
  async revoke(kid: string, by: Actor = CLI): Promise<boolean> {
    const now = this.clock.now();
    const revoked = await this.storage.write(async (trx, changed) => {
      changed({ topic: "keys" });
      const done = await this.store.revoke(trx, kid, now);
      if (done) await this.audit.record(trx, changeEntry(by, now, "signing_key.revoke", null, kid));
      return done;
    });
    const algs = new Set([...this.#keys.values()].map((k) => k.alg));
    await this.reload();
    for (const alg of algs) await this.ensure(alg);
    if (!this.#signer(SIGNING_ALG)) await this.#rotateAlg(SIGNING_ALG);
    return revoked;
  }

  /** The live keys as the console lists them: id, algorithm, created, retiring (never a key). */
  describe(): { kid: string; alg: string; created_at: number; retire_at: number | null }[] {
    return [...this.#keys.values()]
      .map((k) => ({ kid: k.kid, alg: k.alg, created_at: k.createdAt, retire_at: k.retireAt }))
      .sort((a, b) => b.created_at - a.created_at);
  }

  /** The public keys that verify now (never a private part): EdDSA first, newest first. */
  jwks(): { keys: JWK[] } {
    return { keys: this.#live().map((k) => k.publicJwk) };
  }

  /**
   * The private JWKs for the OIDC provider, the signing key of each algorithm first (oidc-provider
   * signs with the first key that fits), then the retired ones that still verify.
   */
  privateJwks(): { keys: JWK[] } {
    return { keys: this.#live().map((k) => k.privateJwk) };
  }

  #live(): LoadedKey[] {
    const now = this.clock.now();
    const signers = new Set([this.#signer("EdDSA")?.kid, this.#signer("RS256")?.kid]);
    return [...this.#keys.values()]
      .filter((k) => k.retireAt === null || k.retireAt > now)
      .sort(
        (a, b) =>
          (a.alg === SIGNING_ALG ? 0 : 1) - (b.alg === SIGNING_ALG ? 0 : 1) ||
          (signers.has(a.kid) ? 0 : 1) - (signers.has(b.kid) ? 0 : 1) ||
          b.createdAt - a.createdAt,
      );
  }

  /** Which keys sign now, with the key set's generation: changes when a consumer must rebuild. */
  signingState(): string {
    return `${this.generation}:${this.#signer("EdDSA")?.kid}:${this.#signer("RS256")?.kid}`;
  }

  /**
   * The key of `alg` that signs: the newest live one published for PUBLISH_LEAD_MS, or, when none
   * is (the first minutes of a fresh install, or every older key revoked), the oldest live one,
   * which every node has published longest.
   */
  #signer(alg: KeyAlg): LoadedKey | undefined {
    const now = this.clock.now();
    let oldest: LoadedKey | undefined;
    let settled: LoadedKey | undefined;
    for (const key of this.#keys.values()) {
      if (key.alg !== alg || (key.retireAt !== null && key.retireAt <= now)) continue;
      if (!oldest || key.createdAt < oldest.createdAt) oldest = key;
      if (key.createdAt <= now - PUBLISH_LEAD_MS && newer(key, settled)) settled = key;
    }
    return settled ?? oldest;
  }

  /** Signs `claims` as a JWT; registered claims (iss, aud, sub, jti, iat, exp) come from us and win. */
  async sign(
    claims: JWTPayload,
    options: SignOptions,
  ): Promise<{ token: string; expiresAt: number }> {
    const key = this.#signer(SIGNING_ALG);
    if (!key) throw new Error("no signing key loaded");
    const iat = Math.floor(this.clock.now() / 1000);
    const exp = iat + options.ttlSeconds;
    let header = key.headers.get(options.typ);
    if (header === undefined) {
      header = jwsHeader(key.kid, options.typ);
      key.headers.set(options.typ, header);
    }
    const payload = {
      ...claims,
      iss: this.issuer,
      aud: options.audience,
      sub: options.subject,
      jti: options.jti,
      iat,
      exp,
    };
    return { token: await signJws(header, payload, key.privateKey), expiresAt: exp * 1000 };
  }

  /**
   * Verifies a compact JWS we signed. The algorithm, issuer, audience and `typ` are ours, never
   * read from the token; `jwk`/`jku`/`x5u`/`x5c` headers are never used to find a key.
   */
  /** Verifies a compact JWS we signed with one of our live EdDSA keys (src/crypto/jws.ts). */
  verify(
    token: string,
    options: Pick<VerifyOptions, "typ" | "audience">,
  ): Promise<{ payload: JWTPayload; kid: string }> {
    return verifyJws(token, (kid) => this.#verificationKey(kid), {
      ...options,
      issuer: this.issuer,
      now: this.clock.now(),
    });
  }

  /** True while the key verifies (not retired, not revoked) in this process. */
  isLive(kid: string): boolean {
    const key = this.#keys.get(kid);
    return key !== undefined && (key.retireAt === null || key.retireAt > this.clock.now());
  }

  async #verificationKey(kid: unknown): Promise<CryptoKey> {
    if (typeof kid !== "string" || !KID.test(kid)) throw new TokenRejected("bad kid");
    let key = this.#keys.get(kid);
    if (!key && this.clock.now() - this.#lastLoad > RELOAD_THROTTLE_MS) {
      await this.reload();
      key = this.#keys.get(kid);
    }
    const now = this.clock.now();
    // Access tokens are EdDSA only: an RSA key's id never verifies one.
    if (!key || key.alg !== SIGNING_ALG || (key.retireAt !== null && key.retireAt <= now))
      throw new TokenRejected("unknown kid");
    return key.publicKey;
  }
}
