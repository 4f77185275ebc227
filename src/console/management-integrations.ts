// The viewer checks every management operation starts with (src/console/management.ts), and the
// operations on a partner's integrations: call-back endpoints and event webhooks.
import type { CallbackView } from "../callbacks/service.js";
import type { Partner } from "../partners/store.js";
import {
  actor,
  partnerScope,
  requireOperator,
  requireWriter,
  visiblePartner,
} from "./management-access.js";
import type { Acting, ManagementDeps } from "./management-types.js";
import type { Viewer } from "./signin/service.js";

/** Who may see and change a partner's things: what every management operation asks first. */
export class ManagementAccess {
  constructor(protected readonly deps: ManagementDeps) {}

  /** The partners this viewer may see: null means every partner (an operator). */
  scope(viewer: Viewer): Promise<string[] | null> {
    return partnerScope(this.deps.partners, viewer);
  }

  /** Throws not_found unless the viewer may see this partner. */
  protected visible(viewer: Viewer, partnerId: string): Promise<Partner> {
    return visiblePartner(this.deps.partners, viewer, partnerId);
  }

  protected async writable(acting: Acting, partnerId: string): Promise<Partner> {
    const partner = await this.visible(acting.viewer, partnerId);
    requireWriter(acting.viewer);
    return partner;
  }
}

export class IntegrationManagement extends ManagementAccess {
  // Call-back endpoints

  async listCallbacks(viewer: Viewer, partnerId: string): Promise<CallbackView[]> {
    await this.visible(viewer, partnerId);
    return this.deps.callbacks.list(partnerId);
  }

  async setCallback(
    acting: Acting,
    partnerId: string,
    kind: string,
    input: { url: string; timeoutMs?: number },
  ) {
    await this.writable(acting, partnerId);
    return this.deps.callbacks.set(partnerId, kind, input, actor(acting));
  }

  async removeCallback(acting: Acting, partnerId: string, kind: string): Promise<void> {
    await this.writable(acting, partnerId);
    await this.deps.callbacks.remove(partnerId, kind, actor(acting));
  }

  // Event webhooks: a partner's endpoints (partnerId), or the operators' own for every partner (null)

  async #webhookOwner(viewer: Viewer, partnerId: string | null, change: Acting | null) {
    if (partnerId === null) requireOperator(viewer);
    else await this.visible(viewer, partnerId);
    if (change) requireWriter(change.viewer);
  }

  async listWebhooks(viewer: Viewer, partnerId: string | null) {
    await this.#webhookOwner(viewer, partnerId, null);
    return this.deps.webhooks.endpoints(partnerId);
  }

  async createWebhook(
    acting: Acting,
    partnerId: string | null,
    input: { url: string; events: string[] },
  ) {
    await this.#webhookOwner(acting.viewer, partnerId, acting);
    return this.deps.webhooks.createEndpoint(partnerId, input, actor(acting));
  }

  async removeWebhook(acting: Acting, partnerId: string | null, id: string): Promise<void> {
    await this.#webhookOwner(acting.viewer, partnerId, acting);
    await this.deps.webhooks.removeEndpoint(partnerId, id, actor(acting));
  }

  /** Deliveries the viewer may see: a partner's (and its sub-accounts'), or all for operators. */
  async webhookDeliveries(viewer: Viewer, partnerId: string | null) {
    await this.#webhookOwner(viewer, partnerId, null);
    return this.deps.webhooks.deliveries(partnerId === null ? null : [partnerId]);
  }

  async replayWebhook(acting: Acting, partnerId: string | null, deliveryId: string): Promise<void> {
    await this.#webhookOwner(acting.viewer, partnerId, acting);
    await this.deps.webhooks.replay(
      partnerId === null ? null : [partnerId],
      deliveryId,
      actor(acting),
    );
  }
}
