// The shapes the management layer works with: what it depends on, who acts, and the views and
// paging it answers (src/console/management.ts).
import type { App, AppChanges, NewApp } from "../apps/service.js";
import type { Actor, AuditStore } from "../audit/store.js";
import type { CallbackService } from "../callbacks/service.js";
import type { KeyStore } from "../keys/service.js";
import type { OperatorService } from "../operators/service.js";
import type { PartnerService } from "../partners/service.js";
import type { Partner } from "../partners/store.js";
import type { PartnerUserService } from "../partners/users.js";
import type { SessionService } from "../sessions/service.js";
import type { TicketService, TicketStatusView } from "../tickets/service.js";
import type { UserRow, UserService } from "../users/service.js";
import type { WebhookService } from "../webhooks/service.js";
import type { Viewer } from "./signin/service.js";

export interface ManagementDeps {
  partners: PartnerService;
  partnerUsers: PartnerUserService;
  operators: OperatorService;
  apps: {
    list(): Promise<App[]>;
    get(id: string): Promise<App>;
    create(input: NewApp, by: Actor): Promise<App>;
    update(id: string, changes: AppChanges, by: Actor): Promise<App>;
    rotateSecret(id: string, by: Actor): Promise<string>;
  };
  keys: KeyStore;
  callbacks: CallbackService;
  webhooks: WebhookService;
  tickets: TicketService;
  sessions: SessionService;
  users: UserService;
  audit: AuditStore;
}

/** The signed-in person and the address they act from: what every audit entry records. */
export interface Acting {
  viewer: Viewer;
  ip: string;
}

export interface PartnerView extends Partner {
  sub_accounts: string[];
}

export interface Page {
  before?: number | undefined;
  limit?: number | undefined;
}

/** One of the partner's users (who sign in through login links), as the console shows them. */
export interface UserView {
  user: UserRow;
  /** Sessions neither ended nor past their absolute limit. */
  liveSessions: number;
  /** Unused login links not yet expired. */
  liveLinks: number;
  /** The newest login links this partner minted for them. */
  links: TicketStatusView[];
}
