// Writes src/schema.ts: the types of every operation in the OpenAPI document the server serves,
// by openapi-typescript. Run from the repository's root: `npm run client:generate`.
// test/client/client.test.ts fails when the committed file differs from a fresh one.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import { buildHandoff } from "../../../src/app.js";
import { testConfig } from "../../../src/config.js";

export const SCHEMA_FILE = fileURLToPath(new URL("../src/schema.ts", import.meta.url));

/** The document of a server built in memory, as TypeScript types. */
export async function generatedSchema(): Promise<string> {
  const { app } = await buildHandoff(testConfig());
  try {
    await app.ready();
    const document = (await app.inject({ url: "/openapi.json" })).json();
    const types = astToString(await openapiTS(document, { alphabetize: true }));
    return `// Generated from Handoff's OpenAPI document by openapi-typescript: do not edit.\n// Regenerate with \`npm run client:generate\`.\n\n${types}`;
  } finally {
    await app.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(SCHEMA_FILE, await generatedSchema());
  console.log(`wrote ${SCHEMA_FILE}`);
}
