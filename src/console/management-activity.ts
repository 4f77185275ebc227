// The audit-log queries behind the console's activity views: one partner's, redemptions, all.
import type { AuditFilter } from "../audit/store.js";
import type { Page } from "./management-types.js";

const PAGE_MAX = 100;

/** The page size asked for, 50 by default, kept between 1 and 100. */
export const limitOf = (page: Page) => Math.min(Math.max(page.limit ?? 50, 1), PAGE_MAX);

/** What the whole audit log (operators only) may be filtered by. */
export type AuditLogFilter = Page & {
  partnerId?: string | undefined;
  actor?: string | undefined;
  action?: string | undefined;
  since?: number | undefined;
};

/** One partner's entries, optionally of one action, a page at a time. */
export function partnerActivityQuery(
  partnerId: string,
  filter: Page & { action?: string | undefined },
): AuditFilter {
  return {
    partnerIds: [partnerId],
    ...(filter.action ? { action: filter.action } : {}),
    ...(filter.before !== undefined ? { before: filter.before } : {}),
    limit: limitOf(filter),
  };
}

/** Redemptions since `since` in these partners (null: every partner). */
export function redemptionsQuery(scope: string[] | null, since: number): AuditFilter {
  return {
    ...(scope ? { partnerIds: scope } : {}),
    action: "ticket.redeem",
    since,
    limit: 10_000,
  };
}

/** The whole audit log, narrowed by whatever the filter names. */
export function auditLogQuery(filter: AuditLogFilter): AuditFilter {
  return {
    ...(filter.partnerId ? { partnerIds: [filter.partnerId] } : {}),
    ...(filter.actor ? { actor: filter.actor } : {}),
    ...(filter.action ? { action: filter.action } : {}),
    ...(filter.since !== undefined ? { since: filter.since } : {}),
    ...(filter.before !== undefined ? { before: filter.before } : {}),
    limit: limitOf(filter),
  };
}
