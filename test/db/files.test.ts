// SECURITY row 58: the data directory and every SQLite file are private to the service's user.
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/open.js";
import { partnerRow } from "../helpers/app.js";

const mode = (path: string) => statSync(path).mode & 0o777;

describe("SQLite files", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "handoff-files-"));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it("creates the data directory 0700 and the database, WAL and shared-memory files 0600", async () => {
    const dir = join(root, "data");
    const database = await openDatabase(`sqlite:${join(dir, "handoff.db")}`);
    await database.migrate();
    await database.write((trx) => trx.insertInto("partners").values(partnerRow("p")).execute());
    expect(mode(dir)).toBe(0o700);
    for (const file of ["handoff.db", "handoff.db-wal", "handoff.db-shm"]) {
      expect(mode(join(dir, file)).toString(8), file).toBe("600");
    }
    await database.close();
  });

  it("takes back the read rights others had on an existing database", async () => {
    const path = join(root, "old.db");
    writeFileSync(path, "");
    chmodSync(path, 0o644);
    const database = await openDatabase(`sqlite:${path}`);
    expect(mode(path).toString(8)).toBe("600");
    await database.close();
  });
});
