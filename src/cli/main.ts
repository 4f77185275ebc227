#!/usr/bin/env node
// The `handoff` command: start the service, migrate, and manage partners, tokens, keys and apps.
import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { compose } from "../compose.js";
import { ConfigError, loadConfig } from "../config.js";
import { HandoffError } from "../http/errors.js";
import { StartError, startServer } from "../main.js";
import { appCommand } from "./apps.js";
import { callbackCommand } from "./callbacks.js";
import { type Cli, UsageError } from "./io.js";
import { keysCommand } from "./keys.js";
import { operatorCommand } from "./operators.js";
import {
  apiTokenCommand,
  partnerCommand,
  partnerTokenCommand,
  partnerUserCommand,
  ssoKeyCommand,
} from "./partners.js";

const USAGE = `usage: handoff <command>

  start                                   run the service (migrates, creates the demo on an empty database)
  migrate                                 apply database migrations
  partner create --name N [--contract-expires ISO] | list | suspend ID | activate ID
  partner expire ID [--contract-expires ISO] | link PARENT CHILD | unlink PARENT CHILD
  partner-token rotate PARTNER [--overlap SECONDS]
  api-token create PARTNER [--name N] [--expires ISO] | list PARTNER | revoke PARTNER ID
  sso-key rotate PARTNER
  partner-user create PARTNER --login EMAIL|MOBILE [--password P] [--role admin|viewer]
      | list PARTNER | unlock PARTNER LOGIN
  operator create --email E [--password P] | list | unlock EMAIL
                                          (operators sign in to the console at /console)
  keys rotate | revoke KID | list | saml-rotate [--publish-days N] | saml-list
  app create --name N --url URL [--return-path P]… [--product P]… [--failure-url URL]
      [--ticket-ttl S] [--ticket-ttl-max S] [--session-idle S] [--session-absolute S]
      [--ip-binding exact|prefix] [--sees-auth-token true|false]
      [--redirect-uri URI]… [--post-logout-redirect-uri URI]… [--backchannel-logout-uri URI]
      [--frontchannel-logout-uri URI]
      [--refresh-tokens true|false]
      [--pkce-required true|false] [--sign-in-group G]
      [--saml-metadata FILE] [--saml-entity-id ID] [--saml-acs URL]… [--saml-name-id persistent|email]
      [--saml-cert FILE] [--saml-encryption-cert FILE] [--saml-slo URL] [--no-saml]
                                          (a redirect URI makes the app an OIDC client; "" clears a list;
                                           SAML options make it a SAML service provider: docs/saml.md)
  app update ID [same options] | rotate-secret ID | list
  callback set PARTNER balance|debit|refund|verify URL [--timeout-ms N] | list PARTNER
      | remove PARTNER KIND                (the partner's call-back endpoints: docs/callbacks.md)

Every command reads the same environment as the service (DATABASE_URL …); add --json for JSON output.
`;

/** Runs one `handoff` command; resolves to the process exit code. */
export async function runCli(argv: string[], cli: Cli): Promise<number> {
  try {
    await run(argv, cli);
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      cli.err(`handoff: configuration error: ${error.message}\n`);
    } else if (error instanceof UsageError) {
      cli.err(`handoff: ${error.message}\n\n${USAGE}`);
    } else if (error instanceof StartError) {
      cli.err(`handoff: ${error.message}\n`);
    } else if (error instanceof HandoffError) {
      cli.err(`handoff: ${error.code}: ${error.message}\n`);
    } else {
      cli.err(`handoff: ${(error as Error).stack ?? String(error)}\n`);
    }
    return 1;
  }
}

async function run(argv: string[], cli: Cli): Promise<void> {
  const [command, verb, ...rest] = argv;
  switch (command) {
    case "start":
      await startServer(loadConfig(cli.env));
      return;
    case "migrate": {
      const { domains } = await compose(loadConfig(cli.env));
      await domains.database.close();
      cli.out("database is up to date\n");
      return;
    }
    case "partner":
      return partnerCommand(cli, verb, rest);
    case "partner-token":
      return partnerTokenCommand(cli, verb, rest);
    case "api-token":
      return apiTokenCommand(cli, verb, rest);
    case "partner-user":
      return partnerUserCommand(cli, verb, rest);
    case "sso-key":
      return ssoKeyCommand(cli, verb, rest);
    case "operator":
      return operatorCommand(cli, verb, rest);
    case "keys":
      return keysCommand(cli, verb, rest);
    case "app":
      return appCommand(cli, verb, rest);
    case "callback":
      return callbackCommand(cli, verb, rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      cli.out(USAGE);
      return;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

// Run only when executed as the `handoff` binary, not when imported by tests.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const cli: Cli = {
    env: process.env,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  };
  process.exitCode = await runCli(process.argv.slice(2), cli);
}
