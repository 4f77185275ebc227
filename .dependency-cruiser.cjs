// The layering written in docs/architecture.md, checked on every `npm test` (npm run deps).
// Layers, lowest first: foundation (clock, config, module contract, crypto, db, http, pages,
// jobs) → domains (one folder each: services, stores, guards) → faces (routes, pages, the
// vendors' shapes, the console's API and pages) → modules (each domain's module.ts) → the root
// (app.ts, compose.ts, main.ts, cli/). An import may only go down, never across into another
// domain's routes, and never round in a cycle. Type-only imports count too.
const foundation =
  "^src/(clock|config|config-[a-z]+|module)\\.ts$|^src/(crypto|db|http|pages|jobs)/";
const root = "^src/(app|compose|main)\\.ts$|^src/cli/";
const modules = "^src/[^/]+/module\\.ts$";
const faces =
  "^src/(compat|demo|console/api|console/pages)/|^src/[^/]+/(routes|[a-z-]+-routes|browser|link-page|page)\\.ts$";

module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      comment: "An import cycle: cut it by moving the shared piece down to the layer that owns it.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "foundation-is-the-floor",
      comment: "Foundation code imports only foundation code (and packages).",
      severity: "error",
      from: { path: foundation },
      to: { path: "^src/", pathNot: foundation },
    },
    {
      name: "domains-do-not-reach-up",
      comment: "A domain's services and stores know no face, module or root.",
      severity: "error",
      from: { path: "^src/", pathNot: `${foundation}|${root}|${modules}|${faces}` },
      to: { path: `${faces}|${modules}|${root}` },
    },
    {
      name: "routes-stay-home",
      comment:
        "Another domain's routes are never imported: move what they share to a guard or page.",
      severity: "error",
      from: { path: "^src/([^/]+)/", pathNot: root },
      to: { path: "(^|/)(routes|[a-z-]+-routes)\\.ts$", pathNot: "^src/$1/" },
    },
    {
      name: "only-the-root-composes",
      comment: "Modules are built by the composition root alone.",
      severity: "error",
      from: { pathNot: "^src/compose\\.ts$" },
      to: { path: modules },
    },
    {
      name: "the-root-is-the-top",
      comment: "Nothing below the root imports it.",
      severity: "error",
      from: { path: "^src/", pathNot: root },
      to: { path: root },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^src/db/migrations/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
