// The demo app's pages (and the demo's mailbox), served only where the demo is.
import type { Module } from "../module.js";
import { type DemoPageDeps, demoAppRoutes } from "./app-page.js";

export function demoModule(deps: DemoPageDeps & { serve: boolean }): Module {
  return deps.serve ? { routes: (scope) => demoAppRoutes(scope, deps) } : {};
}
