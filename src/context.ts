// What every domain receives: configuration, storage, time, keys. Built once per app.
import type { Clock } from "./clock.js";
import type { Config } from "./config.js";
import type { Sealer } from "./crypto/seal.js";
import type { Database } from "./db/database.js";
import type { KeyStore } from "./keys/service.js";

export interface AppContext {
  config: Config;
  database: Database;
  clock: Clock;
  sealer: Sealer;
  keys: KeyStore;
}
