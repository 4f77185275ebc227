// End users, keyed by (partner, external id), created just in time at mint.
import type { Tx } from "../db/database.js";
import type { Foundation, Module } from "../module.js";
import { UserService } from "./service.js";
import { UserStore } from "./store.js";

export interface UsersModule extends Module {
  users: UserService;
}

export function usersModule(
  deps: Foundation & {
    isLinked: (parent: string, child: string) => Promise<boolean>;
    /** What follows the end of the sessions a deletion ends, in its transaction. */
    sessionsEnded: (trx: Tx, ids: string[], now: number) => Promise<void>;
  },
): UsersModule {
  const { database, clock, isLinked, sessionsEnded } = deps;
  return {
    users: new UserService(database, new UserStore(database), clock, isLinked, sessionsEnded),
  };
}
