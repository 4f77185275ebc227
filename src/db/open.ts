// Opens the database a URL names; each dialect is loaded only when asked for.
import type { Database, OpenOptions } from "./database.js";

/** Opens a database from a `sqlite:`, `postgres://` or `pglite:` URL. */
export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  if (url.startsWith("sqlite:")) {
    const { openSqlite } = await import("./sqlite.js");
    return openSqlite(url.slice("sqlite:".length), options);
  }
  const { openPglite, openPostgres } = await import("./postgres.js");
  if (url.startsWith("pglite:")) return openPglite(url.slice("pglite:".length), options);
  return openPostgres(url, options);
}
