// samlify, set up once for the process: its XML is checked against the SAML 2.0 protocol schema
// (libxml2 compiled to WebAssembly, in this process; the schema files are in schemas/saml and
// resolve from memory, never from disk or the network) before samlify reads it. A document with
// a DTD or an entity declaration is refused before any parser sees it (XXE, entity expansion),
// and so is one over 256 KiB. samlify keeps its validator in module state: this file is the only
// place that sets it.
import { readFileSync } from "node:fs";
import {
  ParseOption,
  XmlBufferInputProvider,
  XmlDocument,
  XsdValidator,
  xmlRegisterInputProvider,
} from "libxml2-wasm";
import samlifyModule from "samlify";

/** samlify's CommonJS exports, through its default export (some are invisible as named ESM imports). */
export const samlify = samlifyModule;

export const MAX_SAML_BYTES = 256 * 1024;
const SCHEMA_DIR = new URL("../../schemas/saml/", import.meta.url);
const FILES = [
  "saml-schema-protocol-2.0.xsd",
  "saml-schema-assertion-2.0.xsd",
  "xmldsig-core-schema.xsd",
  "xenc-schema.xsd",
  "XMLSchema.dtd",
  "datatypes.dtd",
];

let validator: XsdValidator | null = null;

function schema(): XsdValidator {
  if (validator) return validator;
  const files = Object.fromEntries(
    FILES.map((name) => [`saml-xsd/${name}`, readFileSync(new URL(name, SCHEMA_DIR))]),
  );
  xmlRegisterInputProvider(new XmlBufferInputProvider(files));
  const root = "saml-xsd/saml-schema-protocol-2.0.xsd";
  const document = XmlDocument.fromBuffer(files[root] as Uint8Array, { url: root });
  validator = XsdValidator.fromDoc(document);
  return validator;
}

/** Whether `xml` may be parsed at all: small enough, and no DTD or entity declaration. */
export function acceptableXml(xml: string): boolean {
  return xml.length <= MAX_SAML_BYTES && !/<!DOCTYPE|<!ENTITY/i.test(xml);
}

samlify.setSchemaValidator({
  validate: async (xml: string) => {
    if (!acceptableXml(xml)) throw new Error("ERR_SAML_REFUSED");
    let document: XmlDocument | undefined;
    try {
      document = XmlDocument.fromString(xml, {
        option: ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE,
      });
      schema().validate(document);
      return "ok";
    } catch {
      throw new Error("ERR_SAML_SCHEMA");
    } finally {
      document?.dispose();
    }
  },
});
