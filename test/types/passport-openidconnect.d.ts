// The little of passport-openidconnect (no types published) that test/oidc/passport.test.ts uses.
declare module "passport-openidconnect" {
  export default class OpenIDConnectStrategy {
    constructor(options: Record<string, unknown>, verify: (...args: never[]) => void);
    authenticate(req: unknown, options: Record<string, unknown>): void;
  }
}
