// The console's optional second factor: RFC 6238 TOTP (otpauth), enrolled with a QR code
// (qrcode) and confirmed by a first code, with ten recovery codes shown once. A code works once
// (the last time step used is kept); a recovery code works once (its hash is removed).
import { randomBytes } from "node:crypto";
import { Secret, TOTP } from "otpauth";
import QRCode from "qrcode";
import type { Clock } from "../../clock.js";
import type { Sealer } from "../../crypto/seal.js";
import { hashSecret } from "../../crypto/secrets.js";
import type { Storage } from "../../db/database.js";
import { HandoffError } from "../../http/errors.js";
import type { ConsoleTotpStore } from "./store.js";

const PERIOD = 30;
/** One step either side: a phone's clock a little off still works. */
const WINDOW = 1;
const RECOVERY_CODES = 10;

export interface Enrolment {
  /** The otpauth:// URI the QR code holds. */
  uri: string;
  /** The base32 secret, for typing in by hand. */
  secret: string;
  /** The QR code as an SVG document. */
  qrSvg: string;
}

const sealContext = (personId: string) => `console_totp:${personId}`;

/** A recovery code: 10 characters of a readable alphabet, grouped for reading out. */
function recoveryCode(): string {
  const alphabet = "23456789abcdefghjkmnpqrstuvwxyz";
  const chars = [...randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join("");
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

const normalCode = (code: string) => code.trim().toLowerCase().replace(/\s+/g, "");

export class ConsoleTotp {
  constructor(
    private readonly storage: Storage,
    private readonly store: ConsoleTotpStore,
    private readonly clock: Clock,
    private readonly sealer: Sealer,
    /** What authenticator apps show as the account's issuer (the service's host). */
    private readonly issuer: string,
  ) {}

  async enabled(personId: string): Promise<boolean> {
    const row = await this.store.find(personId);
    return row !== undefined && row.enabled_at !== null;
  }

  /** Starts an enrolment: a new secret, shown once as a QR code and as text. */
  async begin(personId: string, label: string): Promise<Enrolment> {
    const secret = new Secret({ size: 20 });
    const totp = new TOTP({ issuer: this.issuer, label, secret, period: PERIOD });
    const sealed = this.sealer.seal(secret.base32, sealContext(personId));
    const now = this.clock.now();
    const started = await this.storage.write((trx) => this.store.begin(trx, personId, sealed, now));
    if (!started) {
      throw new HandoffError("invalid_request", "a second factor is already on; turn it off first");
    }
    const uri = totp.toString();
    const qrSvg = await QRCode.toString(uri, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
    return { uri, secret: secret.base32, qrSvg };
  }

  /** Confirms an enrolment with its first code; answers the recovery codes (shown once). */
  async confirm(personId: string, code: string): Promise<string[]> {
    const row = await this.store.find(personId);
    if (!row || row.enabled_at !== null) {
      throw new HandoffError("invalid_request", "start the enrolment first");
    }
    const step = this.#step(row.secret_sealed, personId, code);
    if (step === null) throw new HandoffError("invalid_credentials", "that code is not right");
    const codes = Array.from({ length: RECOVERY_CODES }, recoveryCode);
    const now = this.clock.now();
    const enabled = await this.storage.write((trx) =>
      this.store.enable(trx, personId, step, codes.map(hashSecret), now),
    );
    if (!enabled) throw new HandoffError("invalid_request", "start the enrolment first");
    return codes;
  }

  /**
   * Checks a code at sign-in: a TOTP code not used before, or an unused recovery code (which is
   * then spent). True for exactly one of two concurrent uses of the same code.
   */
  async verify(personId: string, code: string): Promise<boolean> {
    const row = await this.store.find(personId);
    if (!row || row.enabled_at === null) return false;
    const step = this.#step(row.secret_sealed, personId, code);
    if (step !== null) {
      return this.storage.write((trx) => this.store.useStep(trx, personId, step));
    }
    const hashes = JSON.parse(row.recovery_hashes) as string[];
    const presented = hashSecret(normalCode(code));
    if (!hashes.includes(presented)) return false;
    const rest = JSON.stringify(hashes.filter((h) => h !== presented));
    return this.storage.write((trx) =>
      this.store.replaceRecovery(trx, personId, row.recovery_hashes, rest),
    );
  }

  /** Turns the second factor off; needs a current code, so a stolen session alone cannot. */
  async disable(personId: string, code: string): Promise<void> {
    if (!(await this.verify(personId, code))) {
      throw new HandoffError("invalid_credentials", "that code is not right");
    }
    await this.storage.write((trx) => this.store.remove(trx, personId));
  }

  /** The time step a TOTP code belongs to, or null when it fits none in the window. */
  #step(sealed: string, personId: string, code: string): number | null {
    const token = code.replace(/\s+/g, "");
    if (!/^[0-9]{6}$/.test(token)) return null;
    const secret = Secret.fromBase32(this.sealer.open(sealed, sealContext(personId)));
    const now = this.clock.now();
    const delta = TOTP.validate({ token, secret, period: PERIOD, window: WINDOW, timestamp: now });
    if (delta === null) return null;
    return Math.floor(now / 1000 / PERIOD) + delta;
  }
}

/** A TOTP code for a secret at a time: for tests and for the demo's instructions. */
export function totpCode(secretBase32: string, at: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secretBase32), period: PERIOD, timestamp: at });
}
