// The baseline: a bare Fastify route, measured in the same run as Handoff's routes.
import Fastify from "fastify";

const port = Number(process.argv[2]);
const app = Fastify({ logger: false });
app.post("/baseline", async () => ({ ok: true }));
app.get("/baseline", async () => ({ ok: true }));
await app.listen({ port, host: "127.0.0.1" });
process.stdout.write("ready\n");
