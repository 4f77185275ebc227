// Encrypted assertions (issue 28), with @node-saml/node-saml as the SP on every dialect: an SP
// registered with an encryption certificate gets a Response whose assertion is signed, then
// encrypted for it (AES-256-GCM, the key wrapped with RSA-OAEP), inside a signed Response; only
// its private key reads who signed in. An SP without one still gets a plain signed assertion.
// The certificate comes from a field or from the SP's metadata; one that is not RSA is refused.
// A second SP, Debian's python3-onelogin-saml2 on xmlsec1 (C), decrypts it too, when installed.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { ValidateInResponseTo } from "@node-saml/node-saml";
import { decryptXml, getVerifiedXml, parseDomFromString } from "@node-saml/node-saml/lib/xml.js";
import { generate } from "selfsigned";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { dialects, domainsOf, type TestApp } from "../helpers/app.js";
import { type ConsoleUser, PASSWORD, signInConsole } from "../helpers/console.js";
import {
  BASE,
  idpCertificates,
  nodeSaml,
  postedForm,
  type SamlSetup,
  SP,
  type SpKeys,
  samlSetup,
  spKeys,
} from "../helpers/saml.js";
import type { SsoFixture } from "../helpers/sso.js";

const AES256_GCM = "http://www.w3.org/2009/xmlenc11#aes256-gcm";
const RSA_OAEP = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";

/** The SP's signing keys, and the other pair it decrypts assertions with. */
let signing: SpKeys;
let encryption: SpKeys;
beforeAll(async () => {
  [signing, encryption] = await Promise.all([spKeys(), spKeys()]);
});

/** Debian's python3 with python3-onelogin-saml2, not a virtualenv's. */
const PYTHON = "/usr/bin/python3";
const hasOnelogin =
  existsSync(PYTHON) &&
  spawnSync(PYTHON, ["-c", "import onelogin.saml2.response, xmlsec"]).status === 0;

/** python3-onelogin-saml2 as the SP (test/saml/onelogin-sp.py): who it says signed in, or why not. */
function oneloginSp(given: Record<string, string>): {
  name_id?: string;
  attributes?: Record<string, string[]>;
  error?: string;
} {
  const script = new URL("./onelogin-sp.py", import.meta.url);
  const ran = spawnSync(PYTHON, [script.pathname], { input: JSON.stringify(given) });
  if (ran.status !== 0) throw new Error(`onelogin-sp.py: ${ran.stderr.toString()}`);
  return JSON.parse(ran.stdout.toString());
}

const decode = (fields: Record<string, string>) =>
  Buffer.from(fields.SAMLResponse as string, "base64").toString("utf8");

