// Signing keys: JWKs in the database (private part sealed), JWKS, sign and verify. Ed25519
// (EdDSA) signs access tokens; RSA (RS256, which every OpenID Connect client supports) is added
// the first time the OIDC provider needs it and signs ID tokens with EdDSA as the alternative.
import { createPrivateKey, type KeyObject, sign as signBytes } from "node:crypto";
import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
} from "jose";
import type { Kysely } from "kysely";
import type { Clock } from "../clock.js";
import type { Tables } from "../db/schema.js";
import type { Sealer } from "./seal.js";

export const SIGNING_ALG = "EdDSA";
/** The algorithms a key can have: EdDSA (access tokens, ID tokens) and RS256 (ID tokens). */
export type KeyAlg = "EdDSA" | "RS256";
/** Longest lifetime of anything we sign; a replaced key keeps verifying this long (plus leeway). */
export const MAX_SIGNED_LIFETIME_SECONDS = 24 * 3600;
export const CLOCK_TOLERANCE_SECONDS = 5;
/** Anything larger is refused before parsing: our tokens are well under 1 KB. */
export const MAX_TOKEN_LENGTH = 4096;
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

function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

export interface SignOptions {
  typ: string;
  audience: string;
  subject: string;
  jti: string;
  ttlSeconds: number;
}

export interface VerifyOptions {
  typ: string;
  audience: string;
}

/** Thrown for every token we refuse; the cause stays server-side. */
export class TokenRejected extends Error {
  override name = "TokenRejected";
}

/**
 * Holds the signing keys in memory, imported once. The newest live key signs; every key that
 * is neither retired nor revoked verifies. Other processes' rotations are picked up when an
 * unknown `kid` arrives (at most every 10 s) and on `reload()`.
 */
export class KeyStore {
  #keys = new Map<string, LoadedKey>();
  #lastLoad = 0;
  /** Bumped whenever the set of keys changes, so a consumer (the OIDC provider) can rebuild. */
  generation = 0;

  constructor(
    private readonly db: Kysely<Tables>,
    private readonly sealer: Sealer,
    private readonly clock: Clock,
    readonly issuer: string,
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
    if (!this.#signer(alg)) await this.#rotateAlg(alg);
  }

  async reload(): Promise<void> {
    const now = this.clock.now();
    const rows = await this.db
      .selectFrom("signing_keys")
      .selectAll()
      .where("revoked_at", "is", null)
      .where((eb) => eb.or([eb("retire_at", "is", null), eb("retire_at", ">", now)]))
      .execute();
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
  async rotate(): Promise<string> {
    const kid = await this.#rotateAlg(SIGNING_ALG);
    if (this.#signer("RS256")) await this.#rotateAlg("RS256");
    return kid;
  }

  async #rotateAlg(alg: KeyAlg): Promise<string> {
    const now = this.clock.now();
    const { publicKey, privateKey } =
      alg === "EdDSA"
        ? await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true })
        : await generateKeyPair("RS256", { modulusLength: 2048, extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const privateJwk = await exportJWK(privateKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const retireAt = now + (MAX_SIGNED_LIFETIME_SECONDS + 5 * 60) * 1000;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable("signing_keys")
        .set({ retire_at: retireAt })
        .where("retire_at", "is", null)
        .where("revoked_at", "is", null)
        .where("alg", "=", alg)
        .execute();
      await trx
        .insertInto("signing_keys")
        .values({
          kid,
          alg,
          public_jwk: JSON.stringify({ ...publicJwk, kid, alg, use: "sig" }),
          private_jwk_sealed: this.sealer.seal(JSON.stringify(privateJwk), `signing_key:${kid}`),
          created_at: now,
          retire_at: null,
          revoked_at: null,
        })
        .execute();
    });
    await this.reload();
    return kid;
  }

  /** Emergency revocation: the key stops verifying at once in this process. */
  async revoke(kid: string): Promise<boolean> {
    const result = await this.db
      .updateTable("signing_keys")
      .set({ revoked_at: this.clock.now() })
      .where("kid", "=", kid)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    const algs = new Set([...this.#keys.values()].map((k) => k.alg));
    await this.reload();
    for (const alg of algs) await this.ensure(alg);
    if (!this.#signer(SIGNING_ALG)) await this.#rotateAlg(SIGNING_ALG);
    return Number(result.numUpdatedRows) > 0;
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
   * is (the very first key, or every older one revoked), the newest live one.
   */
  #signer(alg: KeyAlg): LoadedKey | undefined {
    const now = this.clock.now();
    let newest: LoadedKey | undefined;
    let settled: LoadedKey | undefined;
    for (const key of this.#keys.values()) {
      if (key.alg !== alg || (key.retireAt !== null && key.retireAt <= now)) continue;
      if (newer(key, newest)) newest = key;
      if (key.createdAt <= now - PUBLISH_LEAD_MS && newer(key, settled)) settled = key;
    }
    return settled ?? newest;
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
    // Compact JWS by hand around node:crypto's Ed25519: jose's WebCrypto path costs ~4x more per
    // signature, and this is the exchange's hot path. Verification stays with jose.
    let header = key.headers.get(options.typ);
    if (header === undefined) {
      header = base64urlJson({ alg: SIGNING_ALG, kid: key.kid, typ: options.typ });
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
    const signingInput = `${header}.${base64urlJson(payload)}`;
    // The signature is computed on libuv's thread pool: it is most of an exchange's CPU time,
    // and the event loop keeps serving requests meanwhile.
    const signature = await new Promise<Buffer>((resolve, reject) =>
      signBytes(null, Buffer.from(signingInput, "ascii"), key.privateKey, (error, bytes) =>
        error ? reject(error) : resolve(bytes),
      ),
    );
    const token = `${signingInput}.${signature.toString("base64url")}`;
    return { token, expiresAt: exp * 1000 };
  }

  /**
   * Verifies a compact JWS we signed. The algorithm, issuer, audience and `typ` are ours, never
   * read from the token; `jwk`/`jku`/`x5u`/`x5c` headers are never used to find a key.
   */
  async verify(
    token: string,
    options: VerifyOptions,
  ): Promise<{ payload: JWTPayload; kid: string }> {
    if (token.length > MAX_TOKEN_LENGTH) throw new TokenRejected("token too large");
    if (token.split(".").length !== 3) throw new TokenRejected("not a compact JWS");
    try {
      const { payload, protectedHeader } = await jwtVerify(
        token,
        (header) => this.#verificationKey(header.kid),
        {
          algorithms: [SIGNING_ALG],
          issuer: this.issuer,
          audience: options.audience,
          typ: options.typ,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          // Also makes jose refuse an `iat` in the future.
          maxTokenAge: MAX_SIGNED_LIFETIME_SECONDS,
          currentDate: new Date(this.clock.now()),
          requiredClaims: ["exp", "iat", "jti", "sub"],
        },
      );
      return { payload, kid: protectedHeader.kid as string };
    } catch (error) {
      if (error instanceof TokenRejected) throw error;
      throw new TokenRejected("token verification failed", { cause: error });
    }
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
