// Debian's Apache with mod_auth_mellon as a SAML service provider in front of a stand-in app, on
// 127.0.0.1 and a free port, configured with the ```apache block of docs/saml.md as written there
// (its placeholders filled in). Around that block the test adds only what a distribution's
// apache2.conf holds (port, pid and log files, modules, user) and the stand-in app: a page under
// `/` that shows, through server-side includes, what mellon learnt of the person, and a page under
// `/signed-out/`. The SP's key and certificate are made here (mellon_create_metadata needs the
// openssl CLI), its metadata is written in mellon_create_metadata's shape, and the IdP's metadata
// is fetched from the running Handoff.
import { chownSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { apacheDir, apacheWith, childUser, httpdBase, runApache, stopApache } from "./apache.js";
import { freePort } from "./net.js";
import { spKeys } from "./saml.js";

/** In CI both must be there (.ci/run installs them); on a laptop without them, tests skip. */
export const mellonAvailable = apacheWith("auth_mellon");

/** mellon's session cookie: `mellon-` and MellonVariable, whose default is `cookie`. */
export const MELLON_COOKIE = "mellon-cookie";

/** The ```apache block of docs/saml.md: the very text a reader copies. */
export function documentedMellonConfig(): string {
  const doc = readFileSync(new URL("../../docs/saml.md", import.meta.url), "utf8");
  const blocks = [...doc.matchAll(/```apache\n([\s\S]*?)```/g)];
  if (blocks.length !== 1)
    throw new Error(`docs/saml.md has ${blocks.length} apache blocks, not 1`);
  return blocks[0]?.[1] as string;
}

export interface Mellon {
  /** The app's URL: `http://localhost:PORT` (another site than Handoff on 127.0.0.1). */
  base: string;
  /** The SP's metadata, as mellon_create_metadata writes it: register it with Handoff. */
  spMetadata: string;
  /** The tail of Apache's error log (mellon logs there at debug level) and of its access log. */
  logs(): string;
  stop(): Promise<void>;
}

const pemBody = (pem: string) => pem.replace(/-----[^-]+-----|\s+/g, "");

/** mellon_create_metadata's metadata for `entityId` with its endpoints under `endpoint`. */
function spMetadataXml(entityId: string, endpoint: string, certificate: string): string {
  const keyInfo = `<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${pemBody(certificate)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>`;
  return `<EntityDescriptor entityID="${entityId}" xmlns="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
  <SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" AuthnRequestsSigned="true">
    <KeyDescriptor use="encryption">${keyInfo}</KeyDescriptor>
    <KeyDescriptor use="signing">${keyInfo}</KeyDescriptor>
    <SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${endpoint}/logout"/>
    <AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${endpoint}/postResponse" index="0"/>
  </SPSSODescriptor>
</EntityDescriptor>
`;
}

/** What the stand-in app shows: the person as mellon's environment tells it. */
const PROTECTED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Portal</title></head><body>
<h1>Portal</h1>
<dl>
<dt>REMOTE_USER</dt><dd id="user"><!--#echo var="REMOTE_USER" --></dd>
<dt>MELLON_NAME_ID</dt><dd id="name-id"><!--#echo var="MELLON_NAME_ID" --></dd>
<dt>MELLON_email</dt><dd id="email"><!--#echo var="MELLON_email" --></dd>
<dt>MELLON_name</dt><dd id="name"><!--#echo var="MELLON_name" --></dd>
<dt>MELLON_phone_number</dt><dd id="phone"><!--#echo var="MELLON_phone_number" --></dd>
<dt>MELLON_partner</dt><dd id="partner"><!--#echo var="MELLON_partner" --></dd>
<dt>MELLON_partner_data</dt><dd id="partner-data"><!--#echo var="MELLON_partner_data" --></dd>
<dt>MELLON_amr</dt><dd id="amr"><!--#echo var="MELLON_amr" --></dd>
</dl>
<p><a id="logout" href="/mellon/logout?ReturnTo=/signed-out/">Sign out</a></p>
</body></html>
`;
const SIGNED_OUT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head><body>
<h1>You are signed out of the portal</h1>
</body></html>
`;

/** What a distribution's apache2.conf holds, then the documented block, then the stand-in app. */
function httpdConf(
  dir: string,
  port: number,
  host: string,
  user: { uid: number; gid: number } | null,
  documented: string,
): string {
  return `${httpdBase(dir, port, host, user, "auth_mellon")}
# mellon's session store lock: this Apache's own, not /var/run's shared default.
MellonLockFile "${dir}/mellon.lock"

# docs/saml.md, "Apache with mod_auth_mellon", as written there.
${documented}`;
}

/**
 * Starts Apache with mellon as the SP of the Handoff at `handoffBase` (already listening), at
 * `host`: another name under `localhost` (Chromium sends it to loopback) for a second mellon in
 * the same browser, since cookies ignore the port and both mellons name theirs `mellon-cookie`.
 */
export async function startMellon(handoffBase: string, host = "localhost"): Promise<Mellon> {
  const port = await freePort();
  const base = `http://${host}:${port}`;
  const { dir, logs, stderr } = apacheDir("mellon");
  try {
    const keys = await spKeys();
    const spMetadata = spMetadataXml(`${base}/mellon/metadata`, `${base}/mellon`, keys.certificate);
    const idp = await fetch(`${handoffBase}/saml/metadata`, {
      signal: AbortSignal.timeout(10_000),
    });
    if (!idp.ok) throw new Error(`Handoff's /saml/metadata answered ${idp.status}`);
    const mellonDir = join(dir, "mellon");
    mkdirSync(join(dir, "htdocs", "signed-out"), { recursive: true });
    mkdirSync(mellonDir);
    const files: Record<string, string> = {
      "mellon/sp.key": keys.privateKey,
      "mellon/sp.cert": keys.certificate,
      "mellon/sp-metadata.xml": spMetadata,
      "mellon/idp-metadata.xml": await idp.text(),
      "htdocs/index.shtml": PROTECTED_PAGE,
      "htdocs/signed-out/index.html": SIGNED_OUT_PAGE,
    };
    for (const [name, text] of Object.entries(files)) {
      writeFileSync(join(dir, name), text, { mode: 0o600 });
    }
    const documented = documentedMellonConfig()
      .replaceAll("{{SP_BASE}}", base)
      .replaceAll("{{DIR}}", mellonDir);
    if (/\{\{\w+\}\}/.test(documented)) throw new Error("docs/saml.md has an unknown placeholder");
    const user = childUser();
    const conf = join(dir, "httpd.conf");
    writeFileSync(conf, httpdConf(dir, port, host, user, documented));
    // The children (as www-data when root) read the keys, metadata and pages; nobody else can.
    if (user) {
      for (const path of [dir, join(dir, "htdocs"), join(dir, "htdocs", "signed-out"), mellonDir]) {
        chownSync(path, user.uid, user.gid);
      }
      for (const name of Object.keys(files)) chownSync(join(dir, name), user.uid, user.gid);
    }
    const started = await runApache(conf, port, stderr, logs);
    return { base, spMetadata, logs, stop: () => stopApache(started, dir) };
  } catch (error) {
    const detail = logs();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n${detail}`);
  }
}
