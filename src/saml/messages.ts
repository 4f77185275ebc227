// SAML messages as they arrive: decoded (HTTP-Redirect: inflated, bounded; HTTP-POST: base64),
// refused when they carry a DTD or are too large, and the guards a request passes before samlify
// verifies it: well-formed, and when posted, exactly one enveloped RSA-SHA256 (or stronger)
// signature covering the root, and no assertion inside (the wrapping of samlify #634).
import { inflateRawSync } from "node:zlib";
import { DOMParser } from "@xmldom/xmldom";
import { acceptableXml, MAX_SAML_BYTES } from "./library.js";

const DSIG = "http://www.w3.org/2000/09/xmldsig#";
export const STRONG_SIG_ALGS = new Set([
  "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
  "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
]);

/** A refused SAML message: `reason` is safe to show; the person sees the app's error page. */
export class SamlError extends Error {
  override name = "SamlError";
}

export type Binding = "redirect" | "post";
/** What samlify reads from a request: the redirect binding's query and signed octets, or a form. */
export type SamlInput =
  | { binding: "redirect"; query: Record<string, string>; octetString: string }
  | { binding: "post"; body: Record<string, string> };

/** `{query, octetString}` from a raw request URL: the signature covers the encoding as sent. */
export function redirectInput(rawUrl: string): SamlInput {
  const search = rawUrl.includes("?") ? rawUrl.slice(rawUrl.indexOf("?") + 1) : "";
  const raw = new Map<string, string>();
  for (const pair of search.split("&")) {
    const at = pair.indexOf("=");
    if (at > 0 && !raw.has(pair.slice(0, at))) raw.set(pair.slice(0, at), pair.slice(at + 1));
  }
  const octetString = ["SAMLRequest", "SAMLResponse", "RelayState", "SigAlg"]
    .filter((key) => raw.has(key))
    .map((key) => `${key}=${raw.get(key)}`)
    .join("&");
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(search)) query[key] ??= value;
  return { binding: "redirect", query, octetString };
}

export function decoded(input: SamlInput, field: "SAMLRequest" | "SAMLResponse"): string {
  const value = input.binding === "redirect" ? input.query[field] : input.body[field];
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_SAML_BYTES * 2) {
    throw new SamlError(`no ${field}`);
  }
  const bytes = Buffer.from(value, "base64");
  try {
    const xml =
      input.binding === "redirect"
        ? inflateRawSync(bytes, { maxOutputLength: MAX_SAML_BYTES }).toString("utf8")
        : bytes.toString("utf8");
    if (!acceptableXml(xml)) throw new SamlError("the message has a DTD or is too large");
    return xml;
  } catch (error) {
    if (error instanceof SamlError) throw error;
    throw new SamlError(`${field} is not a SAML message`);
  }
}

/** The root element of a request, after the guards every request passes. */
export function root(xml: string, posted: boolean, signed: boolean): Element {
  const errors: string[] = [];
  const collect = (message: string) => errors.push(message);
  const document = new DOMParser({
    errorHandler: { warning: () => undefined, error: collect, fatalError: collect },
  }).parseFromString(xml, "text/xml");
  const element = document.documentElement;
  if (errors.length > 0 || !element) throw new SamlError("the message is not well-formed XML");
  if (posted) {
    const signatures = Array.from(document.getElementsByTagNameNS(DSIG, "Signature"));
    if (signatures.length === 0 && signed) throw new SamlError("the request must be signed");
    if (signatures.length > 0) {
      const [signature] = signatures;
      const references = signature
        ? Array.from(signature.getElementsByTagNameNS(DSIG, "Reference"))
        : [];
      const id = element.getAttribute("ID");
      if (
        signatures.length !== 1 ||
        signature?.parentNode !== element ||
        !id ||
        references.length !== 1 ||
        references[0]?.getAttribute("URI") !== `#${id}`
      ) {
        throw new SamlError("the request's signature does not cover the request");
      }
      const method = signature.getElementsByTagNameNS(DSIG, "SignatureMethod")[0];
      const digest = signature.getElementsByTagNameNS(DSIG, "DigestMethod")[0];
      if (
        !STRONG_SIG_ALGS.has(method?.getAttribute("Algorithm") ?? "") ||
        /sha1$/i.test(digest?.getAttribute("Algorithm") ?? "sha1")
      ) {
        throw new SamlError("the request must be signed with RSA-SHA256 or stronger");
      }
    }
    if (
      document.getElementsByTagNameNS("urn:oasis:names:tc:SAML:2.0:assertion", "Assertion").length
    ) {
      throw new SamlError("a request carries no assertion");
    }
  }
  return element;
}

export function issuerOf(element: Element): string {
  const issuer = Array.from(element.childNodes).find(
    (node) => (node as Element).localName === "Issuer",
  ) as Element | undefined;
  const text = issuer?.textContent?.trim();
  if (!text) throw new SamlError("the request names no Issuer");
  return text;
}
