// The five vendors' shapes (docs/compat/), each a thin face over the native services, each in a
// scope of its own (each answers errors in its own envelope).
import type { Module } from "../module.js";
import { type BanckleDeps, banckleRoutes } from "./banckle.js";
import { type BluesnapDeps, bluesnapRoutes } from "./bluesnap.js";
import { type EnkashDeps, enkashRoutes } from "./enkash.js";
import { type SparrowDeps, sparrowRoutes } from "./sparrow.js";
import { type XoxodayDeps, xoxodayRoutes } from "./xoxoday.js";

export type CompatDeps = BanckleDeps & BluesnapDeps & EnkashDeps & SparrowDeps & XoxodayDeps;

export function compatModule(deps: CompatDeps): Module {
  return {
    routes: async (scope) => {
      await scope.register(async (shape) => sparrowRoutes(shape, deps));
      await scope.register(async (shape) => xoxodayRoutes(shape, deps));
      await scope.register(async (shape) => banckleRoutes(shape, deps));
      await scope.register(async (shape) => bluesnapRoutes(shape, deps));
      await scope.register(async (shape) => enkashRoutes(shape, deps));
    },
  };
}
