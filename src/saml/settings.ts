// An SP's metadata XML read into an app's SAML settings (src/apps/saml-settings.ts).
import { DOMParser } from "@xmldom/xmldom";
import { NAMEID_URN, type SamlSettings } from "../apps/saml-settings.js";
import { HandoffError } from "../http/errors.js";
import { samlify } from "./library.js";

const bad = (message: string) => new HandoffError("invalid_request", `saml: ${message}`);

const MD = "urn:oasis:names:tc:SAML:2.0:metadata";
const DSIG = "http://www.w3.org/2000/09/xmldsig#";
const SOAP_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:SOAP";

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/**
 * The SP's certificates by use, from the KeyDescriptors of its SPSSODescriptor: the first for
 * signing and the first for encryption. A KeyDescriptor without `use` serves both (SAML metadata
 * §2.4.1.1). Read here rather than through samlify, which takes a lone `use="signing"` key for
 * encryption too, and answers no certificate at all when there are two signing keys.
 */
function certificatesByUse(xml: string): { signing: string | null; encryption: string | null } {
  let wellFormed = true;
  const refuse = () => {
    wellFormed = false;
  };
  const document = new DOMParser({
    errorHandler: { warning: () => undefined, error: refuse, fatalError: refuse },
  }).parseFromString(xml, "text/xml");
  if (!wellFormed) throw bad("metadata is not well-formed XML");
  const descriptor = document.getElementsByTagNameNS(MD, "SPSSODescriptor")[0];
  const keys = descriptor
    ? Array.from(descriptor.childNodes).filter(
        (node): node is Element =>
          node.nodeType === node.ELEMENT_NODE &&
          (node as Element).namespaceURI === MD &&
          (node as Element).localName === "KeyDescriptor",
      )
    : [];
  const found = { signing: null as string | null, encryption: null as string | null };
  for (const key of keys) {
    const certificate = key.getElementsByTagNameNS(DSIG, "X509Certificate")[0]?.textContent?.trim();
    if (!certificate) continue;
    const use = key.getAttribute("use");
    if (use !== "encryption") found.signing ??= certificate;
    if (use !== "signing") found.encryption ??= certificate;
  }
  return found;
}

/**
 * Settings from an SP's metadata XML: its entity ID, POST ACS URLs, signing and encryption
 * certificates, its logout URL (the HTTP-Redirect SingleLogoutService, else the HTTP-POST one)
 * and its SOAP SingleLogoutService, through which it is told of every session's end.
 */
export function samlSettingsFromMetadata(xml: string): SamlSettings {
  if (xml.length > 256 * 1024 || /<!DOCTYPE|<!ENTITY/i.test(xml)) {
    throw bad("metadata must be SAML metadata XML under 256 KiB, without a DTD");
  }
  let sp: ReturnType<typeof samlify.ServiceProvider>;
  try {
    sp = samlify.ServiceProvider({ metadata: xml });
  } catch {
    throw bad("metadata is not SAML service provider metadata");
  }
  const meta = sp.entityMeta.meta as {
    assertionConsumerService?: { binding: string; location: string; isDefault?: string }[];
    singleLogoutService?: { binding: string; location: string }[];
  };
  const post = asList(meta.assertionConsumerService).filter((acs) =>
    acs.binding.endsWith("HTTP-POST"),
  );
  post.sort((a, b) => Number(b.isDefault === "true") - Number(a.isDefault === "true"));
  const logout = asList(meta.singleLogoutService);
  const slo =
    logout.find((s) => s.binding.endsWith("HTTP-Redirect")) ??
    logout.find((s) => s.binding.endsWith("HTTP-POST"));
  const soap = logout.find((s) => s.binding === SOAP_BINDING);
  const certificates = certificatesByUse(xml);
  const formats = asList(sp.entityMeta.getNameIDFormat() as string | string[] | undefined);
  return {
    entityId: sp.entityMeta.getEntityID(),
    acsUrls: post.map((acs) => acs.location),
    nameIdFormat:
      formats.includes(NAMEID_URN.email) && !formats.includes(NAMEID_URN.persistent)
        ? "email"
        : "persistent",
    certificate: certificates.signing,
    encryptionCertificate: certificates.encryption,
    sloUrl: slo?.location ?? null,
    sloBinding: slo?.binding.endsWith("HTTP-POST") ? "post" : "redirect",
    sloSoapUrl: soap?.location ?? null,
  };
}
