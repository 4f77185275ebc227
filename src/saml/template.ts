// The Response Handoff signs: one Assertion with the subject's NameID, bearer confirmation for the
// ACS, a 5-minute validity, an AuthnStatement (its SessionIndex lets the SP log out), and the
// attributes apps need. Values are XML-escaped (samlify escapes what it substitutes; the
// attribute statement is built and escaped here). Without InResponseTo (IdP-initiated) samlify
// drops the attribute.

import { NAMEID_URN, type NameIdFormat } from "../apps/saml-settings.js";
import { samlify } from "./library.js";

export const RESPONSE_TEMPLATE =
  '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{ID}" Version="2.0" IssueInstant="{IssueInstant}" Destination="{Destination}" InResponseTo="{InResponseTo}">' +
  '<saml:Issuer>{Issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>' +
  '<saml:Assertion xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="{AssertionID}" Version="2.0" IssueInstant="{IssueInstant}">' +
  "<saml:Issuer>{Issuer}</saml:Issuer>" +
  '<saml:Subject><saml:NameID Format="{NameIDFormat}" SPNameQualifier="{Audience}">{NameID}</saml:NameID>' +
  '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{NotOnOrAfter}" Recipient="{Recipient}" InResponseTo="{InResponseTo}"/></saml:SubjectConfirmation></saml:Subject>' +
  '<saml:Conditions NotBefore="{NotBefore}" NotOnOrAfter="{NotOnOrAfter}"><saml:AudienceRestriction><saml:Audience>{Audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>' +
  '<saml:AuthnStatement AuthnInstant="{AuthnInstant}" SessionIndex="{SessionIndex}" SessionNotOnOrAfter="{SessionNotOnOrAfter}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>' +
  "{Attributes}</saml:Assertion></samlp:Response>";

/**
 * The LogoutRequest Handoff sends an SP (front-channel single logout): the NameID as the SP was
 * given it (with the same SPNameQualifier), and the SessionIndex of its AuthnStatement.
 */
export const LOGOUT_REQUEST_TEMPLATE =
  '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{ID}" Version="2.0" IssueInstant="{IssueInstant}" Destination="{Destination}" NotOnOrAfter="{NotOnOrAfter}">' +
  '<saml:Issuer>{Issuer}</saml:Issuer><saml:NameID Format="{NameIDFormat}" SPNameQualifier="{Audience}">{NameID}</saml:NameID>' +
  "<samlp:SessionIndex>{SessionIndex}</samlp:SessionIndex></samlp:LogoutRequest>";

/** Who the Response is about, as a Handoff session knows them. */
export interface SamlSubject {
  userId: string;
  email: string | null;
  authnInstant: number;
  sessionIndex: string;
  sessionNotOnOrAfter: number;
  /** Attribute name → value(s); absent values are left out. */
  attributes: Record<string, string | string[] | null | undefined>;
}

/** Assertions are valid this long; NotBefore allows this much clock skew at the SP. */
const VALIDITY_MS = 5 * 60_000;
const SKEW_MS = 60_000;

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};
const escapeXml = (value: string) => value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

function attributeStatement(attributes: SamlSubject["attributes"]): string {
  const parts = Object.entries(attributes)
    .filter(([, value]) => value !== null && value !== undefined && value !== "")
    .map(
      ([name, value]) =>
        `<saml:Attribute Name="${escapeXml(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${(Array.isArray(
          value,
        )
          ? value
          : [value as string]
        )
          .map(
            (v) =>
              `<saml:AttributeValue xsi:type="xs:string">${escapeXml(v)}</saml:AttributeValue>`,
          )
          .join("")}</saml:Attribute>`,
    );
  return parts.length > 0
    ? `<saml:AttributeStatement>${parts.join("")}</saml:AttributeStatement>`
    : "";
}

export interface ResponseParts {
  now: number;
  issuer: string;
  audience: string;
  acsUrl: string;
  inResponseTo: string | undefined;
  nameIdFormat: NameIdFormat;
  subject: SamlSubject;
  newId: () => string;
}

/** samlify's customTagReplacement: the template filled in for one Response. */
export function responseTags(parts: ResponseParts) {
  return (template: string) => {
    const { now, subject } = parts;
    const iso = (ms: number) => new Date(ms).toISOString();
    const id = parts.newId();
    const nameId = parts.nameIdFormat === "email" ? subject.email : subject.userId;
    if (!nameId) throw new Error("the user has no email for an email NameID");
    const marker = `ATTRIBUTES-${id}`;
    const context = samlify.SamlLib.replaceTagsByValue(template, {
      ID: id,
      AssertionID: parts.newId(),
      IssueInstant: iso(now),
      Destination: parts.acsUrl,
      Recipient: parts.acsUrl,
      InResponseTo: parts.inResponseTo,
      Issuer: parts.issuer,
      Audience: parts.audience,
      NameIDFormat: NAMEID_URN[parts.nameIdFormat],
      NameID: nameId,
      NotBefore: iso(now - SKEW_MS),
      NotOnOrAfter: iso(now + VALIDITY_MS),
      AuthnInstant: iso(subject.authnInstant),
      SessionIndex: subject.sessionIndex,
      SessionNotOnOrAfter: iso(subject.sessionNotOnOrAfter),
      Attributes: marker,
      // A function, so a "$" in a value is never read as a replacement pattern.
    }).replace(marker, () => attributeStatement(subject.attributes));
    return { id, context };
  };
}
