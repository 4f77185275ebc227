// `handoff app create|list`: the platform's web apps that users land in.
import { type Cli, parse, print, UsageError, withServices } from "./io.js";

export async function appCommand(
  cli: Cli,
  verb: string | undefined,
  args: string[],
): Promise<void> {
  const { values } = parse(args, {
    name: { type: "string" },
    url: { type: "string" },
    "return-path": { type: "string", multiple: true },
    product: { type: "string", multiple: true },
    "failure-url": { type: "string" },
  });
  await withServices(cli, async (services) => {
    switch (verb) {
      case "create": {
        if (!values.name || !values.url) throw new UsageError("app create needs --name and --url");
        const app = await services.apps.create({
          name: String(values.name),
          baseUrl: String(values.url),
          returnPaths: (values["return-path"] as string[] | undefined) ?? ["/"],
          products: (values.product as string[] | undefined) ?? [],
          failureUrl: (values["failure-url"] as string | undefined) ?? null,
        });
        print(cli, values.json as boolean, {
          id: app.id,
          name: app.name,
          url: app.baseUrl,
          return_paths: app.returnPaths.join(" "),
        });
        return;
      }
      case "list":
        print(
          cli,
          values.json as boolean,
          (await services.apps.list()).map((a) => ({
            id: a.id,
            name: a.name,
            url: a.baseUrl,
            products: a.products.join(" "),
          })),
        );
        return;
      default:
        throw new UsageError("app create|list");
    }
  });
}
