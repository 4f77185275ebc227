// An app as a SAML service provider (a column of apps): its entity ID, where assertions go (ACS
// URLs, HTTP-POST), which NameID it gets, the certificate its requests must be signed with
// (optional), the certificate its assertions are encrypted to (optional), and its single-logout
// URLs (front channel, and SOAP for the back channel). Read from SP metadata in src/saml/settings.ts.
import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import { reachable } from "../delivery/outbound.js";
import type { Cidr } from "../http/cidr.js";
import { HandoffError } from "../http/errors.js";
import { httpUrl } from "./validation.js";

export type NameIdFormat = "persistent" | "email";

export interface SamlSettings {
  entityId: string;
  /** Where Responses may be posted; the first is used when a request names none. */
  acsUrls: string[];
  nameIdFormat: NameIdFormat;
  /** PEM; when set, AuthnRequests and LogoutRequests must be signed with its key (RSA-SHA256). */
  certificate: string | null;
  /**
   * PEM; when set, Responses carry an EncryptedAssertion for its key (RSA, 2048 bits or more).
   * Absent in apps stored before it existed: read as none.
   */
  encryptionCertificate?: string | null;
  /** The SP's SingleLogoutService, where LogoutResponses go (in the binding of the request). */
  sloUrl: string | null;
  /**
   * How Handoff's own LogoutRequests reach `sloUrl` (front-channel logout): HTTP-Redirect, or
   * HTTP-POST for an SP whose metadata offers only that. Absent in apps stored before it existed:
   * read as redirect.
   */
  sloBinding?: "redirect" | "post";
  /**
   * The SP's SOAP SingleLogoutService (SAML Bindings §3.2). When set, Handoff tells the SP of
   * every end of a session it signed in to, server to server, and never through the browser.
   * Absent in apps stored before it existed: none.
   */
  sloSoapUrl?: string | null;
}

export const NAMEID_URN: Record<NameIdFormat, string> = {
  persistent: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
  email: "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
};

const bad = (message: string) => new HandoffError("invalid_request", `saml: ${message}`);

/** Encrypting to a key weaker than this would protect nothing (NIST SP 800-57: 112 bits). */
const MIN_ENCRYPTION_BITS = 2048;

/**
 * A PEM certificate with an RSA key (SAML's signature and encryption libraries use nothing else),
 * parsed; its `toString()` is the PEM as stored. `field` names it in the error.
 */
export function rsaCertificate(text: string, field = "certificate"): X509Certificate {
  const body = text.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw bad(`${field} is not a PEM certificate`);
  const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)?.join("\n")}\n-----END CERTIFICATE-----\n`;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    throw bad(`${field} is not a PEM certificate`);
  }
  if (cert.publicKey.asymmetricKeyType !== "rsa") throw bad(`${field} must hold an RSA key`);
  return cert;
}

/** The certificate assertions are encrypted to: RSA, and at least 2048 bits. */
function encryptionCertificate(text: string): string {
  const cert = rsaCertificate(text, "encryption_certificate");
  const bits = cert.publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_ENCRYPTION_BITS) {
    throw bad(`encryption_certificate must hold an RSA key of ${MIN_ENCRYPTION_BITS} bits or more`);
  }
  return cert.toString();
}

/**
 * The SOAP logout URL, which Handoff's servers call: an http(s) URL, and when its host is an
 * address, a public one or one the operator allowed (`outboundAllowed`). A host name is taken as
 * the SP's metadata gives it (`localhost` for an SP in development): the outbound guard checks the
 * address it resolves to at every call (src/delivery/outbound.ts).
 */
function soapUrl(value: string, outboundAllowed: Cidr[]): string {
  const url = httpUrl(value, "saml slo_soap_url");
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  if (isIP(host) !== 0 && !reachable(host, outboundAllowed)) {
    throw bad("slo_soap_url points at a private, loopback, link-local or reserved address");
  }
  return url;
}

/** Checks and normalises settings; answers them as stored (JSON). */
export function checkSamlSettings(input: SamlSettings, outboundAllowed: Cidr[] = []): string {
  const entityId = input.entityId.trim();
  if (!entityId || entityId.length > 1024) throw bad("entity_id must be 1 to 1024 characters");
  if (input.acsUrls.length === 0 || input.acsUrls.length > 10) {
    throw bad("an SP needs 1 to 10 acs_urls");
  }
  const settings: SamlSettings = {
    entityId,
    acsUrls: [...new Set(input.acsUrls.map((url) => httpUrl(url, "saml acs_url")))],
    nameIdFormat: input.nameIdFormat,
    certificate: input.certificate ? rsaCertificate(input.certificate).toString() : null,
    encryptionCertificate: input.encryptionCertificate
      ? encryptionCertificate(input.encryptionCertificate)
      : null,
    sloUrl: input.sloUrl ? httpUrl(input.sloUrl, "saml slo_url") : null,
    sloBinding: input.sloBinding ?? "redirect",
    sloSoapUrl: input.sloSoapUrl ? soapUrl(input.sloSoapUrl, outboundAllowed) : null,
  };
  if (!(settings.nameIdFormat in NAMEID_URN)) throw bad("name_id_format is persistent or email");
  if (settings.sloBinding !== "redirect" && settings.sloBinding !== "post") {
    throw bad("slo_binding is redirect or post");
  }
  return JSON.stringify(settings);
}
