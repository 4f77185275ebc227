// What the console's faces (its JSON API and its pages) are built from.
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import type { Sealer } from "../crypto/seal.js";
import type { FailureLimiter } from "../http/failures.js";
import type { Management } from "./management.js";
import type { ConsoleAuth } from "./signin/service.js";

export interface ConsoleDeps {
  config: Config;
  clock: Clock;
  /** Console sign-in and sessions. */
  consoleAuth: ConsoleAuth;
  /** Wrong console passwords per client address. */
  consoleFailures: FailureLimiter;
  /** What the console and the management API may do, checked per viewer. */
  management: Management;
  /** Seals a new secret for the page that shows it once (pages/shown-once.ts). */
  sealer: Sealer;
}
