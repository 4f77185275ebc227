// Debian's Apache with mod_auth_openidc as an OpenID Connect relying party of a running Handoff,
// on 127.0.0.1 and a free port, in a temporary directory, in the foreground (as test/helpers/
// mellon.ts runs mod_auth_mellon). Around the module's configuration the test adds only what a
// distribution's apache2.conf holds (port, pid and log files, modules, user) and a stand-in app:
// a page under `/protected/` that shows, through server-side includes, what mod_auth_openidc
// learnt of the person. Its redirect URI is `/protected/redirect_uri`, and its back-channel
// logout endpoint is that URI with `?logout=backchannel`.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
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

const APACHE = process.env.HANDOFF_APACHE ?? "/usr/sbin/apache2";
const MODULES = process.env.HANDOFF_APACHE_MODULES ?? "/usr/lib/apache2/modules";
/** In CI both must be there (.ci/run installs them); on a laptop without them, tests skip. */
export const openidcAvailable =
  (existsSync(APACHE) && existsSync(join(MODULES, "mod_auth_openidc.so"))) ||
  process.env.CI !== undefined;

/** mod_auth_openidc's session cookie (OIDCCookie's default). */
export const OPENIDC_COOKIE = "mod_auth_openidc_session";

export interface Openidc {
  /** Apache's origin: `http://127.0.0.1:PORT`. */
  base: string;
  /** The protected page. */
  page: string;
  /** OIDCRedirectURI: register it as the client's redirect URI. */
  redirectUri: string;
  /** mod_auth_openidc's back-channel logout endpoint: register it as the client's. */
  backchannelLogoutUri: string;
  /** Apache's whole error log: mod_auth_openidc logs there, at debug level. */
  errorLog(): string;
  /** The tails of Apache's stderr, error log and access log, to explain a failure. */
  logs(): string;
  stop(): Promise<void>;
}

/** What the stand-in app shows: the person as mod_auth_openidc's environment tells it. */
const PROTECTED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Portal</title></head><body>
<h1>Portal</h1>
<dl>
<dt>REMOTE_USER</dt><dd id="user"><!--#echo var="REMOTE_USER" --></dd>
<dt>OIDC_CLAIM_email</dt><dd id="email"><!--#echo var="OIDC_CLAIM_email" --></dd>
<dt>OIDC_CLAIM_name</dt><dd id="name"><!--#echo var="OIDC_CLAIM_name" --></dd>
<dt>OIDC_CLAIM_sid</dt><dd id="sid"><!--#echo var="OIDC_CLAIM_sid" --></dd>
</dl>
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

export interface OpenidcClient {
  /** Handoff's discovery document. */
  metadataUrl: string;
  clientId: string;
  clientSecret: string;
}

function httpdConf(
  dir: string,
  port: number,
  user: { uid: number; gid: number } | null,
  client: OpenidcClient,
  redirectUri: string,
): string {
  const modules = [
    "mpm_event",
    "authn_core",
    "authz_core",
    "authz_user",
    "mime",
    "include",
    "dir",
    "auth_openidc",
  ]
    .map((name) => `LoadModule ${name}_module ${join(MODULES, `mod_${name}.so`)}`)
    .join("\n");
  return `ServerRoot "${dir}"
Listen 127.0.0.1:${port}
ServerName 127.0.0.1
PidFile "${dir}/httpd.pid"
DefaultRuntimeDir "${dir}"
ErrorLog "${dir}/error.log"
LogLevel warn auth_openidc:debug
CustomLog "${dir}/access.log" "%h \\"%r\\" %>s"
${user ? `User #${user.uid}\nGroup #${user.gid}` : ""}
${modules}
TypesConfig /etc/mime.types

DocumentRoot "${dir}/htdocs"
DirectoryIndex index.shtml
<Directory "${dir}/htdocs">
    Options +Includes
    AddOutputFilter INCLUDES .shtml
</Directory>

# The relying party: Handoff's discovery, this app's client id and secret, PKCE, and sessions
# kept in Apache's shared memory (the server-side cache back-channel logout needs: a logout
# token's sid finds the session there).
OIDCProviderMetadataURL ${client.metadataUrl}
OIDCClientID ${client.clientId}
OIDCClientSecret ${client.clientSecret}
OIDCRedirectURI ${redirectUri}
OIDCCryptoPassphrase ${randomBytes(24).toString("hex")}
OIDCPKCEMethod S256
OIDCScope "openid email profile"
OIDCRemoteUserClaim sub
OIDCSessionType server-cache
OIDCCacheType shm

<Location /protected>
    AuthType openid-connect
    Require valid-user
</Location>
`;
}

const tail = (file: string, lines = 80) =>
  existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(-lines).join("\n") : "";

/** The port Apache will listen on, chosen first: the client's redirect URIs name it. */
export async function openidcPort(): Promise<{
  port: number;
  base: string;
  redirectUri: string;
  backchannelLogoutUri: string;
}> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const redirectUri = `${base}/protected/redirect_uri`;
  return { port, base, redirectUri, backchannelLogoutUri: `${redirectUri}?logout=backchannel` };
}

/** Starts Apache with mod_auth_openidc on `port` as `client` of a Handoff already listening. */
export async function startOpenidc(port: number, client: OpenidcClient): Promise<Openidc> {
  const base = `http://127.0.0.1:${port}`;
  const redirectUri = `${base}/protected/redirect_uri`;
  const dir = mkdtempSync(join(tmpdir(), "handoff-openidc-"));
  let stderr = "";
  const errorLog = () =>
    existsSync(join(dir, "error.log")) ? readFileSync(join(dir, "error.log"), "utf8") : "";
  const logs = () =>
    `--- apache2 stderr\n${stderr}\n--- ${dir}/error.log\n${tail(join(dir, "error.log"))}\n--- ${dir}/access.log\n${tail(join(dir, "access.log"))}`;
  let child: ChildProcess | undefined;
  try {
    const user = childUser();
    mkdirSync(join(dir, "htdocs", "protected"), { recursive: true });
    const page = join(dir, "htdocs", "protected", "index.shtml");
    writeFileSync(page, PROTECTED_PAGE, { mode: 0o600 });
    const conf = join(dir, "httpd.conf");
    // The client secret and passphrase: readable by the parent (root) only.
    writeFileSync(conf, httpdConf(dir, port, user, client, redirectUri), { mode: 0o600 });
    if (user) {
      for (const path of [dir, join(dir, "htdocs"), join(dir, "htdocs", "protected"), page]) {
        chownSync(path, user.uid, user.gid);
      }
    }
    // In the foreground, in its own process group (see test/helpers/mellon.ts).
    const started = spawn(APACHE, ["-f", conf, "-DFOREGROUND"], {
      stdio: ["ignore", "ignore", "pipe"],
      detached: true,
    });
    child = started;
    started.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await waitForPort(port, started, logs);
    return {
      base,
      page: `${base}/protected/`,
      redirectUri,
      backchannelLogoutUri: `${redirectUri}?logout=backchannel`,
      errorLog,
      logs,
      stop: () => stopApache(started, dir),
    };
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
