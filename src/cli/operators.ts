// `handoff operator create|list|unlock`: the platform's team, who sign in to the console.
import { randomBytes } from "node:crypto";
import { type Cli, iso, parse, positional, print, UsageError, withServices } from "./io.js";

export async function operatorCommand(
  cli: Cli,
  verb: string | undefined,
  args: string[],
): Promise<void> {
  const { values, positionals } = parse(args, {
    email: { type: "string" },
    password: { type: "string" },
  });
  await withServices(cli, async (services) => {
    switch (verb) {
      case "create": {
        if (!values.email) throw new UsageError("operator create needs --email");
        const password =
          (values.password as string | undefined) ?? randomBytes(15).toString("base64url");
        const operator = await services.operators.create(String(values.email), password);
        print(cli, values.json as boolean, {
          id: operator.id,
          email: operator.email,
          ...(values.password === undefined ? { password } : {}),
        });
        return;
      }
      case "list":
        print(
          cli,
          values.json as boolean,
          (await services.operators.list()).map((o) => ({
            id: o.id,
            email: o.email,
            created_at: iso(o.created_at),
            locked_until: iso(o.locked_until),
          })),
        );
        return;
      case "unlock": {
        const email = positional(positionals, 0, "email");
        await services.operators.unlock(email);
        print(cli, values.json as boolean, { email, unlocked: true });
        return;
      }
      default:
        throw new UsageError("operator create --email E [--password P] | list | unlock EMAIL");
    }
  });
}
