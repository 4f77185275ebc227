// Handoff as a SAML 2.0 identity provider, on samlify: metadata, AuthnRequests (HTTP-Redirect and
// HTTP-POST) from apps registered as service providers, signed Responses (SP- and IdP-initiated;
// the assertion encrypted for SPs with an encryption certificate), and single logout (HTTP-Redirect and HTTP-POST, answered in the binding the request came in). samlify parses and signs; the checks it leaves to its caller are here:
// - the request's Issuer names a registered SP, found before anything is verified;
// - a POSTed request carries at most one signature, enveloped in its root and referencing it
//   (samlify #634: a signed request wrapped in another was accepted);
// - with an SP certificate, requests must be signed, with RSA-SHA256 or stronger;
// - Destination is this IdP's endpoint, IssueInstant is within 5 minutes, and a request ID is
//   taken once (saml_requests);
// - the ACS URL (and binding) is one the SP registered; Responses go only there.
import { randomUUID } from "node:crypto";
import type { App, AppService } from "../apps/service.js";
import type { Clock } from "../clock.js";
import type { Storage } from "../db/database.js";
import type { SamlKeys } from "./keys.js";
import { samlify } from "./library.js";
import { decoded, issuerOf, root, SamlError, type SamlInput, STRONG_SIG_ALGS } from "./messages.js";

export { redirectInput, SamlError, type SamlInput } from "./messages.js";

import { NAMEID_URN, type SamlSettings } from "../apps/saml-settings.js";
import type { SamlStore } from "./store.js";
import { RESPONSE_TEMPLATE, responseTags, type SamlSubject } from "./template.js";

const { Constants } = samlify;
export const BINDING = Constants.namespace.binding;
/** How far a request's IssueInstant may be from now, and how long its ID is remembered. */
export const REQUEST_WINDOW_MS = 5 * 60_000;
/**
 * An encrypted assertion's algorithms (XML Encryption 1.1): AES-256-GCM under a fresh key, whose
 * tag makes any altered copy fail (with CBC, samlify's default, someone who posts altered copies
 * of a Response to the SP and watches it fail reads the assertion: Jager and Somorovsky, 2011),
 * the key wrapped with RSA-OAEP (PKCS#1 v1.5 has Bleichenbacher's oracle). docs/saml.md.
 */
const ASSERTION_ENCRYPTION = {
  dataEncryptionAlgorithm: "http://www.w3.org/2009/xmlenc11#aes256-gcm",
  keyEncryptionAlgorithm: "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
};

import type { LoginRequest, LogoutAnswer, LogoutRequest, PostForm } from "./idp-types.js";

export type { LoginRequest, LogoutAnswer, LogoutRequest, PostForm } from "./idp-types.js";
export { sessionIndex } from "./idp-types.js";

export class SamlIdp {
  readonly entityId: string;
  readonly ssoUrl: string;
  readonly sloUrl: string;

  constructor(
    private readonly storage: Storage,
    private readonly store: SamlStore,
    readonly keys: SamlKeys,
    private readonly apps: AppService,
    private readonly clock: Clock,
    baseUrl: string,
  ) {
    this.entityId = `${baseUrl}/saml/metadata`;
    this.ssoUrl = `${baseUrl}/saml/sso`;
    this.sloUrl = `${baseUrl}/saml/slo`;
  }

  /** The IdP entity with these certificates (and key, to sign): for src/saml/ only. */
  entity(
    certificates: string[],
    privateKey: string | undefined,
    requestsSigned: boolean,
    encryptAssertion = false,
  ) {
    return samlify.IdentityProvider({
      entityID: this.entityId,
      ...(encryptAssertion ? { isAssertionEncrypted: true, ...ASSERTION_ENCRYPTION } : {}),
      ...(privateKey ? { privateKey } : {}),
      signingCert: certificates.length === 1 ? certificates[0] : certificates,
      wantAuthnRequestsSigned: requestsSigned,
      wantLogoutRequestSigned: requestsSigned,
      nameIDFormat: [NAMEID_URN.persistent, NAMEID_URN.email],
      requestSignatureAlgorithm: Constants.algorithms.signature.RSA_SHA256,
      singleSignOnService: [
        { Binding: BINDING.redirect, Location: this.ssoUrl },
        { Binding: BINDING.post, Location: this.ssoUrl },
      ],
      singleLogoutService: [
        { Binding: BINDING.redirect, Location: this.sloUrl },
        { Binding: BINDING.post, Location: this.sloUrl },
      ],
      loginResponseTemplate: { context: RESPONSE_TEMPLATE, attributes: [] },
    } as Parameters<typeof samlify.IdentityProvider>[0]);
  }

