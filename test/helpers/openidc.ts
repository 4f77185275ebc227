// Debian's Apache with mod_auth_openidc as an OpenID Connect relying party of a running Handoff,
// on 127.0.0.1 and a free port, in a temporary directory, in the foreground (as test/helpers/
// mellon.ts runs mod_auth_mellon). Around the module's configuration the test adds only what a
// distribution's apache2.conf holds (port, pid and log files, modules, user) and a stand-in app:
// a page under `/protected/` that shows, through server-side includes, what mod_auth_openidc
// learnt of the person. Its redirect URI is `/protected/redirect_uri`, and its back-channel
// logout endpoint is that URI with `?logout=backchannel`.
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { apacheDir, apacheWith, childUser, httpdBase, runApache, stopApache } from "./apache.js";
import { freePort } from "./net.js";

/** In CI both must be there (.ci/run installs them); on a laptop without them, tests skip. */
export const openidcAvailable = apacheWith("auth_openidc");

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
  return `${httpdBase(dir, port, "127.0.0.1", user, "auth_openidc")}
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
  const { dir, logs, stderr } = apacheDir("openidc");
  const errorLog = () =>
    existsSync(join(dir, "error.log")) ? readFileSync(join(dir, "error.log"), "utf8") : "";
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
    const started = await runApache(conf, port, stderr, logs);
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
    const detail = logs();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\n${detail}`);
  }
}
