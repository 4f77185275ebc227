// Who may do what in the console: operator-only and writer checks, the viewer's partner scope.
import type { Actor } from "../audit/store.js";
import { HandoffError } from "../http/errors.js";
import type { PartnerService } from "../partners/service.js";
import type { Partner } from "../partners/store.js";
import type { Acting } from "./management-types.js";
import type { Viewer } from "./signin/service.js";

/** The audit actor of a console change: the signed-in person and their address. */
export const actor = (acting: Acting): Actor => ({ actor: acting.viewer.id, ip: acting.ip });

/** Refuses partner users with 403: the operation is the platform operators' alone. */
export function requireOperator(viewer: Viewer): void {
  if (viewer.kind !== "operator") {
    throw new HandoffError("forbidden", "only the platform's operators may do this");
  }
}

/** Refuses viewers with 403: they may only read. */
export function requireWriter(viewer: Viewer): void {
  if (viewer.role === "viewer") throw new HandoffError("forbidden", "viewers may only read");
}

/** The partners this viewer may see: null means every partner (an operator). */
export async function partnerScope(
  partners: PartnerService,
  viewer: Viewer,
): Promise<string[] | null> {
  if (viewer.kind === "operator") return null;
  return [viewer.partnerId, ...(await partners.subAccounts(viewer.partnerId))];
}

/** The partner, when the viewer may see it; not_found otherwise (never forbidden). */
export async function visiblePartner(
  partners: PartnerService,
  viewer: Viewer,
  partnerId: string,
): Promise<Partner> {
  const scope = await partnerScope(partners, viewer);
  const partner =
    scope === null || scope.includes(partnerId) ? await partners.find(partnerId) : undefined;
  if (!partner) throw new HandoffError("not_found", `no partner ${partnerId}`);
  return partner;
}
