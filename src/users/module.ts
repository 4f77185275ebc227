// End users, keyed by (partner, external id), created just in time at mint.
import type { Foundation, Module } from "../module.js";
import { UserService } from "./service.js";
import { UserStore } from "./store.js";

export interface UsersModule extends Module {
  users: UserService;
}

export function usersModule(
  deps: Foundation & { isLinked: (parent: string, child: string) => Promise<boolean> },
): UsersModule {
  const { database, clock, isLinked } = deps;
  return { users: new UserService(database, new UserStore(database), clock, isLinked) };
}
