// OIDC codes and tokens are stored by the hash of their id, without the `jti` copy in the payload
// (src/oidc/adapter.ts): existing rows are rewritten the same way, so live tokens keep working.
import { createHash } from "node:crypto";
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations run against an untyped schema
type AnyDb = Kysely<any>;

const TOKEN_MODELS = [
  "AccessToken",
  "AuthorizationCode",
  "RefreshToken",
  "DeviceCode",
  "BackchannelAuthenticationRequest",
];

export async function up(db: AnyDb): Promise<void> {
  const rows = await db
    .selectFrom("oidc_models")
    .select(["model", "id", "payload"])
    .where("model", "in", TOKEN_MODELS)
    .execute();
  for (const row of rows as { model: string; id: string; payload: string }[]) {
    const { jti: _jti, ...payload } = JSON.parse(row.payload) as Record<string, unknown>;
    await db
      .updateTable("oidc_models")
      .set({
        id: createHash("sha256").update(row.id).digest("hex"),
        payload: JSON.stringify(payload),
      })
      .where("model", "=", row.model)
      .where("id", "=", row.id)
      .execute();
  }
}

export async function down(): Promise<void> {
  // A hash cannot be turned back into the token; the rows stay as they are.
}
