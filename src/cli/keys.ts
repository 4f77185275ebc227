// `handoff keys rotate|revoke|list`: the signing keys behind access tokens and the JWKS.
import { parse, positional, print, UsageError, withServices } from "./io.js";

export async function keysCommand(verb: string | undefined, args: string[]): Promise<void> {
  const { values, positionals } = parse(args);
  await withServices(async (services) => {
    switch (verb) {
      case "rotate":
        print(values.json as boolean, {
          kid: await services.keys.rotate(),
          note: "older keys verify for 24 h more",
        });
        return;
      case "revoke": {
        const kid = positional(positionals, 0, "kid");
        if (!(await services.keys.revoke(kid))) throw new UsageError(`no live key ${kid}`);
        print(values.json as boolean, { kid, revoked: true });
        return;
      }
      case "list":
        print(
          values.json as boolean,
          services.keys.jwks().keys.map((k) => ({ kid: k.kid, alg: k.alg, crv: k.crv })),
        );
        return;
      default:
        throw new UsageError("keys rotate|revoke <kid>|list");
    }
  });
}
