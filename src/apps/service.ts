// Apps: the platform's web apps that users land in, with their return paths and session policy.
import type { Selectable } from "kysely";
import type { Clock } from "../clock.js";
import { newId } from "../crypto/secrets.js";
import type { Database } from "../db/database.js";
import type { AppTable } from "../db/schema.js";
import { HandoffError } from "../http/errors.js";

export type AppRow = Selectable<AppTable>;

export interface App {
  id: string;
  name: string;
  baseUrl: string;
  returnPaths: string[];
  products: string[];
  ticketTtlDefault: number;
  ticketTtlMax: number;
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
  failureUrl: string | null;
}

export interface NewApp {
  name: string;
  baseUrl: string;
  returnPaths?: string[];
  products?: string[];
  ticketTtlDefault?: number;
  ticketTtlMax?: number;
  sessionIdleSeconds?: number;
  sessionAbsoluteSeconds?: number;
  failureUrl?: string | null;
}

export const APP_DEFAULTS = {
  returnPaths: ["/"],
  ticketTtlDefault: 300,
  ticketTtlMax: 3600,
  sessionIdleSeconds: 30 * 60,
  sessionAbsoluteSeconds: 12 * 3600,
} as const;

function toApp(row: AppRow): App {
  return {
    id: row.id,
    name: row.name,
    baseUrl: row.base_url,
    returnPaths: JSON.parse(row.return_paths) as string[],
    products: JSON.parse(row.products) as string[],
    ticketTtlDefault: row.ticket_ttl_default,
    ticketTtlMax: row.ticket_ttl_max,
    sessionIdleSeconds: row.session_idle_seconds,
    sessionAbsoluteSeconds: row.session_absolute_seconds,
    failureUrl: row.failure_url,
  };
}

function httpUrl(value: string, field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new HandoffError("invalid_request", `${field} is not a URL`);
  }
  if (
    (url.protocol !== "https:" && url.protocol !== "http:") ||
    url.username ||
    url.password ||
    url.hash
  ) {
    throw new HandoffError(
      "invalid_request",
      `${field} must be an http(s) URL without credentials or fragment`,
    );
  }
  return url.href.replace(/\/+$/, "");
}

export class AppService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  async create(input: NewApp & { id?: string }): Promise<App> {
    const name = input.name.trim();
    if (!name || name.length > 200)
      throw new HandoffError("invalid_request", "name must be 1 to 200 characters");
    const returnPaths = input.returnPaths ?? [...APP_DEFAULTS.returnPaths];
    for (const path of returnPaths) {
      if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(path) || path.startsWith("//")) {
        throw new HandoffError("invalid_request", `return path "${path}" must be an absolute path`);
      }
    }
    const ttlDefault = input.ticketTtlDefault ?? APP_DEFAULTS.ticketTtlDefault;
    const ttlMax = input.ticketTtlMax ?? Math.max(APP_DEFAULTS.ticketTtlMax, ttlDefault);
    if (ttlDefault < 1 || ttlDefault > ttlMax) {
      throw new HandoffError(
        "invalid_request",
        "ticket TTL default must be between 1 second and the maximum",
      );
    }
    const now = this.clock.now();
    const row: AppRow = {
      id: input.id ?? newId("app"),
      name,
      base_url: httpUrl(input.baseUrl, "base_url"),
      return_paths: JSON.stringify(returnPaths),
      products: JSON.stringify(input.products ?? []),
      ticket_ttl_default: ttlDefault,
      ticket_ttl_max: ttlMax,
      session_idle_seconds: input.sessionIdleSeconds ?? APP_DEFAULTS.sessionIdleSeconds,
      session_absolute_seconds: input.sessionAbsoluteSeconds ?? APP_DEFAULTS.sessionAbsoluteSeconds,
      failure_url: input.failureUrl ? httpUrl(input.failureUrl, "failure_url") : null,
      created_at: now,
      updated_at: now,
    };
    await this.database.db.insertInto("apps").values(row).execute();
    return toApp(row);
  }

  async list(): Promise<App[]> {
    return (
      await this.database.db
        .selectFrom("apps")
        .selectAll()
        .orderBy("created_at")
        .orderBy("id")
        .execute()
    ).map(toApp);
  }

  async get(id: string): Promise<App> {
    const row = await this.database.db
      .selectFrom("apps")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) throw new HandoffError("not_found", `no app ${id}`);
    return toApp(row);
  }
}
