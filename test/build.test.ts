// `npm run handoff -- …` and `npm start` compile only when the sources changed since the last
// build (scripts/build-if-stale.mjs), so a command starts in about a second instead of ten.
import { execFile } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const SCRIPT = resolve("scripts/build-if-stale.mjs");

describe("build-if-stale", () => {
  it("is what npm start and npm run handoff run before the command", () => {
    const { scripts } = JSON.parse(readFileSync("package.json", "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(scripts.prehandoff).toBe("node scripts/build-if-stale.mjs");
    expect(scripts.prestart).toBe("node scripts/build-if-stale.mjs");
    expect(scripts.build).toBe("node scripts/build-if-stale.mjs --force");
  });

  it("compiles the first time, skips while nothing changed, and again after an edit or a deletion", {
    timeout: 120_000,
  }, async () => {
    const project = mkdtempSync(join(tmpdir(), "handoff-build-"));
    try {
      mkdirSync(join(project, "src"));
      symlinkSync(resolve("node_modules"), join(project, "node_modules"));
      writeFileSync(join(project, "package.json"), '{"type":"module"}\n');
      writeFileSync(
        join(project, "tsconfig.json"),
        '{"compilerOptions":{"strict":true,"module":"nodenext","target":"es2022","noEmit":true,"types":[],"skipLibCheck":true}}\n',
      );
      writeFileSync(
        join(project, "tsconfig.build.json"),
        '{"extends":"./tsconfig.json","compilerOptions":{"rootDir":"src","outDir":"dist","noEmit":false},"include":["src"]}\n',
      );
      writeFileSync(join(project, "src/a.ts"), "export const a: number = 1;\n");
      writeFileSync(join(project, "src/b.ts"), "export const b: number = 2;\n");
      const build = () => run(process.execPath, [SCRIPT], { cwd: project });
      const built = (file: string) => statSync(join(project, "dist", file)).mtimeMs;

      await build();
      expect(readFileSync(join(project, "dist/a.js"), "utf8")).toContain("a = 1");
      const first = built("a.js");

      await build();
      expect(built("a.js")).toBe(first);

      writeFileSync(join(project, "src/a.ts"), "export const a: number = 3;\n");
      // An editor's save lands after the build began, whatever the file system's clock grain.
      const later = new Date(Date.now() + 2000);
      utimesSync(join(project, "src/a.ts"), later, later);
      await build();
      expect(readFileSync(join(project, "dist/a.js"), "utf8")).toContain("a = 3");
      const second = built("a.js");

      rmSync(join(project, "src/b.ts"));
      utimesSync(join(project, "src"), new Date(Date.now() + 4000), new Date(Date.now() + 4000));
      await build();
      expect(built("a.js")).toBeGreaterThan(second);

      // A type error fails the command, and the next run tries again.
      writeFileSync(join(project, "src/a.ts"), "export const a: number = 'x';\n");
      const broken = new Date(Date.now() + 6000);
      utimesSync(join(project, "src/a.ts"), broken, broken);
      await expect(build()).rejects.toMatchObject({ code: 2 });
      await expect(build()).rejects.toMatchObject({ code: 2 });
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
