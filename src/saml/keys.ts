// The identity provider's SAML signing keys: RSA 2048 (samlify and xml-crypto sign with RSA only)
// with self-signed certificates, sealed at rest. They are not the JWT keys: SAML service
// providers load IdP metadata rarely (mod_auth_mellon reads a file at start), so a SAML key lives
// until an operator rotates it. A rotation publishes the new certificate in the metadata at once
// and signs with it only after `publishDays`, so SPs have that long to fetch the metadata again;
// the old key is retired (unpublished) on the rotation after.
import { X509Certificate } from "node:crypto";
import { generate } from "selfsigned";
import type { Clock } from "../clock.js";
import type { Sealer } from "../crypto/seal.js";
import { newId } from "../crypto/secrets.js";
import type { Storage } from "../db/database.js";
import type { SamlStore } from "./store.js";

const TEN_YEARS_MS = 3650 * 86_400_000;
/** The first key's id, the same on every node (see `#first`). */
const FIRST_KID = "sak_first";

export interface SamlKey {
  kid: string;
  privateKey: string;
  certificate: string;
  signsFrom: number;
}

const sealContext = (kid: string) => `saml-key:${kid}`;

export class SamlKeys {
  #keys: SamlKey[] | null = null;
  #loadedAt = 0;
  #loading: Promise<SamlKey[]> | null = null;

  constructor(
    private readonly storage: Storage,
    private readonly store: SamlStore,
    private readonly sealer: Sealer,
    private readonly clock: Clock,
    private readonly commonName: string,
  ) {}

  /** The keys (loaded once a minute: another process may have rotated), making the first. */
  async keys(): Promise<SamlKey[]> {
    const now = this.clock.now();
    if (this.#keys && now - this.#loadedAt <= 60_000) return this.#keys;
    // Concurrent callers share one load, so a fresh install makes one first key, not one each.
    this.#loading ??= this.#load(now).finally(() => {
      this.#loading = null;
    });
    return this.#loading;
  }

  async #load(now: number): Promise<SamlKey[]> {
    let rows = await this.store.keys();
    if (rows.length === 0) {
      await this.#first(now);
      rows = await this.store.keys();
    }
    this.#keys = rows.map((row) => ({
      kid: row.kid,
      privateKey: this.sealer.open(row.private_pem_sealed, sealContext(row.kid)),
      certificate: row.certificate,
      signsFrom: Number(row.signs_from),
    }));
    this.#loadedAt = now;
    return this.#keys;
  }

  /**
   * The first key of an empty database, under one fixed id: nodes that start together each try
   * to insert it and one row results (an SP that read the metadata from any of them trusts it).
   */
  async #first(now: number): Promise<void> {
    const made = await this.#generate(now);
    await this.storage.write((trx) =>
      this.store.addKey(
        trx,
        {
          kid: FIRST_KID,
          private_pem_sealed: this.sealer.seal(made.private, sealContext(FIRST_KID)),
          certificate: made.cert,
          created_at: now,
          signs_from: now,
          retired_at: null,
        },
        { unlessPresent: true },
      ),
    );
  }

  #generate(now: number) {
    return generate([{ name: "commonName", value: this.commonName }], {
      keyType: "rsa",
      keySize: 2048,
      algorithm: "sha256",
      notBeforeDate: new Date(now - 60_000),
      notAfterDate: new Date(now + TEN_YEARS_MS),
    });
  }

  /** The key that signs now: the newest whose time has come. */
  async signer(): Promise<SamlKey> {
    const now = this.clock.now();
    const due = (await this.keys()).filter((key) => key.signsFrom <= now);
    const key = due.at(-1) ?? (await this.keys())[0];
    if (!key) throw new Error("no SAML key");
    return key;
  }

  /** The published keys: id, when each signs from, and its certificate's SHA-256 fingerprint. */
  async list(): Promise<{ kid: string; signs_from: string; fingerprint: string }[]> {
    this.#keys = null;
    return (await this.keys()).map((key) => ({
      kid: key.kid,
      signs_from: new Date(key.signsFrom).toISOString(),
      fingerprint: new X509Certificate(key.certificate).fingerprint256,
    }));
  }

  /** Certificates the metadata publishes: every key not retired (the signer and the next). */
  async certificates(): Promise<string[]> {
    return (await this.keys()).map((key) => key.certificate);
  }

  /**
   * Adds a key that signs `publishDays` from now; keys older than the current signer are
   * retired. Answers the new key's id.
   */
  async rotate(publishDays: number): Promise<string> {
    const now = this.clock.now();
    const made = await this.#generate(now);
    const kid = newId("sak");
    const current = (await this.store.keys()).filter((row) => Number(row.signs_from) <= now).at(-1);
    await this.storage.write(async (trx) => {
      if (current) await this.store.retireOthers(trx, current.kid, now);
      await this.store.addKey(trx, {
        kid,
        private_pem_sealed: this.sealer.seal(made.private, sealContext(kid)),
        certificate: made.cert,
        created_at: now,
        signs_from: now + publishDays * 86_400_000,
        retired_at: null,
      });
    });
    this.#keys = null;
    return kid;
  }
}
