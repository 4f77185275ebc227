#!/usr/bin/env node
// The `handoff` command: start the service, migrate, and manage partners, tokens, keys and apps.
import { buildContext } from "../app.js";
import { ConfigError, loadConfig } from "../config.js";
import { HandoffError } from "../http/errors.js";
import { startServer } from "../main.js";
import { appCommand } from "./apps.js";
import { UsageError } from "./io.js";
import { keysCommand } from "./keys.js";
import { apiTokenCommand, partnerCommand, partnerTokenCommand, ssoKeyCommand } from "./partners.js";

const USAGE = `usage: handoff <command>

  start                                   run the service (migrates, creates the demo on an empty database)
  migrate                                 apply database migrations
  partner create --name N [--contract-expires ISO] | list | suspend ID | activate ID
  partner expire ID [--contract-expires ISO] | link PARENT CHILD | unlink PARENT CHILD
  partner-token rotate PARTNER [--overlap SECONDS]
  api-token create PARTNER [--name N] [--expires ISO] | list PARTNER | revoke PARTNER ID
  sso-key rotate PARTNER
  keys rotate | revoke KID | list
  app create --name N --url URL [--return-path P]… [--product P]… [--failure-url URL] | list

Every command reads the same environment as the service (DATABASE_URL …); add --json for JSON output.
`;

async function run(argv: string[]): Promise<void> {
  const [command, verb, ...rest] = argv;
  switch (command) {
    case "start":
      await startServer(loadConfig());
      return;
    case "migrate": {
      const ctx = await buildContext(loadConfig());
      await ctx.database.close();
      process.stdout.write("database is up to date\n");
      return;
    }
    case "partner":
      return partnerCommand(verb, rest);
    case "partner-token":
      return partnerTokenCommand(verb, rest);
    case "api-token":
      return apiTokenCommand(verb, rest);
    case "sso-key":
      return ssoKeyCommand(verb, rest);
    case "keys":
      return keysCommand(verb, rest);
    case "app":
      return appCommand(verb, rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

run(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`handoff: configuration error: ${error.message}\n`);
  } else if (error instanceof UsageError) {
    process.stderr.write(`handoff: ${error.message}\n\n${USAGE}`);
  } else if (error instanceof HandoffError) {
    process.stderr.write(`handoff: ${error.code}: ${error.message}\n`);
  } else {
    process.stderr.write(`handoff: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exitCode = 1;
});
