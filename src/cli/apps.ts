// `handoff app create|list|update|rotate-secret`: the platform's web apps that users land in.
import { readFileSync } from "node:fs";
import type { SamlSettings } from "../apps/saml-settings.js";
import { type App, type AppChanges, appView } from "../apps/service.js";
import { samlSettingsFromMetadata } from "../saml/settings.js";
import { landingUrl } from "../tickets/return-path.js";
import { type Cli, type Parsed, parse, positional, print, UsageError, withServices } from "./io.js";

/** Every option of `app create` and `app update` (the usage text lists each one). */
export const APP_OPTIONS = {
  name: { type: "string" },
  url: { type: "string" },
  "return-path": { type: "string", multiple: true },
  product: { type: "string", multiple: true },
  "failure-url": { type: "string" },
  "ticket-ttl": { type: "string" },
  "ticket-ttl-max": { type: "string" },
  "session-idle": { type: "string" },
  "session-absolute": { type: "string" },
  "ip-binding": { type: "string" },
  "sees-auth-token": { type: "string" },
  "redirect-uri": { type: "string", multiple: true },
  "post-logout-redirect-uri": { type: "string", multiple: true },
  "backchannel-logout-uri": { type: "string" },
  "frontchannel-logout-uri": { type: "string" },
  "refresh-tokens": { type: "string" },
  "pkce-required": { type: "string" },
  "sign-in-group": { type: "string" },
  "saml-metadata": { type: "string" },
  "saml-entity-id": { type: "string" },
  "saml-acs": { type: "string", multiple: true },
  "saml-name-id": { type: "string" },
  "saml-cert": { type: "string" },
  "saml-encryption-cert": { type: "string" },
  "saml-slo": { type: "string" },
  "no-saml": { type: "boolean" },
} as const;

/**
 * The app as a SAML SP from the options: its metadata file (`--saml-metadata`), then each field
 * given, over what the app has. undefined: no SAML option given; null: `--no-saml`.
 */
function samlChanges(
  values: Parsed["values"],
  current: SamlSettings | null,
): SamlSettings | null | undefined {
  if (values["no-saml"]) return null;
  const given = Object.keys(values).filter((key) => key.startsWith("saml-"));
  if (given.length === 0) return undefined;
  const file = values["saml-metadata"];
  let settings: SamlSettings = file
    ? samlSettingsFromMetadata(readFileSync(String(file), "utf8"))
    : (current ?? {
        entityId: "",
        acsUrls: [],
        nameIdFormat: "persistent",
        certificate: null,
        sloUrl: null,
      });
  if (values["saml-entity-id"] !== undefined)
    settings = { ...settings, entityId: String(values["saml-entity-id"]) };
  if (values["saml-acs"] !== undefined)
    settings = { ...settings, acsUrls: values["saml-acs"] as string[] };
  const format = values["saml-name-id"];
  if (format !== undefined) {
    if (format !== "persistent" && format !== "email") {
      throw new UsageError("--saml-name-id must be persistent or email");
    }
    settings = { ...settings, nameIdFormat: format };
  }
  const cert = values["saml-cert"];
  if (cert !== undefined)
    settings = { ...settings, certificate: cert ? readFileSync(String(cert), "utf8") : null };
  const encryptionCert = values["saml-encryption-cert"];
  if (encryptionCert !== undefined) {
    settings = {
      ...settings,
      encryptionCertificate: encryptionCert ? readFileSync(String(encryptionCert), "utf8") : null,
    };
  }
  const slo = values["saml-slo"];
  if (slo !== undefined) settings = { ...settings, sloUrl: String(slo) || null };
  return settings;
}

function flag(values: Parsed["values"], name: string): boolean | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (value !== "true" && value !== "false")
    throw new UsageError(`--${name} must be true or false`);
  return value === "true";
}