describe.each(dialects)("SAML encrypted assertions on %s", (dialect) => {
  let t: TestApp;
  let f: SsoFixture;
  let appId: string;
  let signIn: SamlSetup["signIn"];
  let operator: ConsoleUser;

  beforeEach(async () => {
    ({ t, f, appId, signIn } = await samlSetup(dialect, signing));
    await domainsOf(t.app).operators.create("ops@platform.example", PASSWORD);
    operator = await signInConsole(t.app, "ops@platform.example");
  });
  afterEach(async () => {
    await t.app.close();
  });

  /** The operator sets the SP's SAML settings through the management API. */
  const setSaml = (encryptionCertificate: string | null) =>
    operator.call({
      method: "PATCH",
      url: `/v1/manage/apps/${appId}`,
      payload: {
        saml: {
          entity_id: SP.entityId,
          acs_urls: [SP.acs],
          certificate: signing.certificate,
          encryption_certificate: encryptionCertificate,
          slo_url: SP.slo,
        },
      },
    });

  /** node-saml as the SP (IdP-initiated: no InResponseTo), decrypting with `decryptionPvk`. */
  const sp = async (decryptionPvk?: string) =>
    nodeSaml(BASE, await idpCertificates(t.app), signing, {
      validateInResponseTo: ValidateInResponseTo.never,
      ...(decryptionPvk ? { decryptionPvk } : {}),
    });

  it("posts an EncryptedAssertion only the SP's key reads, signed inside and out", async () => {
    const set = await setSaml(encryption.certificate);
    expect(set.statusCode).toBe(200);
    expect(set.json().saml.encryption_certificate).toContain("BEGIN CERTIFICATE");

    const { page } = await signIn();
    const form = postedForm(page);
    expect(form.action).toBe(SP.acs);
    const xml = decode(form.fields);
    // The browser (and anything between it and the SP) sees no assertion, no NameID, no email.
    expect(xml).toContain("EncryptedAssertion");
    expect(xml).not.toMatch(/<(\w+:)?Assertion[\s>]/);
    expect(xml).not.toContain("ada@example.com");
    expect(xml).not.toContain("NameID");
    expect(xml).not.toContain(f.partnerId);
    expect(xml).toContain(`Algorithm="${AES256_GCM}"`);
    expect(xml).toContain(`Algorithm="${RSA_OAEP}"`);

    // node-saml checks the Response's signature (over the EncryptedAssertion), decrypts, and
    // checks the assertion's own signature (wantAuthnResponseSigned and wantAssertionsSigned).
    const { profile } = await (await sp(encryption.privateKey)).validatePostResponseAsync(
      form.fields,
    );
    expect(profile?.nameID).toMatch(/^usr_/);
    expect(profile?.email).toBe("ada@example.com");
    expect(profile?.name).toBe("Ada");
    expect(profile?.partner).toBe(f.partnerId);
    expect(xml).not.toContain(profile?.nameID as string);

    // Decrypted by hand: one Assertion, its enveloped signature verifying with the IdP's key.
    const encrypted = /<(\w+:)?EncryptedAssertion[\s\S]*<\/(\w+:)?EncryptedAssertion>/.exec(xml);
    const assertion = await decryptXml(encrypted?.[0] as string, encryption.privateKey);
    expect(assertion).toMatch(/^<(\w+:)?Assertion[\s>]/);
    expect(assertion).toContain(profile?.nameID as string);
    const root = (await parseDomFromString(assertion)).documentElement;
    expect(getVerifiedXml(assertion, root, await idpCertificates(t.app))).not.toBeNull();
    // ... and not with another key.
    expect(getVerifiedXml(assertion, root, [encryption.certificate])).toBeNull();
  });

  it.skipIf(!hasOnelogin)(
    "is decrypted and verified by python3-onelogin-saml2 (xmlsec1) too",
    async () => {
      await setSaml(encryption.certificate);
      const { page } = await signIn();
      const [idpCertificate] = await idpCertificates(t.app);
      const given = {
        sp_entity_id: SP.entityId,
        acs_url: SP.acs,
        sp_certificate: encryption.certificate,
        sp_private_key: encryption.privateKey,
        idp_entity_id: `${BASE}/saml/metadata`,
        idp_sso_url: `${BASE}/saml/sso`,
        idp_certificate: idpCertificate as string,
        saml_response: postedForm(page).fields.SAMLResponse as string,
      };
      const read = oneloginSp(given);
      expect(read.error).toBeUndefined();
      expect(read.name_id).toMatch(/^usr_/);
      expect(read.attributes?.email).toEqual(["ada@example.com"]);
      expect(read.attributes?.partner).toEqual([f.partnerId]);
      // With another private key it reads nothing.
      const other = oneloginSp({ ...given, sp_private_key: signing.privateKey });
      expect(other.error).toBeDefined();
      expect(other.name_id).toBeUndefined();
    },
  );

  it("leaves the assertion unread without the SP's key, or with another", async () => {
    await setSaml(encryption.certificate);
    const { page } = await signIn();
    const { fields } = postedForm(page);
    await expect((await sp()).validatePostResponseAsync(fields)).rejects.toThrow(/decryption key/);
    await expect(
      (await sp(signing.privateKey)).validatePostResponseAsync(fields),
    ).rejects.toThrow();
  });

  it("still posts a plain, signed assertion to an SP without an encryption certificate", async () => {
    const set = await setSaml(null);
    expect(set.json().saml.encryption_certificate).toBeNull();
    const { page } = await signIn();
    const { fields } = postedForm(page);
    const xml = decode(fields);
    expect(xml).toMatch(/<saml:Assertion[\s>]/);
    expect(xml).not.toContain("EncryptedAssertion");
    const { profile } = await (await sp()).validatePostResponseAsync(fields);
    expect(profile?.email).toBe("ada@example.com");
  });

  it("reads the encryption certificate from the SP's metadata", async () => {
    // node-saml publishes its decryption certificate as a KeyDescriptor use="encryption".
    const metadata = nodeSaml(BASE, [], signing, {
      issuer: "https://wiki.example.com/saml",
      callbackUrl: "https://wiki.example.com/saml/acs",
      decryptionPvk: encryption.privateKey,
    }).generateServiceProviderMetadata(encryption.certificate, signing.certificate);
    expect(metadata).toContain('use="encryption"');
    const created = await operator.call({
      method: "POST",
      url: "/v1/manage/apps",
      payload: { name: "Wiki", url: "https://wiki.example.com", saml_metadata: metadata },
    });
    expect(created.statusCode).toBe(201);
    const body = (pem: string) => pem.replace(/-----[A-Z ]+-----|\s+/g, "");
    const saml = created.json().saml;
    expect(body(saml.certificate)).toBe(body(signing.certificate));
    expect(body(saml.encryption_certificate)).toBe(body(encryption.certificate));
  });

  it("refuses an encryption certificate that is not RSA of 2048 bits or more (400)", async () => {
    const ec = await generate([{ name: "commonName", value: "ec-sp" }], {
      keyType: "ec",
      algorithm: "sha256",
    });
    const short = await generate([{ name: "commonName", value: "short-sp" }], {
      keyType: "rsa",
      keySize: 1024,
      algorithm: "sha256",
    });
    const cases: [string, RegExp][] = [
      [ec.cert, /encryption_certificate must hold an RSA key/],
      [short.cert, /encryption_certificate must hold an RSA key of 2048 bits/],
      ["not a certificate", /encryption_certificate is not a PEM certificate/],
      [
        "-----BEGIN CERTIFICATE-----\nQUJDRA==\n-----END CERTIFICATE-----",
        /encryption_certificate is not a PEM certificate/,
      ],
    ];
    for (const [certificate, message] of cases) {
      const refused = await setSaml(certificate);
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toMatch(message);
    }
    // The app is as it was: its assertions still go unencrypted.
    const app = await domainsOf(t.app).apps.get(appId);
    expect(app.saml?.encryptionCertificate ?? null).toBeNull();
  });
});
