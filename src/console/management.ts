// What the console and the management API may do, and for whom: every operation takes the
// signed-in viewer and checks it here, once, before calling the same domain services the CLI
// calls. Partner users see only their partner and its linked sub-accounts; anything else is "not
// found" (never "forbidden", which would confirm it exists). Operator-only operations refuse
// partner users with 403, and viewers may only read.

import type { App, AppChanges, NewApp } from "../apps/service.js";
import type { AuditRow } from "../audit/store.js";
import type { PartnerUserRole } from "../db/schema.js";
import { HandoffError } from "../http/errors.js";
import type { NewApiToken, NewPartner, PublicApiToken } from "../partners/service.js";
import type { Partner } from "../partners/store.js";
import type { TicketStatusView } from "../tickets/status.js";
import { actor, requireOperator } from "./management-access.js";
import {
  type AuditLogFilter,
  auditLogQuery,
  limitOf,
  partnerActivityQuery,
  redemptionsQuery,
} from "./management-activity.js";
import { IntegrationManagement } from "./management-integrations.js";
import { type LinkTimeline, linkTimeline, TIMELINE_MAX } from "./management-timeline.js";
import type { Acting, Page, PartnerView, UserView } from "./management-types.js";
import type { Viewer } from "./signin/service.js";

export type { Acting, ManagementDeps, Page, PartnerView, UserView } from "./management-types.js";

/** How many of a user's newest login links their page shows. */
const USER_LINKS = 20;

export class Management extends IntegrationManagement {
  // Partners

  async listPartners(viewer: Viewer, query?: string): Promise<Partner[]> {
    const scope = await this.scope(viewer);
    const all = await this.deps.partners.list();
    const needle = query?.trim().toLowerCase();
    return all.filter(
      (p) =>
        (scope === null || scope.includes(p.id)) &&
        (!needle || p.name.toLowerCase().includes(needle) || p.id.includes(needle)),
    );
  }

  async getPartner(viewer: Viewer, id: string): Promise<PartnerView> {
    const partner = await this.visible(viewer, id);
    return { ...partner, sub_accounts: await this.deps.partners.subAccounts(id) };
  }

  createPartner(
    acting: Acting,
    input: { name: string; contractExpiresAt?: number | null },
  ): Promise<NewPartner> {
    requireOperator(acting.viewer);
    return this.deps.partners.create(input, actor(acting));
  }

  async updatePartner(
    acting: Acting,
    id: string,
    changes: { status?: Partner["status"]; contractExpiresAt?: number | null },
  ): Promise<PartnerView> {
    requireOperator(acting.viewer);
    if (changes.status) await this.deps.partners.setStatus(id, changes.status, actor(acting));
    if (changes.contractExpiresAt !== undefined) {
      await this.deps.partners.setContractExpiry(id, changes.contractExpiresAt, actor(acting));
    }
    return this.getPartner(acting.viewer, id);
  }

  async linkSubAccount(acting: Acting, parentId: string, childId: string): Promise<void> {
    requireOperator(acting.viewer);
    await this.deps.partners.link(parentId, childId, actor(acting));
  }

  async unlinkSubAccount(acting: Acting, parentId: string, childId: string): Promise<void> {
    requireOperator(acting.viewer);
    if (!(await this.deps.partners.unlink(parentId, childId, actor(acting)))) {
      throw new HandoffError("not_found", `${childId} is not a sub-account of ${parentId}`);
    }
  }

  // Credentials (the Token Management page)

  async rotatePartnerToken(
    acting: Acting,
    partnerId: string,
    overlapSeconds?: number,
  ): Promise<string> {
    await this.writable(acting, partnerId);
    return this.deps.partners.rotatePartnerToken(partnerId, overlapSeconds, actor(acting));
  }

  async listApiTokens(viewer: Viewer, partnerId: string): Promise<PublicApiToken[]> {
    await this.visible(viewer, partnerId);
    return this.deps.partners.listApiTokens(partnerId);
  }

  async createApiToken(
    acting: Acting,
    partnerId: string,
    input: { name: string; expiresAt?: number | null },
  ): Promise<NewApiToken> {
    await this.writable(acting, partnerId);
    return this.deps.partners.createApiToken(partnerId, input, actor(acting));
  }

  async revokeApiToken(acting: Acting, partnerId: string, tokenId: string): Promise<void> {
    await this.writable(acting, partnerId);
    await this.deps.partners.revokeApiToken(partnerId, tokenId, actor(acting));
  }

  async rotateSsoKey(acting: Acting, partnerId: string): Promise<string> {
    await this.writable(acting, partnerId);
    return this.deps.partners.rotateSsoKey(partnerId, actor(acting));
  }

  // Partner users

  async listPartnerUsers(viewer: Viewer, partnerId: string) {
    await this.visible(viewer, partnerId);
    return this.deps.partnerUsers.list(partnerId);
  }

  async createPartnerUser(
    acting: Acting,
    partnerId: string,
    input: { login: string; password: string; role?: PartnerUserRole },
  ) {
    await this.writable(acting, partnerId);
    return this.deps.partnerUsers.create(partnerId, input.login, input.password, {
      ...(input.role ? { role: input.role } : {}),
      by: actor(acting),
    });
  }

  async resetPartnerUserPassword(
    acting: Acting,
    partnerId: string,
    userId: string,
    password: string,
  ): Promise<void> {
    await this.writable(acting, partnerId);
    await this.deps.partnerUsers.resetPassword(partnerId, userId, password, actor(acting));
  }

