// The OIDC baseline: oidc-provider alone, its default in-memory store, one client, the
// client-credentials grant (no user, no database, no signature: the cheapest token it issues).
import Provider from "oidc-provider";

const port = Number(process.argv[2]);
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: "bench",
      client_secret: "bench-secret-bench-secret-bench-secret",
      grant_types: ["client_credentials"],
      redirect_uris: [],
      response_types: [],
    },
  ],
  features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
});
provider.listen(port, "127.0.0.1", () => process.stdout.write("ready\n"));