function whole(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--${flag} must be a whole number of seconds`);
  return n;
}

function changes(values: Parsed["values"]): AppChanges {
  const binding = values["ip-binding"];
  if (binding !== undefined && binding !== "exact" && binding !== "prefix") {
    throw new UsageError("--ip-binding must be exact or prefix");
  }
  const sees = flag(values, "sees-auth-token");
  const refresh = flag(values, "refresh-tokens");
  const pkce = flag(values, "pkce-required");
  const out: AppChanges = {};
  if (values.name !== undefined) out.name = String(values.name);
  if (values.url !== undefined) out.baseUrl = String(values.url);
  if (values["return-path"] !== undefined) out.returnPaths = values["return-path"] as string[];
  if (values.product !== undefined) out.products = values.product as string[];
  if (values["failure-url"] !== undefined) out.failureUrl = String(values["failure-url"]) || null;
  const ttl = whole(values["ticket-ttl"], "ticket-ttl");
  if (ttl !== undefined) out.ticketTtlDefault = ttl;
  const ttlMax = whole(values["ticket-ttl-max"], "ticket-ttl-max");
  if (ttlMax !== undefined) out.ticketTtlMax = ttlMax;
  const idle = whole(values["session-idle"], "session-idle");
  if (idle !== undefined) out.sessionIdleSeconds = idle;
  const absolute = whole(values["session-absolute"], "session-absolute");
  if (absolute !== undefined) out.sessionAbsoluteSeconds = absolute;
  if (binding !== undefined) out.ipBinding = binding;
  if (sees !== undefined) out.seesAuthToken = sees;
  // An empty value clears the list (`--redirect-uri ""` turns OIDC off for the app).
  const uris = (name: string) =>
    values[name] === undefined ? undefined : (values[name] as string[]).filter((u) => u !== "");
  const redirects = uris("redirect-uri");
  if (redirects) out.redirectUris = redirects;
  const logouts = uris("post-logout-redirect-uri");
  if (logouts) out.postLogoutRedirectUris = logouts;
  if (values["backchannel-logout-uri"] !== undefined)
    out.backchannelLogoutUri = String(values["backchannel-logout-uri"]) || null;
  if (values["frontchannel-logout-uri"] !== undefined)
    out.frontchannelLogoutUri = String(values["frontchannel-logout-uri"]) || null;
  if (refresh !== undefined) out.refreshTokens = refresh;
  if (pkce !== undefined) out.pkceRequired = pkce;
  if (values["sign-in-group"] !== undefined)
    out.signInGroup = String(values["sign-in-group"]) || null;
  return out;
}

/** The app's URL is kept without a trailing slash: say so rather than change it silently. */
function noteUrl(cli: Cli, given: unknown, app: App): void {
  if (typeof given !== "string" || given === app.baseUrl) return;
  cli.err(
    `handoff: --url ${given} is kept as ${app.baseUrl} (no trailing slash); people land on it + the return path, e.g. ${landingUrl(app.baseUrl, app.returnPaths[0] ?? "/")}\n`,
  );
}

export async function appCommand(
  cli: Cli,
  verb: string | undefined,
  args: string[],
): Promise<void> {
  const { values, positionals } = parse(args, APP_OPTIONS);
  await withServices(cli, async (services) => {
    switch (verb) {
      case "create": {
        if (!values.name || !values.url) throw new UsageError("app create needs --name and --url");
        const saml = samlChanges(values, null);
        const app = await services.apps.create({
          ...changes(values),
          ...(saml ? { saml } : {}),
          name: String(values.name),
          baseUrl: String(values.url),
        });
        const secret = await services.apps.rotateSecret(app.id);
        // The view of the app as it now is: with the secret just issued (has_secret true).
        const view = appView({ ...app, hasSecret: true });
        print(cli, values.json as boolean, { ...view, app_secret: secret });
        noteUrl(cli, values.url, app);
        if (!values.json)
          cli.err(
            app.oidc.redirectUris.length > 0
              ? `The app secret is shown once. OIDC: client id ${app.id}, client secret = the app secret, issuer ${services.config.baseUrl}/oidc.\n`
              : "The app secret is shown once; the app's backend uses it for introspection.\n",
          );
        return;
      }
      case "update": {
        const id = positional(positionals, 0, "app id");
        const saml = samlChanges(values, (await services.apps.get(id)).saml);
        const app = await services.apps.update(id, {
          ...changes(values),
          ...(saml === undefined ? {} : { saml }),
        });
        print(cli, values.json as boolean, appView(app));
        noteUrl(cli, values.url, app);
        return;
      }
      case "rotate-secret": {
        const id = positional(positionals, 0, "app id");
        print(cli, values.json as boolean, {
          id,
          app_secret: await services.apps.rotateSecret(id),
        });
        return;
      }
      case "list":
        print(cli, values.json as boolean, (await services.apps.list()).map(appView));
        return;
      default:
        throw new UsageError("app create|list|update <id>|rotate-secret <id>");
    }
  });
}
