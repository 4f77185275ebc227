// SAML's SOAP binding (SAML 2.0 Bindings §3.2, over SOAP 1.1): a SAML message travels alone in
// the Body of an Envelope, POSTed server to server, and the answer comes back the same way in the
// HTTP response, or as a SOAP Fault. Only the envelope is here; the SAML inside is peer-logout.ts's.
import { DOMParser, XMLSerializer } from "@xmldom/xmldom";
import { acceptableXml } from "./library.js";
import { SamlError } from "./messages.js";

const SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/";

/** The SOAPAction header SAML's SOAP binding sends (Bindings §3.2.2.1). */
export const SOAP_ACTION = "http://www.oasis-open.org/committees/security";

/** `saml` (an XML document, signed or not) in the Body of a SOAP 1.1 envelope. */
export function soapEnvelope(saml: string): string {
  const body = saml.replace(/^\s*<\?xml[^>]*\?>\s*/, "");
  return `<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="${SOAP_ENV}"><SOAP-ENV:Body>${body}</SOAP-ENV:Body></SOAP-ENV:Envelope>`;
}

const elements = (node: Node): Element[] =>
  Array.from(node.childNodes).filter((child): child is Element => child.nodeType === 1);

/**
 * The one SAML message in the Body of a SOAP answer, as an XML document of its own. A Fault, or
 * anything but an Envelope whose Body holds exactly one element, is refused with a SamlError
 * saying which (a Fault's faultstring, cut short, is kept for whoever reads the delivery).
 */
export function soapBody(answer: string): string {
  if (!acceptableXml(answer)) throw new SamlError("the SOAP answer has a DTD or is too large");
  let wellFormed = true;
  const refuse = () => {
    wellFormed = false;
  };
  const document = new DOMParser({
    errorHandler: { warning: () => undefined, error: refuse, fatalError: refuse },
  }).parseFromString(answer, "text/xml");
  const envelope = document.documentElement;
  if (!wellFormed || !envelope) throw new SamlError("the SOAP answer is not well-formed XML");
  if (envelope.namespaceURI !== SOAP_ENV || envelope.localName !== "Envelope") {
    throw new SamlError("the answer is not a SOAP 1.1 envelope");
  }
  const bodies = elements(envelope).filter(
    (node) => node.namespaceURI === SOAP_ENV && node.localName === "Body",
  );
  const inside = bodies.length === 1 && bodies[0] ? elements(bodies[0]) : [];
  const [message] = inside;
  if (inside.length !== 1 || !message) {
    throw new SamlError("the SOAP answer's Body does not hold one message");
  }
  if (message.namespaceURI === SOAP_ENV && message.localName === "Fault") {
    const reason = elements(message).find((node) => node.localName === "faultstring");
    throw new SamlError(`SOAP fault: ${(reason?.textContent ?? "no faultstring").slice(0, 200)}`);
  }
  return new XMLSerializer().serializeToString(message);
}