  async unlockPartnerUser(acting: Acting, partnerId: string, userId: string): Promise<void> {
    await this.writable(acting, partnerId);
    await this.deps.partnerUsers.unlock(partnerId, { id: userId }, actor(acting));
  }

  // The partner's users (people signing in through login links): their tickets and sessions

  async getTicket(viewer: Viewer, partnerId: string, ticketId: string): Promise<TicketStatusView> {
    await this.visible(viewer, partnerId);
    return this.deps.tickets.status(partnerId, ticketId);
  }

  /**
   * What happened to one login link, in time order: minted, its page opened, codes, redeemed or
   * refused and why, the session it made and that session's end. not_found for another
   * partner's link, as for an unknown one.
   */
  async ticketTimeline(viewer: Viewer, partnerId: string, ticketId: string): Promise<LinkTimeline> {
    await this.visible(viewer, partnerId);
    const story = await this.deps.tickets.story(partnerId, ticketId);
    const subjects = story.sessionId ? [ticketId, story.sessionId] : [ticketId];
    const entries = await this.deps.audit.about(subjects, [partnerId], TIMELINE_MAX);
    return linkTimeline(story, entries);
  }

  async revokeTicket(
    acting: Acting,
    partnerId: string,
    ticketId: string,
  ): Promise<TicketStatusView> {
    await this.writable(acting, partnerId);
    return this.deps.tickets.revoke(partnerId, ticketId, acting.ip, acting.viewer.id);
  }

  /**
   * One of the partner's users (or of a linked sub-account): who, how many live sessions and
   * unused links they hold, and the newest links this partner minted for them. not_found for
   * anyone else's, as for an unknown id.
   */
  async getUser(viewer: Viewer, partnerId: string, userId: string): Promise<UserView> {
    await this.visible(viewer, partnerId);
    const user = await this.deps.users.reachable(partnerId, userId);
    const links = await this.deps.tickets.ofUser(partnerId, user.id, USER_LINKS);
    return {
      user,
      liveSessions: await this.deps.sessions.liveCount(user.id),
      liveLinks: links.outstanding,
      links: links.recent,
    };
  }

  /** Ends a user's live sessions, or revokes their unused login links; answers how many. */
  async revokeUserAccess(
    acting: Acting,
    partnerId: string,
    userId: string,
    what: "sessions" | "tickets",
  ): Promise<number> {
    await this.writable(acting, partnerId);
    const user = await this.deps.users.reachable(partnerId, userId);
    return what === "sessions"
      ? this.deps.sessions.endForUser(user.id, partnerId, acting.ip, acting.viewer.id)
      : this.deps.tickets.revokeForUser(user.id, partnerId, acting.ip, acting.viewer.id);
  }

  // Activity: what happened to the partner's login links, and who changed what

  async listTickets(viewer: Viewer, partnerId: string, page: Page): Promise<TicketStatusView[]> {
    await this.visible(viewer, partnerId);
    return this.deps.tickets.list([partnerId], { before: page.before, limit: limitOf(page) });
  }

  async activity(
    viewer: Viewer,
    partnerId: string,
    filter: Page & { action?: string | undefined },
  ): Promise<AuditRow[]> {
    await this.visible(viewer, partnerId);
    return this.deps.audit.list(partnerActivityQuery(partnerId, filter));
  }

  /** Redemptions since `since` in the viewer's partners, newest first (the overview's chart). */
  async redemptions(viewer: Viewer, since: number): Promise<AuditRow[]> {
    const scope = await this.scope(viewer);
    return this.deps.audit.list(redemptionsQuery(scope, since));
  }

  /** The whole audit log, for operators. */
  audit(viewer: Viewer, filter: AuditLogFilter): Promise<AuditRow[]> {
    requireOperator(viewer);
    return this.deps.audit.list(auditLogQuery(filter));
  }

  /**
   * The apps this partner may mint login links for (every app of the platform), by name and id:
   * what its Integration page offers, where the operators' app list is not theirs to read.
   */
  async mintableApps(viewer: Viewer, partnerId: string): Promise<{ id: string; name: string }[]> {
    await this.visible(viewer, partnerId);
    return (await this.deps.apps.list()).map((app) => ({ id: app.id, name: app.name }));
  }

  // Apps and signing keys: the platform's own, operators only

  listApps(viewer: Viewer): Promise<App[]> {
    requireOperator(viewer);
    return this.deps.apps.list();
  }

  getApp(viewer: Viewer, id: string): Promise<App> {
    requireOperator(viewer);
    return this.deps.apps.get(id);
  }

  createApp(acting: Acting, input: NewApp): Promise<App> {
    requireOperator(acting.viewer);
    return this.deps.apps.create(input, actor(acting));
  }

  updateApp(acting: Acting, id: string, changes: AppChanges): Promise<App> {
    requireOperator(acting.viewer);
    return this.deps.apps.update(id, changes, actor(acting));
  }

  rotateAppSecret(acting: Acting, id: string): Promise<string> {
    requireOperator(acting.viewer);
    return this.deps.apps.rotateSecret(id, actor(acting));
  }

  listKeys(viewer: Viewer) {
    requireOperator(viewer);
    return this.deps.keys.describe();
  }

  rotateKeys(acting: Acting): Promise<string> {
    requireOperator(acting.viewer);
    return this.deps.keys.rotate(actor(acting));
  }

  async revokeKey(acting: Acting, kid: string): Promise<void> {
    requireOperator(acting.viewer);
    if (!(await this.deps.keys.revoke(kid, actor(acting)))) {
      throw new HandoffError("not_found", `no live key ${kid}`);
    }
  }
}
