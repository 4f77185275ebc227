// `handoff partner …`, `handoff partner-token …`, `handoff api-token …`, `handoff sso-key …`.
import { randomBytes } from "node:crypto";
import {
  type Cli,
  iso,
  parse,
  positional,
  print,
  timeOption,
  UsageError,
  withServices,
} from "./io.js";

export async function partnerCommand(
  cli: Cli,
  verb: string | undefined,
  args: string[],
): Promise<void> {
  const { values, positionals } = parse(args, {
    name: { type: "string" },
    "contract-expires": { type: "string" },
  });
  await withServices(cli, async (services) => {
    switch (verb) {
      case "create": {
        if (!values.name) throw new UsageError("partner create needs --name");
        const { partner, partnerToken } = await services.partners.create({
          name: String(values.name),
          contractExpiresAt: timeOption(
            values["contract-expires"] as string | undefined,
            "contract-expires",
          ),
        });
        print(cli, values.json as boolean, {
          id: partner.id,
          name: partner.name,
          partner_token: partnerToken,
        });
        if (!values.json) cli.err("The partner token is shown once; give it to the partner now.\n");
        return;
      }
      case "list":
        print(
          cli,
          values.json as boolean,
          (await services.partners.list()).map((p) => ({
            id: p.id,
            name: p.name,
            status: p.status,
            contract_expires_at: iso(p.contract_expires_at),
          })),
        );
        return;
      case "suspend":
      case "activate":
        await services.partners.setStatus(
          positional(positionals, 0, "partner id"),
          verb === "suspend" ? "suspended" : "active",
        );
        print(cli, values.json as boolean, {
          id: positionals[0],
          status: verb === "suspend" ? "suspended" : "active",
        });
        return;
      case "expire": {
        const id = positional(positionals, 0, "partner id");
        const at = timeOption(values["contract-expires"] as string | undefined, "contract-expires");
        await services.partners.setContractExpiry(id, at);
        print(cli, values.json as boolean, { id, contract_expires_at: iso(at) });
        return;
      }
      case "link":
      case "unlink": {
        const parent = positional(positionals, 0, "parent id");
        const child = positional(positionals, 1, "sub-account id");
        if (verb === "link") await services.partners.link(parent, child);
        else await services.partners.unlink(parent, child);
        print(cli, values.json as boolean, { parent, sub_account: child, linked: verb === "link" });
        return;
      }
      default:
        throw new UsageError("partner create|list|suspend|activate|expire|link|unlink");
    }
  });
}

export async function partnerTokenCommand(
  cli: Cli,
  verb: string | undefined,
  args: string[],
): Promise<void> {
  const { values, positionals } = parse(args, { overlap: { type: "string" } });
  if (verb !== "rotate")
    throw new UsageError("partner-token rotate <partner id> [--overlap seconds]");
  const overlap = values.overlap === undefined ? undefined : Number(values.overlap);
  if (overlap !== undefined && (!Number.isInteger(overlap) || overlap < 0)) {
    throw new UsageError("--overlap must be a whole number of seconds");
  }
  await withServices(cli, async (services) => {
    const id = positional(positionals, 0, "partner id");
    const token = await services.partners.rotatePartnerToken(id, overlap);
    print(cli, values.json as boolean, { partner_id: id, partner_token: token });
  });
}

export async function apiTokenCommand(
  cli: Cli,
  verb: string | undefined,
  args: string[],
): Promise<void> {
  const { values, positionals } = parse(args, {
    name: { type: "string" },
    expires: { type: "string" },
  });
  await withServices(cli, async (services) => {
    const partnerId = positional(positionals, 0, "partner id");
    switch (verb) {
      case "create": {
        const { apiToken, token } = await services.partners.createApiToken(partnerId, {
          name: String(values.name ?? "default"),
          expiresAt: timeOption(values.expires as string | undefined, "expires"),
        });
        print(cli, values.json as boolean, {
          id: apiToken.id,
          name: apiToken.name,
          expires_at: iso(apiToken.expires_at),
          api_token: token,
        });
        return;
      }
      case "list":
        print(
          cli,
          values.json as boolean,
          (await services.partners.listApiTokens(partnerId)).map((t) => ({
            id: t.id,
            name: t.name,
            created_at: iso(t.created_at),
            expires_at: iso(t.expires_at),
            last_used_at: iso(t.last_used_at),
            revoked_at: iso(t.revoked_at),
          })),
        );
        return;
      case "revoke": {
        const id = positional(positionals, 1, "api token id");
        await services.partners.revokeApiToken(partnerId, id);
        print(cli, values.json as boolean, { id, revoked: true });
        return;
      }
      default:
        throw new UsageError("api-token create|list|revoke <partner id> …");
    }
  });
}

export async function ssoKeyCommand(
  cli: Cli,
  verb: string | undefined,
  args: string[],
): Promise<void> {
  const { values, positionals } = parse(args);
  if (verb !== "rotate") throw new UsageError("sso-key rotate <partner id>");
  await withServices(cli, async (services) => {
    const id = positional(positionals, 0, "partner id");
    print(cli, values.json as boolean, {
      partner_id: id,
      sso_key: await services.partners.rotateSsoKey(id),
    });
  });
}

export async function partnerUserCommand(
  cli: Cli,
  verb: string | undefined,
  args: string[],
): Promise<void> {
  const { values, positionals } = parse(args, {
    login: { type: "string" },
    password: { type: "string" },
    role: { type: "string" },
  });
  await withServices(cli, async (services) => {
    const partnerId = positional(positionals, 0, "partner id");
    switch (verb) {
      case "create": {
        if (!values.login) throw new UsageError("partner-user create needs --login");
        const password =
          (values.password as string | undefined) ?? randomBytes(15).toString("base64url");
        const role = values.role ?? "admin";
        if (role !== "admin" && role !== "viewer") {
          throw new UsageError("--role is admin or viewer");
        }
        const user = await services.partnerUsers.create(partnerId, String(values.login), password, {
          role,
        });
        print(cli, values.json as boolean, {
          id: user.id,
          login: user.login,
          role: user.role,
          ...(values.password === undefined ? { password } : {}),
        });
        return;
      }
      case "list":
        print(
          cli,
          values.json as boolean,
          (await services.partnerUsers.list(partnerId)).map((u) => ({
            id: u.id,
            login: u.login,
            role: u.role,
            failed_attempts: u.failed_attempts,
            locked_until: iso(u.locked_until),
          })),
        );
        return;
      case "unlock": {
        const login = positional(positionals, 1, "login");
        await services.partnerUsers.unlock(partnerId, { login });
        print(cli, values.json as boolean, { partner_id: partnerId, login, unlocked: true });
        return;
      }
      default:
        throw new UsageError("partner-user create|list|unlock <partner id> …");
    }
  });
}
