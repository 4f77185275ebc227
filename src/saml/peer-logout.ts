// Handoff's own LogoutRequests to service providers, and their answers: signed requests by
// HTTP-Redirect or HTTP-POST through the browser (front-channel single logout,
// src/saml/front-channel.ts) or by SOAP server to server (src/saml/soap-logout.ts), naming the
// person and session as each SP was told them, and each LogoutResponse checked. The IdP entity
// and its keys are SamlIdp's.
import { randomUUID } from "node:crypto";
import { NAMEID_URN, type NameIdFormat, type SamlSettings } from "../apps/saml-settings.js";
import type { App } from "../apps/service.js";
import type { Clock } from "../clock.js";
import { BINDING, type PostForm, REQUEST_WINDOW_MS, type SamlIdp } from "./idp.js";
import { samlify } from "./library.js";
import { decoded, issuerOf, root, SamlError, type SamlInput, STRONG_SIG_ALGS } from "./messages.js";
import { soapBody, soapEnvelope } from "./soap.js";
import { LOGOUT_REQUEST_TEMPLATE } from "./template.js";

/** Whom and which session a LogoutRequest names: as the SP was told them at sign-in. */
type Issued = { nameId: string; nameIdFormat: NameIdFormat; sessionIndex: string };

const DSIG = "http://www.w3.org/2000/09/xmldsig#";

export class PeerLogout {
  constructor(
    private readonly idp: SamlIdp,
    private readonly clock: Clock,
  ) {}

  /**
   * The SP as the receiver of Handoff's own LogoutRequests (front-channel and SOAP logout): every
   * one is signed, whether or not the SP registered a certificate, and goes to `sloUrl`.
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
    issued: Issued,
  ): Promise<{ id: string; url: string } | { id: string; form: PostForm }> {
    const sloUrl = app.saml.sloUrl;
    if (!sloUrl) throw new SamlError("the service provider has no logout URL");
    const binding = app.saml.sloBinding === "post" ? "post" : "redirect";
    const { id, context } = await this.#logoutRequest(app.saml, sloUrl, binding, issued);
    if (binding === "redirect") return { id, url: context };
    return { id, form: { action: sloUrl, fields: { SAMLRequest: context } } };
  }

  /**
   * A signed LogoutRequest for the SP's SOAP logout URL (back-channel single logout), in its SOAP
   * envelope: signed as in the HTTP-POST binding (an enveloped signature, RSA-SHA256), with that
   * URL as Destination and a NotOnOrAfter a few minutes off.
   */
  async soapLogoutRequest(
    settings: SamlSettings,
    soapUrl: string,
    issued: Issued,
  ): Promise<{ id: string; envelope: string }> {
    const { id, context } = await this.#logoutRequest(settings, soapUrl, "post", issued);
    return { id, envelope: soapEnvelope(Buffer.from(context, "base64").toString("utf8")) };
  }

  /**
   * The LogoutResponse in an SP's SOAP answer to the LogoutRequest `requestId`, checked: from that
   * SP (Issuer), answering that request (InResponseTo), and when it carries a signature, one
   * enveloped signature covering it, verified with the SP's metadata certificate (an unsigned
   * answer is taken: it came back on the connection Handoff opened to the SP's URL). Answers
   * whether the SP says it signed the person out; throws a SamlError for anything else.
   */
  async soapLogoutResponse(
    settings: SamlSettings,
    soapUrl: string,
    answer: string,
    requestId: string,
  ): Promise<{ success: boolean }> {
    const xml = soapBody(answer);
    const element = root(xml, true, false);
    if (element.localName !== "LogoutResponse") throw new SamlError("this is not a LogoutResponse");
    if (issuerOf(element) !== settings.entityId) {
      throw new SamlError("the LogoutResponse is not from the service provider asked");
    }
    if (element.getAttribute("InResponseTo") !== requestId) {
      throw new SamlError("the LogoutResponse answers another request");
    }
    const signed = element.getElementsByTagNameNS(DSIG, "Signature").length > 0;
    const receiver = this.idp.entity(await this.idp.keys.certificates(), undefined, false);
    receiver.entitySetting.wantLogoutResponseSigned = signed && settings.certificate !== null;
    try {
      await receiver.parseLogoutResponse(this.#peer(settings, soapUrl), "post", {
        body: { SAMLResponse: Buffer.from(xml, "utf8").toString("base64") },
      });
      return { success: true };
    } catch (error) {
      if (error instanceof Error && error.message.startsWith("ERR_FAILED_STATUS")) {
        return { success: false };
      }
      throw new SamlError("the LogoutResponse's signature or schema is not valid");
    }
  }

  /** Handoff's LogoutRequest to `destination`, signed for `binding`: its ID, and samlify's output. */
  async #logoutRequest(
    settings: SamlSettings,
    destination: string,
    binding: "redirect" | "post",
    issued: Issued,
  ): Promise<{ id: string; context: string }> {
    const key = await this.idp.keys.signer();
    const idp = this.idp.entity([key.certificate], key.privateKey, false);
    const id = `_${randomUUID()}`;
    const now = this.clock.now();
    const context = samlify.SamlLib.replaceTagsByValue(LOGOUT_REQUEST_TEMPLATE, {
      ID: id,
      IssueInstant: new Date(now).toISOString(),
      NotOnOrAfter: new Date(now + REQUEST_WINDOW_MS).toISOString(),
      Destination: destination,
      Issuer: this.idp.entityId,
      Audience: settings.entityId,
      NameIDFormat: NAMEID_URN[issued.nameIdFormat],
      NameID: issued.nameId,
      SessionIndex: issued.sessionIndex,
    });
    const made = idp.createLogoutRequest(
      this.#peer(settings, destination),
      binding,
      {},
      { customTagReplacement: () => ({ id, context }) },
    ) as { context: string };
    return { id, context: made.context };
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
