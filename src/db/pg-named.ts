// Named statements on PostgreSQL. An unnamed statement (what node-postgres sends by default) is
// parsed and planned afresh on every execution; a named one is parsed once per connection and
// its plan reused. On the redemption path PostgreSQL spent 35–45 % less CPU per redemption with
// them (`npm run bench:cluster`, docs/scaling.md). Kysely sends every query through
// `client.query(text, values)`; this gives each distinct text with parameters a name.
import type pg from "pg";

/** Distinct texts named at most (per process; each connection prepares those it runs). */
const MAX_NAMED = 500;
/** "cached plan must not change result type": a migration changed a table under a named `select *`. */
const PLAN_CHANGED = "0A000";

const names = new Map<string, string>();

type Query = (...args: unknown[]) => Promise<unknown>;

/** Makes `client` run parameterised queries as named statements. */
export function nameStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as Query;
  /** Texts whose named plan went stale on this connection (another node migrated): unnamed. */
  const stale = new Set<string>();
  const named: Query = async (text, values, ...rest) => {
    if (
      typeof text !== "string" ||
      !Array.isArray(values) ||
      values.length === 0 ||
      rest.length > 0 ||
      stale.has(text)
    ) {
      return query(text, values, ...rest);
    }
    let name = names.get(text);
    if (name === undefined) {
      if (names.size >= MAX_NAMED) return query(text, values);
      name = `handoff_${names.size}`;
      names.set(text, name);
    }
    try {
      return await query({ name, text, values });
    } catch (error) {
      if ((error as { code?: unknown }).code !== PLAN_CHANGED) throw error;
      stale.add(text);
      // Outside a transaction the unnamed statement answers; inside one, the transaction is
      // aborted, and the write is run again whole (PLAN_CHANGED is retried, src/db/postgres.ts).
      return query(text, values).catch(() => {
        throw error;
      });
    }
  };
  (client as unknown as { query: Query }).query = named;
}
