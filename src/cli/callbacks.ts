// `handoff callback set|list|remove`: a partner's call-back endpoints (docs/callbacks.md).
import { type Cli, parse, positional, print, UsageError, withServices } from "./io.js";

export async function callbackCommand(
  cli: Cli,
  verb: string | undefined,
  args: string[],
): Promise<void> {
  const { values, positionals } = parse(args, { "timeout-ms": { type: "string" } });
  await withServices(cli, async (services) => {
    const partnerId = positional(positionals, 0, "partner id");
    switch (verb) {
      case "set": {
        const kind = positional(positionals, 1, "kind (balance, debit, refund, verify)");
        const url = positional(positionals, 2, "url");
        const timeout = values["timeout-ms"];
        const result = await services.callbacks.set(partnerId, kind, {
          url,
          ...(timeout === undefined ? {} : { timeoutMs: Number(timeout) }),
        });
        print(cli, values.json as boolean, result);
        if (result.secret && !values.json) {
          cli.err("The signing secret is shown once: give it to the partner to verify calls.\n");
        }
        return;
      }
      case "list":
        print(cli, values.json as boolean, await services.callbacks.list(partnerId));
        return;
      case "remove": {
        const kind = positional(positionals, 1, "kind");
        await services.callbacks.remove(partnerId, kind);
        print(cli, values.json as boolean, { partner_id: partnerId, kind, removed: true });
        return;
      }
      default:
        throw new UsageError(
          "callback set PARTNER KIND URL [--timeout-ms N]|list PARTNER|remove PARTNER KIND",
        );
    }
  });
}
