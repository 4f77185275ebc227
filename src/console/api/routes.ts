// The management API (`/v1/manage/…`): JSON over the console session, for operators and partner
// admins. The console's pages call the same Management methods; so does nothing else (the CLI
// calls the domain services under them).
import type { FastifyInstance } from "fastify";
import type { ConsoleDeps } from "../deps.js";
import { callbackManagementRoutes } from "./callback-routes.js";
import { credentialRoutes } from "./credential-routes.js";
import { partnerRoutes } from "./partner-routes.js";
import { peopleRoutes } from "./people-routes.js";
import { platformRoutes } from "./platform-routes.js";
import { secondFactorRoutes, signInRoutes } from "./sign-in-routes.js";
import { userRoutes } from "./user-routes.js";
import { webhookManagementRoutes } from "./webhook-routes.js";

type Deps = Pick<ConsoleDeps, "config" | "consoleAuth" | "consoleFailures" | "management">;

export function managementRoutes(scope: FastifyInstance, services: Deps): void {
  signInRoutes(scope, services);
  secondFactorRoutes(scope, services);
  partnerRoutes(scope, services);
  credentialRoutes(scope, services);
  callbackManagementRoutes(scope, services);
  webhookManagementRoutes(scope, services);
  peopleRoutes(scope, services);
  userRoutes(scope, services);
  platformRoutes(scope, services);
}
