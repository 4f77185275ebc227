// Handoff's own LogoutRequests to service providers, and their answers (front-channel single
// logout, src/saml/front-channel.ts): signed requests by HTTP-Redirect or HTTP-POST, naming the
// person and session as each SP was told them, and each LogoutResponse checked before the chain
// moves on. The IdP entity and its keys are SamlIdp's.
import { randomUUID } from "node:crypto";
import { NAMEID_URN, type NameIdFormat, type SamlSettings } from "../apps/saml-settings.js";
import type { App } from "../apps/service.js";
import type { Clock } from "../clock.js";
import { BINDING, type PostForm, REQUEST_WINDOW_MS, type SamlIdp } from "./idp.js";
import { samlify } from "./library.js";
import { decoded, issuerOf, root, SamlError, type SamlInput, STRONG_SIG_ALGS } from "./messages.js";
import { LOGOUT_REQUEST_TEMPLATE } from "./template.js";

export class PeerLogout {
  constructor(
    private readonly idp: SamlIdp,
    private readonly clock: Clock,
  ) {}

  /**
   * The SP as the receiver of Handoff's own LogoutRequests (front-channel single logout): every
   * one is signed, whether or not the SP registered a certificate, and goes to its logout URL.
   */
  #peer(settings: SamlSettings, sloUrl: string) {
    return samlify.ServiceProvider({
      entityID: settings.entityId,
      ...(settings.certificate ? { signingCert: settings.certificate } : {}),
      wantLogoutRequestSigned: true,
      singleLogoutService: [
        { Binding: BINDING.redirect, Location: sloUrl },
        { Binding: BINDING.post, Location: sloUrl },
      ],
    } as Parameters<typeof samlify.ServiceProvider>[0]);
  }

  /**
   * A signed LogoutRequest to an SP's logout URL, naming the person and session as the SP was
   * told them at sign-in: by HTTP-Redirect (the signature in the query, RSA-SHA256), or by
   * HTTP-POST (an enveloped signature) for an SP that takes only that.
   */
  async sendLogoutRequest(
    app: App & { saml: SamlSettings },
    issued: { nameId: string; nameIdFormat: NameIdFormat; sessionIndex: string },
  ): Promise<{ id: string; url: string } | { id: string; form: PostForm }> {
    const sloUrl = app.saml.sloUrl;
    if (!sloUrl) throw new SamlError("the service provider has no logout URL");
    const key = await this.idp.keys.signer();
    const idp = this.idp.entity([key.certificate], key.privateKey, false);
    const id = `_${randomUUID()}`;
    const now = this.clock.now();
    const context = samlify.SamlLib.replaceTagsByValue(LOGOUT_REQUEST_TEMPLATE, {
      ID: id,
      IssueInstant: new Date(now).toISOString(),
      NotOnOrAfter: new Date(now + REQUEST_WINDOW_MS).toISOString(),
      Destination: sloUrl,
      Issuer: this.idp.entityId,
      Audience: app.saml.entityId,
      NameIDFormat: NAMEID_URN[issued.nameIdFormat],
      NameID: issued.nameId,
      SessionIndex: issued.sessionIndex,
    });
    const binding = app.saml.sloBinding === "post" ? "post" : "redirect";
    const made = idp.createLogoutRequest(
      this.#peer(app.saml, sloUrl),
      binding,
      {},
      { customTagReplacement: () => ({ id, context }) },
    ) as { context: string };
    if (binding === "redirect") return { id, url: made.context };
    return { id, form: { action: sloUrl, fields: { SAMLRequest: made.context } } };
  }

  /**
   * An SP's LogoutResponse to the LogoutRequest `requestId`, checked: from that SP (Issuer),
   * answering that request (InResponseTo), to this endpoint (Destination, when present), and
   * signed when the SP has a certificate (HTTP-Redirect: in the query, RSA-SHA256 or stronger;
   * HTTP-POST: one enveloped signature covering the root). Answers whether the SP says it signed
   * the person out. A failure status is taken without its signature checked (samlify stops at the
   * status): believing it only leaves the app listed as perhaps still signed in.
   */
  async receiveLogoutResponse(
    app: App & { saml: SamlSettings },
    input: SamlInput,
    requestId: string,
  ): Promise<{ success: boolean }> {
    const sloUrl = app.saml.sloUrl;
    if (!sloUrl) throw new SamlError("the service provider has no logout URL");
    const xml = decoded(input, "SAMLResponse");
    const posted = input.binding === "post";
    const signed = app.saml.certificate !== null;
    const element = root(xml, posted, signed);
    if (element.localName !== "LogoutResponse") throw new SamlError("this is not a LogoutResponse");
    if (issuerOf(element) !== app.saml.entityId) {
      throw new SamlError("the LogoutResponse is not from the service provider asked");
    }
    if (element.getAttribute("InResponseTo") !== requestId) {
      throw new SamlError("the LogoutResponse answers another request");
    }
    const destination = element.getAttribute("Destination");
    if (destination && destination !== this.idp.sloUrl) {
      throw new SamlError("the LogoutResponse is for another Destination");
    }
    if (input.binding === "redirect" && signed) {
      if (!input.query.Signature) throw new SamlError("the LogoutResponse must be signed");
      if (!STRONG_SIG_ALGS.has(input.query.SigAlg ?? "")) {
        throw new SamlError("the LogoutResponse must be signed with RSA-SHA256 or stronger");
      }
    }
    const receiver = this.idp.entity(await this.idp.keys.certificates(), undefined, false);
    // This one IdP entity, made for this response: it checks the signature when the SP has a key.
    receiver.entitySetting.wantLogoutResponseSigned = signed;
    try {
      await receiver.parseLogoutResponse(
        this.#peer(app.saml, sloUrl),
        input.binding,
        input.binding === "redirect"
          ? { query: input.query, octetString: input.octetString }
          : { body: input.body },
      );
      return { success: true };
    } catch (error) {
      if (error instanceof Error && error.message.startsWith("ERR_FAILED_STATUS")) {
        return { success: false };
      }
      throw new SamlError("the LogoutResponse's signature or schema is not valid");
    }
  }
}
