// `handoff keys rotate|revoke|list`: the signing keys behind access tokens and the JWKS;
// `handoff keys saml-rotate|saml-list`: the SAML identity provider's (src/saml/keys.ts).
import { type Cli, parse, positional, print, UsageError, withServices } from "./io.js";

export async function keysCommand(
  cli: Cli,
  verb: string | undefined,
  args: string[],
): Promise<void> {
  const { values, positionals } = parse(args, { "publish-days": { type: "string" } });
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
      case "saml-rotate": {
        const days = Number(values["publish-days"] ?? 7);
        if (!Number.isInteger(days) || days < 0 || days > 365) {
          throw new UsageError("--publish-days must be a whole number of days, 0 to 365");
        }
        print(cli, values.json as boolean, {
          kid: await services.saml.keys.rotate(days),
          note: `published in /saml/metadata now, signing in ${days} day(s): give each SAML SP the new metadata before then; keys older than the current signer are retired`,
        });
        return;
      }
      case "saml-list":
        print(cli, values.json as boolean, await services.saml.keys.list());
        return;
      default:
        throw new UsageError(
          "keys rotate|revoke <kid>|list|saml-rotate [--publish-days N]|saml-list",
        );
    }
  });
}
