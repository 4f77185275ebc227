// Debian's Apache for the tests that run a real SP or RP module (mod_auth_mellon,
// mod_auth_openidc): what a distribution's apache2.conf holds, a stand-in app of server-side
// includes, and the process in the foreground in its own group, in a temporary directory.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitForPort } from "./net.js";

const APACHE = process.env.HANDOFF_APACHE ?? "/usr/sbin/apache2";
const MODULES = process.env.HANDOFF_APACHE_MODULES ?? "/usr/lib/apache2/modules";

/** Apache and `module` are there; in CI they must be (.ci/run installs them), elsewhere tests skip. */
export const apacheWith = (module: string) =>
  (existsSync(APACHE) && existsSync(join(MODULES, `mod_${module}.so`))) ||
  process.env.CI !== undefined;

/** When the test runs as root (CI, containers), Apache's children run as www-data (or nobody). */
export function childUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const passwd = readFileSync("/etc/passwd", "utf8").split("\n");
  for (const name of ["www-data", "nobody"]) {
    const fields = passwd.find((line) => line.startsWith(`${name}:`))?.split(":");
    if (fields) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new Error(
    "running as root, and neither www-data nor nobody exists to run Apache's children",
  );
}

/**
 * What a distribution's apache2.conf holds (port, pid and log files, modules, user) with `module`
 * logging at debug level, and a document root whose `.shtml` pages run server-side includes.
 */
export function httpdBase(
  dir: string,
  port: number,
  serverName: string,
  user: { uid: number; gid: number } | null,
  module: string,
): string {
  const modules = ["mpm_event", "authn_core", "authz_core", "authz_user", "mime", "include", "dir"]
    .concat(module)
    .map((name) => `LoadModule ${name}_module ${join(MODULES, `mod_${name}.so`)}`)
    .join("\n");
  return `ServerRoot "${dir}"
Listen 127.0.0.1:${port}
ServerName ${serverName}
PidFile "${dir}/httpd.pid"
DefaultRuntimeDir "${dir}"
ErrorLog "${dir}/error.log"
LogLevel warn ${module}:debug
CustomLog "${dir}/access.log" "%h \\"%r\\" %>s"
${user ? `User #${user.uid}\nGroup #${user.gid}` : ""}
${modules}
TypesConfig /etc/mime.types

DocumentRoot "${dir}/htdocs"
DirectoryIndex index.shtml index.html
<Directory "${dir}/htdocs">
    Options +Includes
    AddOutputFilter INCLUDES .shtml
</Directory>
`;
}

const tail = (file: string, lines = 80) =>
  existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(-lines).join("\n") : "";

/** A temporary directory for one Apache, and what its logs say (to explain a failure). */
export function apacheDir(name: string): { dir: string; logs: () => string; stderr: string[] } {
  const dir = mkdtempSync(join(tmpdir(), `handoff-${name}-`));
  const stderr: string[] = [];
  const logs = () =>
    `--- apache2 stderr\n${stderr.join("")}\n--- ${dir}/error.log\n${tail(join(dir, "error.log"))}\n--- ${dir}/access.log\n${tail(join(dir, "access.log"))}`;
  return { dir, logs, stderr };
}

/**
 * Apache with `conf`, in the foreground (its children still serve: -DFOREGROUND, not the
 * single-process -X) and in its own process group, so that stopApache reaches the children too if
 * the parent hangs; resolves once `port` answers.
 */
export async function runApache(
  conf: string,
  port: number,
  stderr: string[],
  logs: () => string,
): Promise<ChildProcess> {
  const child = spawn(APACHE, ["-f", conf, "-DFOREGROUND"], {
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr.push(chunk.toString());
  });
  try {
    await waitForPort(port, child, logs);
  } catch (error) {
    await stopApache(child, null);
    throw error;
  }
  return child;
}

/** SIGTERM to Apache's parent (it stops its children), SIGKILL to the group after 10 s. */
export async function stopApache(child: ChildProcess, dir: string | null): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGTERM");
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // Gone already.
      }
    }, 10_000);
    await exited;
    clearTimeout(timer);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}
