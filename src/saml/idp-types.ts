// What SamlIdp answers with, apart from the class: the requests it checked, the LogoutResponse
// it makes, the form a browser posts, and a session's index as service providers see it.
import { createHash } from "node:crypto";
import type { SamlSettings } from "../apps/saml-settings.js";
import type { App } from "../apps/service.js";
import type { Binding } from "./messages.js";

export interface LoginRequest {
  app: App & { saml: SamlSettings };
  id: string;
  acsUrl: string;
  relayState: string | undefined;
}

export interface LogoutRequest {
  app: App & { saml: SamlSettings };
  /** How it came, and so how the LogoutResponse goes back. */
  binding: Binding;
  parsed: unknown;
  sessionIndex: string | null;
  relayState: string | undefined;
}

/** A LogoutResponse: a URL to redirect the browser to, or a form it posts. */
export type LogoutAnswer =
  | { binding: "redirect"; url: string }
  | { binding: "post"; form: PostForm };

/** The form a browser posts to the SP's ACS. */
export interface PostForm {
  action: string;
  fields: Record<string, string>;
}

/** A session's index as SPs see it: not its id (which a cookie holds), a digest of it. */
export function sessionIndex(sessionId: string): string {
  return `_${createHash("sha256").update(`saml-session:${sessionId}`).digest("base64url").slice(0, 32)}`;
}
