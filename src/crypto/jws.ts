// Compact JWS: signing with Ed25519 through node:crypto, verification through jose. Algorithms,
// issuer, audience and `typ` are always ours, never read from the token.
import { type KeyObject, sign as signBytes } from "node:crypto";
import { type CryptoKey, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from "jose";

export const SIGNING_ALG = "EdDSA";
/** Longest lifetime of anything we sign; a replaced key keeps verifying this long (plus leeway). */
export const MAX_SIGNED_LIFETIME_SECONDS = 24 * 3600;
export const CLOCK_TOLERANCE_SECONDS = 5;
/** Anything larger is refused before parsing: our tokens are well under 1 KB. */
export const MAX_TOKEN_LENGTH = 4096;

/** Thrown for every token we refuse; the cause stays server-side. */
export class TokenRejected extends Error {
  override name = "TokenRejected";
}

function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

/** The encoded protected header of what `kid` signs with `typ` (callers keep it per key). */
export function jwsHeader(kid: string, typ: string): string {
  return base64urlJson({ alg: SIGNING_ALG, kid, typ });
}

/**
 * Signs `payload` under an encoded header with an Ed25519 key. By hand around node:crypto:
 * jose's WebCrypto path costs ~4x more per signature, and this is the exchange's hot path. The
 * signature is computed on libuv's thread pool, so the event loop keeps serving meanwhile.
 */
export async function signJws(
  header: string,
  payload: JWTPayload,
  privateKey: KeyObject,
): Promise<string> {
  const signingInput = `${header}.${base64urlJson(payload)}`;
  const signature = await new Promise<Buffer>((resolve, reject) =>
    signBytes(null, Buffer.from(signingInput, "ascii"), privateKey, (error, bytes) =>
      error ? reject(error) : resolve(bytes),
    ),
  );
  return `${signingInput}.${signature.toString("base64url")}`;
}

export interface VerifyOptions {
  typ: string;
  audience: string;
  issuer: string;
  now: number;
}

/**
 * Verifies a compact JWS: EdDSA only, our issuer, audience and `typ`, `exp`/`iat`/`jti`/`sub`
 * present, `iat` not in the future; `jwk`/`jku`/`x5u`/`x5c` headers never find a key.
 */
export async function verifyJws(
  token: string,
  key: (kid: unknown) => Promise<CryptoKey>,
  options: VerifyOptions,
): Promise<{ payload: JWTPayload; kid: string }> {
  if (token.length > MAX_TOKEN_LENGTH) throw new TokenRejected("token too large");
  if (token.split(".").length !== 3) throw new TokenRejected("not a compact JWS");
  const getKey: JWTVerifyGetKey = (header) => key(header.kid);
  try {
    const { payload, protectedHeader } = await jwtVerify(token, getKey, {
      algorithms: [SIGNING_ALG],
      issuer: options.issuer,
      audience: options.audience,
      typ: options.typ,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      // Also makes jose refuse an `iat` in the future.
      maxTokenAge: MAX_SIGNED_LIFETIME_SECONDS,
      currentDate: new Date(options.now),
      requiredClaims: ["exp", "iat", "jti", "sub"],
    });
    return { payload, kid: protectedHeader.kid as string };
  } catch (error) {
    if (error instanceof TokenRejected) throw error;
    throw new TokenRejected("token verification failed", { cause: error });
  }
}
