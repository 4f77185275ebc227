// An SP's metadata read into its SAML settings (src/saml/settings.ts): which certificate signs and
// which encrypts (a KeyDescriptor's `use`, none meaning both), and its logout URL (HTTP-Redirect,
// else HTTP-POST).
import { beforeAll, describe, expect, it } from "vitest";
import { samlSettingsFromMetadata } from "../../src/saml/settings.js";
import { type SpKeys, spKeys } from "../helpers/saml.js";

const REDIRECT = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const POST = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";

let one: SpKeys;
let two: SpKeys;
beforeAll(async () => {
  [one, two] = await Promise.all([spKeys(), spKeys()]);
});

const body = (pem: string) => pem.replace(/-----[A-Z ]+-----|\s+/g, "");

const keyDescriptor = (use: string | null, keys: SpKeys) =>
  `<md:KeyDescriptor${use ? ` use="${use}"` : ""}><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${body(keys.certificate)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`;

const logoutService = (binding: string, location: string) =>
  `<md:SingleLogoutService Binding="${binding}" Location="${location}"/>`;

/** SP metadata with these KeyDescriptors and SingleLogoutServices, and one HTTP-POST ACS. */
const metadata = (keys: string[], logout: string[] = []) =>
  '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sp.example.com/saml">' +
  '<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">' +
  keys.join("") +
  logout.join("") +
  `<md:AssertionConsumerService Binding="${POST}" Location="https://sp.example.com/saml/acs" index="0"/>` +
  "</md:SPSSODescriptor></md:EntityDescriptor>";

describe("SP metadata", () => {
  it('reads a use="encryption" key as the encryption certificate, and a use="signing" one as the signing one', () => {
    const settings = samlSettingsFromMetadata(
      metadata([keyDescriptor("signing", one), keyDescriptor("encryption", two)]),
    );
    expect(body(settings.certificate ?? "")).toBe(body(one.certificate));
    expect(body(settings.encryptionCertificate ?? "")).toBe(body(two.certificate));
  });

  it("reads a key without `use` as both (SAML metadata 2.4.1.1)", () => {
    const settings = samlSettingsFromMetadata(metadata([keyDescriptor(null, one)]));
    expect(body(settings.certificate ?? "")).toBe(body(one.certificate));
    expect(body(settings.encryptionCertificate ?? "")).toBe(body(one.certificate));
  });

  it("encrypts to no signing-only key, and checks no signature with an encryption-only key", () => {
    const signingOnly = samlSettingsFromMetadata(metadata([keyDescriptor("signing", one)]));
    expect(body(signingOnly.certificate ?? "")).toBe(body(one.certificate));
    expect(signingOnly.encryptionCertificate).toBeNull();
    const encryptionOnly = samlSettingsFromMetadata(metadata([keyDescriptor("encryption", two)]));
    expect(encryptionOnly.certificate).toBeNull();
    expect(body(encryptionOnly.encryptionCertificate ?? "")).toBe(body(two.certificate));
  });

  it("takes the first of two signing keys (an SP rolling its key over)", () => {
    const settings = samlSettingsFromMetadata(
      metadata([keyDescriptor("signing", one), keyDescriptor("signing", two)]),
    );
    expect(body(settings.certificate ?? "")).toBe(body(one.certificate));
    expect(settings.encryptionCertificate).toBeNull();
  });

  it("reads an HTTP-POST SingleLogoutService when there is no HTTP-Redirect one", () => {
    const postOnly = samlSettingsFromMetadata(
      metadata([], [logoutService(POST, "https://sp.example.com/saml/slo-post")]),
    );
    expect(postOnly.sloUrl).toBe("https://sp.example.com/saml/slo-post");
    expect(postOnly.sloBinding).toBe("post");
    const both = samlSettingsFromMetadata(
      metadata(
        [],
        [
          logoutService(POST, "https://sp.example.com/saml/slo-post"),
          logoutService(REDIRECT, "https://sp.example.com/saml/slo"),
        ],
      ),
    );
    expect(both.sloUrl).toBe("https://sp.example.com/saml/slo");
    expect(both.sloBinding).toBe("redirect");
    expect(samlSettingsFromMetadata(metadata([])).sloUrl).toBeNull();
  });
});
