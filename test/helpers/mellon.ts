// Debian's Apache with mod_auth_mellon as a SAML service provider in front of a stand-in app, on
// 127.0.0.1 and a free port, configured with the ```apache block of docs/saml.md as written there
// (its placeholders filled in). Around that block the test adds only what a distribution's
// apache2.conf holds (port, pid and log files, modules, user) and the stand-in app: a page under
// `/` that shows, through server-side includes, what mellon learnt of the person, and a page under
// `/signed-out/`. The SP's key and certificate are made here (mellon_create_metadata needs the
// openssl CLI), its metadata is written in mellon_create_metadata's shape, and the IdP's metadata
// is fetched from the running Handoff.
import { type ChildProcess, spawn } from "node:child_process";
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForPort } from "./net.js";
import { spKeys } from "./saml.js";

const APACHE = process.env.HANDOFF_APACHE ?? "/usr/sbin/apache2";
const MODULES = process.env.HANDOFF_APACHE_MODULES ?? "/usr/lib/apache2/modules";
/** In CI both must be there (.ci/run installs them); on a laptop without them, tests skip. */
export const mellonAvailable =
  (existsSync(APACHE) && existsSync(join(MODULES, "mod_auth_mellon.so"))) ||
  process.env.CI !== undefined;

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

/** When the test runs as root (CI, containers), Apache's children run as www-data (or nobody). */
function childUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const passwd = readFileSync("/etc/passwd", "utf8").split("\n");
  for (const name of ["www-data", "nobody"]) {
    const fields = passwd.find((line) => line.startsWith(`${name}:`))?.split(":");
    if (fields) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new Error(
    "running as root, and neither www-data nor nobody exists to run Apache's children",
  );
}

/** What a distribution's apache2.conf holds, then the documented block, then the stand-in app. */
function httpdConf(
  dir: string,
  port: number,
  user: { uid: number; gid: number } | null,
  documented: string,
): string {
  const modules = [
    "mpm_event",
    "authn_core",
    "authz_core",
    "authz_user",
    "mime",
    "include",
    "dir",
    "auth_mellon",
  ]
    .map((name) => `LoadModule ${name}_module ${join(MODULES, `mod_${name}.so`)}`)
    .join("\n");
  return `ServerRoot "${dir}"
Listen 127.0.0.1:${port}
ServerName localhost
PidFile "${dir}/httpd.pid"
DefaultRuntimeDir "${dir}"
ErrorLog "${dir}/error.log"
LogLevel warn auth_mellon:debug
CustomLog "${dir}/access.log" "%h \\"%r\\" %>s"
${user ? `User #${user.uid}\nGroup #${user.gid}` : ""}
${modules}
TypesConfig /etc/mime.types
# mellon's session store lock: this Apache's own, not /var/run's shared default.
MellonLockFile "${dir}/mellon.lock"

DocumentRoot "${dir}/htdocs"
DirectoryIndex index.shtml index.html
<Directory "${dir}/htdocs">
    Options +Includes
    AddOutputFilter INCLUDES .shtml
</Directory>

# docs/saml.md, "Apache with mod_auth_mellon", as written there.
${documented}`;
}

const tail = (file: string, lines = 60) =>
  existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(-lines).join("\n") : "";

/** Starts Apache with mellon as the SP of the Handoff at `handoffBase` (already listening). */
export async function startMellon(handoffBase: string): Promise<Mellon> {
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const dir = mkdtempSync(join(tmpdir(), "handoff-mellon-"));
  let child: ChildProcess | undefined;
  let stderr = "";
  const logs = () =>
    `--- apache2 stderr\n${stderr}\n--- ${dir}/error.log\n${tail(join(dir, "error.log"))}\n--- ${dir}/access.log\n${tail(join(dir, "access.log"))}`;
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
    writeFileSync(conf, httpdConf(dir, port, user, documented));
    // The children (as www-data when root) read the keys, metadata and pages; nobody else can.
    if (user) {
      for (const path of [dir, join(dir, "htdocs"), join(dir, "htdocs", "signed-out"), mellonDir]) {
        chownSync(path, user.uid, user.gid);
      }
      for (const name of Object.keys(files)) chownSync(join(dir, name), user.uid, user.gid);
    }
    // In the foreground (its children still serve: -DFOREGROUND, not the single-process -X),
    // in its own process group, so that stop() reaches the children too if the parent hangs.
    const started = spawn(APACHE, ["-f", conf, "-DFOREGROUND"], {
      stdio: ["ignore", "ignore", "pipe"],
      detached: true,
    });
    child = started;
    started.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await waitForPort(port, started, logs);
    return { base, spMetadata, logs, stop: () => stopApache(started, dir) };
  } catch (error) {
    if (child) await stopApache(child, null);
    const detail = logs();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n${detail}`);
  }
}

/** SIGTERM to Apache's parent (it stops its children), SIGKILL to the group after 10 s. */
async function stopApache(child: ChildProcess, dir: string | null): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Gone already.
      }
    }, 10_000);
    await exited;
    clearTimeout(timer);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}
