// Where the OpenID provider is mounted under HANDOFF_BASE_URL: the issuer is the base URL and this.
export const OIDC_MOUNT = "/oidc";
