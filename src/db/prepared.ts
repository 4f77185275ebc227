// Hot queries compiled once. Kysely builds and compiles every query afresh (parsing, freezing and
// visiting its tree); on the mint and redemption paths that costs more than running the SQL. A
// prepared query is built once with named placeholders, compiled for the database's dialect on
// first use, and afterwards only its parameters change.
import { type Compilable, CompiledQuery, type Kysely, type Transaction } from "kysely";
import type { Tables } from "./schema.js";

const MARK = "\u0000handoff-param:";

/**
 * Runs one statement synchronously on SQLite's connection, skipping Kysely's connection and
 * promise layers (several microseconds a query; Kysely's SQLite driver makes this same call, so
 * rows and counts are the same). Answers undefined when it must not run now; the query then
 * goes through Kysely.
 */
export type DirectRunner = (
  sql: string,
  parameters: readonly unknown[],
) => { rows: unknown[]; numAffectedRows: number } | undefined;

/** Kysely instances (the root and open group-commit transactions) that may run directly. */
const direct = new WeakMap<object, DirectRunner>();

/** Lets prepared queries on `db` run through `runner` until the returned function is called. */
export function runDirectly(
  db: Kysely<Tables> | Transaction<Tables>,
  runner: DirectRunner,
): () => void {
  direct.set(db, runner);
  return () => direct.delete(db);
}

/** A named placeholder: use it wherever a value goes when building the query. */
export type Param = <T = string>(name: string) => T;

interface Compiled {
  sql: string;
  slots: (string | { value: unknown })[];
}

export class PreparedQuery<Row, Names extends string> {
  /** Compiled SQL per dialect (keyed by the dialect's adapter class): a pure function's memo. */
  readonly #compiled = new Map<unknown, Compiled>();

  constructor(private readonly build: (db: Kysely<Tables>, param: Param) => Compilable<Row>) {}

  /** Runs the query on `db` (or a transaction) with these parameter values. */
  async execute(
    db: Kysely<Tables> | Transaction<Tables>,
    values: Record<Names, unknown>,
  ): Promise<{ rows: Row[]; numAffectedRows: number }> {
    const dialect = db.getExecutor().adapter.constructor;
    let compiled = this.#compiled.get(dialect);
    if (!compiled) {
      const param: Param = <T>(name: string) => `${MARK}${name}` as T;
      const query = this.build(db as Kysely<Tables>, param).compile();
      compiled = {
        sql: query.sql,
        slots: query.parameters.map((p) =>
          typeof p === "string" && p.startsWith(MARK) ? p.slice(MARK.length) : { value: p },
        ),
      };
      this.#compiled.set(dialect, compiled);
    }
    const { sql, slots } = compiled;
    const parameters = slots.map((slot) =>
      typeof slot === "string" ? (values as Record<string, unknown>)[slot] : slot.value,
    );
    const ran = direct.get(db)?.(sql, parameters);
    if (ran) return ran as { rows: Row[]; numAffectedRows: number };
    const result = await db.executeQuery<Row>(CompiledQuery.raw(sql, parameters));
    return { rows: result.rows, numAffectedRows: Number(result.numAffectedRows ?? 0) };
  }
}
