// The domain services of one app, wired once from the context.

import { AppService } from "./apps/service.js";
import { FailureLimiter } from "./auth/failures.js";
import { RefreshTokenService } from "./auth/refresh.js";
import { AuthService } from "./auth/service.js";
import type { AppContext } from "./context.js";
import { OperatorService } from "./operators/service.js";
import { PartnerService } from "./partners/service.js";
import { PartnerUserService } from "./partners/users.js";
import { SessionService } from "./sso/sessions.js";
import { TicketService } from "./sso/tickets.js";
import { UserService } from "./users/service.js";

export interface Services extends AppContext {
  auth: AuthService;
  partners: PartnerService;
  apps: AppService;
  operators: OperatorService;
  exchangeFailures: FailureLimiter;
  users: UserService;
  sessions: SessionService;
  tickets: TicketService;
  /** Unknown tickets and bad app secrets per client IP. */
  redeemFailures: FailureLimiter;
  partnerUsers: PartnerUserService;
  refreshTokens: RefreshTokenService;
}

export function buildServices(ctx: AppContext): Services {
  const auth = new AuthService(ctx.database, ctx.clock, ctx.keys, ctx.config.authCacheMs);
  const partners = new PartnerService(
    ctx.database,
    ctx.clock,
    ctx.config.partnerTokenOverlapSeconds,
    () => {
      auth.credentialsChanged();
      sessions.forget();
    },
  );
  const apps = new AppService(ctx.database, ctx.clock, ctx.config.authCacheMs);
  const users = new UserService(ctx.database, ctx.clock);
  const sessions = new SessionService(
    ctx.database,
    ctx.clock,
    apps,
    auth,
    ctx.sealer,
    ctx.config.authCacheMs,
  );
  const tickets = new TicketService(
    ctx.database,
    ctx.clock,
    ctx.sealer,
    apps,
    users,
    sessions,
    auth,
  );
  return {
    ...ctx,
    auth,
    partners,
    apps,
    operators: new OperatorService(ctx.database, ctx.clock),
    exchangeFailures: new FailureLimiter("exchange", ctx.config.authFailuresPerMinute),
    users,
    sessions,
    tickets,
    redeemFailures: new FailureLimiter("redeem", ctx.config.authFailuresPerMinute),
    partnerUsers: new PartnerUserService(
      ctx.database,
      ctx.clock,
      ctx.config.partnerUserLockSeconds,
    ),
    refreshTokens: new RefreshTokenService(ctx.database, ctx.clock),
  };
}
