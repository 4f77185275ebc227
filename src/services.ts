// The domain services of one app, wired once from the context.

import { AppService } from "./apps/service.js";
import { FailureLimiter } from "./auth/failures.js";
import { AuthService } from "./auth/service.js";
import type { AppContext } from "./context.js";
import { OperatorService } from "./operators/service.js";
import { PartnerService } from "./partners/service.js";

export interface Services extends AppContext {
  auth: AuthService;
  partners: PartnerService;
  apps: AppService;
  operators: OperatorService;
  exchangeFailures: FailureLimiter;
}

export function buildServices(ctx: AppContext): Services {
  const auth = new AuthService(ctx.database, ctx.clock, ctx.keys, ctx.config.authCacheMs);
  const partners = new PartnerService(
    ctx.database,
    ctx.clock,
    ctx.config.partnerTokenOverlapSeconds,
    () => auth.credentialsChanged(),
  );
  return {
    ...ctx,
    auth,
    partners,
    apps: new AppService(ctx.database, ctx.clock),
    operators: new OperatorService(ctx.database, ctx.clock),
    exchangeFailures: new FailureLimiter("exchange", ctx.config.authFailuresPerMinute),
  };
}
