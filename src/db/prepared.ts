// Hot queries compiled once. Kysely builds and compiles every query afresh (parsing, freezing and
// visiting its tree); on the mint and redemption paths that costs more than running the SQL. A
// prepared query is built once with named placeholders, compiled for the database's dialect on
// first use, and afterwards only its parameters change.
import { type Compilable, CompiledQuery } from "kysely";
import type { Reader, Tx } from "./database.js";

const MARK = "\u0000handoff-param:";

/** A named placeholder: use it wherever a value goes when building the query. */
export type Param = <T = string>(name: string) => T;

interface Compiled {
  sql: string;
  slots: (string | { value: unknown })[];
}

export class PreparedQuery<Row, Names extends string> {
  /** Compiled SQL per dialect (keyed by the dialect's adapter class): a pure function's memo. */
  readonly #compiled = new Map<unknown, Compiled>();

  constructor(private readonly build: (db: Tx, param: Param) => Compilable<Row>) {}

  /** Runs the query on the reader or a write transaction with these parameter values. */
  async execute(
    db: Reader | Tx,
    values: Record<Names, unknown>,
  ): Promise<{ rows: Row[]; numAffectedRows: number }> {
    const executor = db.getExecutor();
    const dialect = executor.adapter.constructor;
    let compiled = this.#compiled.get(dialect);
    if (!compiled) {
      const param: Param = <T>(name: string) => `${MARK}${name}` as T;
      // Building needs only the query builders; a read query built from the reader stays a read.
      const query = this.build(db as Tx, param).compile();
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
    const result = await executor.executeQuery<Row>(CompiledQuery.raw(sql, parameters));
    return { rows: result.rows, numAffectedRows: Number(result.numAffectedRows ?? 0) };
  }
}
