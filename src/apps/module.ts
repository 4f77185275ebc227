// The apps people land in (their OIDC and SAML settings included).
import type { AuditLog } from "../audit/log.js";
import { parseCidrs } from "../http/cidr.js";
import type { Foundation, Module } from "../module.js";
import { AppService } from "./service.js";
import { AppStore } from "./store.js";

export interface AppsModule extends Module {
  apps: AppService;
}

export function appsModule(deps: Foundation & { audit: AuditLog }): AppsModule {
  const { database, clock, config, audit } = deps;
  const apps = new AppService(
    database,
    new AppStore(database),
    clock,
    config.authCacheMs,
    audit,
    parseCidrs(config.outboundAllow),
  );
  return {
    apps,
    onChange: (change) => {
      if (change.topic === "app") apps.forget(change.key);
      else if (change.topic === "all") apps.forget();
    },
  };
}