  #sp(settings: SamlSettings) {
    return samlify.ServiceProvider({
      entityID: settings.entityId,
      ...(settings.certificate ? { signingCert: settings.certificate } : {}),
      ...(settings.encryptionCertificate ? { encryptCert: settings.encryptionCertificate } : {}),
      authnRequestsSigned: settings.certificate !== null,
      wantAssertionsSigned: true,
      wantMessageSigned: true,
      wantLogoutRequestSigned: settings.certificate !== null,
      wantLogoutResponseSigned: true,
      nameIDFormat: [NAMEID_URN[settings.nameIdFormat]],
      assertionConsumerService: settings.acsUrls.map((Location) => ({
        Binding: BINDING.post,
        Location,
      })),
      // One logout URL, answered in the binding the SP's request used.
      singleLogoutService: settings.sloUrl
        ? [
            { Binding: BINDING.redirect, Location: settings.sloUrl },
            { Binding: BINDING.post, Location: settings.sloUrl },
          ]
        : [],
    } as Parameters<typeof samlify.ServiceProvider>[0]);
  }

  /** The IdP metadata: entity ID, endpoints, and every published signing certificate. */
  async metadata(): Promise<string> {
    return this.entity(await this.keys.certificates(), undefined, false).getMetadata();
  }

  /** The registered SP a message comes from, by its Issuer. */
  async #sender(element: Element): Promise<App & { saml: SamlSettings }> {
    const app = await this.apps.findBySamlEntity(issuerOf(element));
    if (!app?.saml)
      throw new SamlError("the request's Issuer is not a registered service provider");
    return app as App & { saml: SamlSettings };
  }

  /** Checks what samlify does not, then takes the request's ID once. */
  async #fresh(
    app: App,
    request: { id?: string; destination?: string; issueInstant?: string },
    issuer: string | undefined,
    sigAlg: string | undefined,
    input: SamlInput,
  ): Promise<string> {
    if (issuer !== app.saml?.entityId) throw new SamlError("the request's Issuer changed");
    if (
      input.binding === "redirect" &&
      app.saml?.certificate &&
      !STRONG_SIG_ALGS.has(sigAlg ?? "")
    ) {
      throw new SamlError("the request must be signed with RSA-SHA256 or stronger");
    }
    const endpoint = this.ssoUrl === request.destination || this.sloUrl === request.destination;
    if (request.destination && !endpoint)
      throw new SamlError("the request is for another Destination");
    const now = this.clock.now();
    const at = Date.parse(request.issueInstant ?? "");
    if (!Number.isFinite(at) || Math.abs(at - now) > REQUEST_WINDOW_MS) {
      throw new SamlError("the request is too old, or from the future");
    }
    const id = request.id;
    if (!id || id.length > 256) throw new SamlError("the request has no ID");
    const first = await this.storage.write((trx) =>
      this.store.take(trx, app.id, id, now, now + 2 * REQUEST_WINDOW_MS),
    );
    if (!first) throw new SamlError("the request was already used");
    return id;
  }

  /** An AuthnRequest, checked: from whom, answered where, with which ID. */
  async loginRequest(input: SamlInput): Promise<LoginRequest> {
    const xml = decoded(input, "SAMLRequest");
    const element = root(xml, input.binding === "post", false);
    const app = await this.#sender(element);
    const signed = app.saml.certificate !== null;
    if (input.binding === "post") root(xml, true, signed);
    else if (signed && !input.query.Signature) throw new SamlError("the request must be signed");
    let parsed: { extract: Record<string, unknown>; sigAlg?: string };
    try {
      parsed = (await this.entity(
        await this.keys.certificates(),
        undefined,
        signed,
      ).parseLoginRequest(
        this.#sp(app.saml),
        input.binding,
        input.binding === "redirect"
          ? { query: input.query, octetString: input.octetString }
          : { body: input.body },
      )) as typeof parsed;
    } catch {
      throw new SamlError("the request's signature or schema is not valid");
    }
    const request = (parsed.extract.request ?? {}) as {
      id?: string;
      destination?: string;
      issueInstant?: string;
      assertionConsumerServiceUrl?: string;
    };
    const id = await this.#fresh(
      app,
      request,
      parsed.extract.issuer as string,
      parsed.sigAlg,
      input,
    );
    const binding = element.getAttribute("ProtocolBinding");
    if (binding && binding !== BINDING.post)
      throw new SamlError("Handoff answers with HTTP-POST only");
    if (element.getAttribute("AssertionConsumerServiceIndex")) {
      throw new SamlError("name the ACS by URL, not by index");
    }
    const asked = request.assertionConsumerServiceUrl;
    if (asked && !app.saml.acsUrls.includes(asked)) {
      throw new SamlError("the ACS URL is not one the service provider registered");
    }
    const relay = input.binding === "redirect" ? input.query.RelayState : input.body.RelayState;
    return {
      app,
      id,
      acsUrl: asked ?? (app.saml.acsUrls[0] as string),
      relayState: relay?.slice(0, 1024),
    };
  }

  /**
   * A signed Response for `subject`, to post to the SP's ACS (InResponseTo: SP-initiated). For an
   * SP with an encryption certificate the assertion is signed, then encrypted for it (an
   * EncryptedAssertion), then the Response is signed over the EncryptedAssertion.
   */
  async response(
    app: App & { saml: SamlSettings },
    subject: SamlSubject,
    options: { inResponseTo?: string; acsUrl?: string; relayState?: string },
  ): Promise<PostForm> {
    const key = await this.keys.signer();
    const encrypted = Boolean(app.saml.encryptionCertificate);
    const idp = this.entity([key.certificate], key.privateKey, false, encrypted);
    const acsUrl = options.acsUrl ?? (app.saml.acsUrls[0] as string);
    const sp = this.#sp(app.saml);
    const tags = responseTags({
      now: this.clock.now(),
      issuer: this.entityId,
      audience: app.saml.entityId,
      acsUrl,
      inResponseTo: options.inResponseTo,
      nameIdFormat: app.saml.nameIdFormat,
      subject,
      newId: () => `_${randomUUID()}`,
    });
    // No request info: the tags above carry InResponseTo (samlify reads nothing else from it).
    const none = null as unknown as Parameters<typeof idp.createLoginResponse>[1];
    const made = (await idp.createLoginResponse(
      sp,
      none,
      "post",
      {},
      {
        ...(options.relayState ? { relayState: options.relayState } : {}),
        customTagReplacement: tags,
        // samlify's name for: sign the assertion, encrypt it, then sign the Response. Without it
        // samlify signs the Response before encrypting, over an assertion the SP never sees.
        encryptThenSign: encrypted,
      },
    )) as { context: string; relayState?: string };
    return {
      action: acsUrl,
      fields: {
        SAMLResponse: made.context,
        ...(options.relayState ? { RelayState: options.relayState } : {}),
      },
    };
  }

  /**
   * A LogoutRequest, checked like an AuthnRequest: by HTTP-Redirect (the signature in the query)
   * or HTTP-POST (one enveloped signature covering the request's root, RSA-SHA256 or stronger).
   */
  async logoutRequest(input: SamlInput): Promise<LogoutRequest> {
    const xml = decoded(input, "SAMLRequest");
    const posted = input.binding === "post";
    const element = root(xml, posted, false);
    if (element.localName !== "LogoutRequest") throw new SamlError("this is not a LogoutRequest");
    const app = await this.#sender(element);
    const signed = app.saml.certificate !== null;
    if (posted) root(xml, true, signed);
    else if (signed && !input.query.Signature) {
      throw new SamlError("the logout request must be signed");
    }
    let parsed: { extract: Record<string, unknown>; sigAlg?: string };
    try {
      parsed = (await this.entity(
        await this.keys.certificates(),
        undefined,
        signed,
      ).parseLogoutRequest(
        this.#sp(app.saml),
        input.binding,
        input.binding === "redirect"
          ? { query: input.query, octetString: input.octetString }
          : { body: input.body },
      )) as typeof parsed;
    } catch {
      throw new SamlError("the logout request's signature or schema is not valid");
    }
    const request = (parsed.extract.request ?? {}) as {
      id?: string;
      destination?: string;
      issueInstant?: string;
    };
    await this.#fresh(app, request, parsed.extract.issuer as string, parsed.sigAlg, input);
    const index = parsed.extract.sessionIndex;
    const relay = input.binding === "redirect" ? input.query.RelayState : input.body.RelayState;
    return {
      app,
      binding: input.binding,
      parsed,
      sessionIndex: typeof index === "string" ? index : null,
      relayState: relay?.slice(0, 1024),
    };
  }

  /**
   * The signed LogoutResponse to the SP's logout URL, in the binding of its request: a URL to
   * redirect to (signature in the query), or a form to post (signature enveloped in the XML).
   */
  async logoutResponse(request: LogoutRequest): Promise<LogoutAnswer> {
    const sloUrl = request.app.saml.sloUrl;
    if (!sloUrl) throw new SamlError("the service provider has no logout URL");
    const key = await this.keys.signer();
    const idp = this.entity([key.certificate], key.privateKey, false);
    const made = idp.createLogoutResponse(
      this.#sp(request.app.saml),
      request.parsed as Parameters<typeof idp.createLogoutResponse>[1],
      request.binding,
      request.relayState ? { relayState: request.relayState } : {},
    ) as { context: string };
    if (request.binding === "redirect") return { binding: "redirect", url: made.context };
    return {
      binding: "post",
      form: {
        action: sloUrl,
        fields: {
          SAMLResponse: made.context,
          ...(request.relayState ? { RelayState: request.relayState } : {}),
        },
      },
    };
  }
}
