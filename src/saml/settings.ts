// An SP's metadata XML read into an app's SAML settings (src/apps/saml-settings.ts).
import { NAMEID_URN, type SamlSettings } from "../apps/saml-settings.js";
import { HandoffError } from "../http/errors.js";
import { samlify } from "./library.js";

const bad = (message: string) => new HandoffError("invalid_request", `saml: ${message}`);

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Settings from an SP's metadata XML (its entity ID, POST ACS URLs, signing certificate, SLO). */
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
  const slo = asList(meta.singleLogoutService).find((s) => s.binding.endsWith("HTTP-Redirect"));
  const certificate = sp.entityMeta.getX509Certificate("signing");
  const formats = asList(sp.entityMeta.getNameIDFormat() as string | string[] | undefined);
  return {
    entityId: sp.entityMeta.getEntityID(),
    acsUrls: post.map((acs) => acs.location),
    nameIdFormat:
      formats.includes(NAMEID_URN.email) && !formats.includes(NAMEID_URN.persistent)
        ? "email"
        : "persistent",
    certificate: typeof certificate === "string" && certificate ? certificate : null,
    sloUrl: slo?.location ?? null,
  };
}
