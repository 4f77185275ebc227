// `handoff keys rotate|revoke|list`: the signing keys behind access tokens and the JWKS.
import { type Cli, parse, positional, print, UsageError, withServices } from "./io.js";

export async function keysCommand(
  cli: Cli,
  verb: string | undefined,
  args: string[],
): Promise<void> {
  const { values, positionals } = parse(args);
  await withServices(cli, async (services) => {
    switch (verb) {
      case "rotate":
        print(cli, values.json as boolean, {
          kid: await services.keys.rotate(),
          note: "published now, signing in 2 min (every node reloads keys each minute); older keys verify for 24 h 5 min more",
        });
        return;
      case "revoke": {
        const kid = positional(positionals, 0, "kid");
        if (!(await services.keys.revoke(kid))) throw new UsageError(`no live key ${kid}`);
        print(cli, values.json as boolean, { kid, revoked: true });
        return;
      }
      case "list":
        print(
          cli,
          values.json as boolean,
          services.keys.jwks().keys.map((k) => ({ kid: k.kid, alg: k.alg, crv: k.crv })),
        );
        return;
      default:
        throw new UsageError("keys rotate|revoke <kid>|list");
    }
  });
}
