// Rows the benches put straight into Handoff's SQLite file: tickets whose secrets they keep.
import { mintSecret } from "../dist/crypto/secrets.js";
import { loadSqlite } from "../dist/db/sqlite-driver.js";

const SQLite = loadSqlite();

/** Inserts tickets whose secrets we keep, straight into the database, for the redemption pass. */
export function readyTickets(file, demo, count) {
  const db = new SQLite(file);
  const now = Date.now();
  const user = db
    .prepare("select id from users where partner_id = ? order by created_at limit 1")
    .get(demo.partner.id);
  const insert = db.prepare(
    `insert into tickets (id, secret_hash, partner_id, account_id, api_token_id, user_id, app_id,
      return_to, bind_ip, fields, otp, partner_data_sealed, context, status, reason, created_at,
      expires_at, finished_at, session_id, last_failure, last_failure_at)
     values (?, ?, ?, ?, null, ?, ?, '/', null, null, 'none', null, null, 'issued', null, ?, ?,
      null, null, null, null)`,
  );
  const tokens = [];
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const secret = mintSecret("hts");
      insert.run(
        secret.id,
        secret.hash,
        demo.partner.id,
        demo.partner.id,
        user.id,
        demo.app.id,
        now,
        now + 3600_000,
      );
      tokens.push(secret.token);
    }
  })();
  db.close();
  return tokens;
}
