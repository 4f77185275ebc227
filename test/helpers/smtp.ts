// A real SMTP listener for the one-time-code tests (smtp-server on loopback), keeping every
// message it receives, and the code in the newest one to an address.
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface Mailbox {
  url: string;
  mail: { to: string; raw: string }[];
  /** The code in the newest mail to `to` (past the first `after` of them), waiting up to 10 s. */
  codeFor(to: string, after?: number): Promise<string>;
  close(): Promise<void>;
}

export async function startSmtp(): Promise<Mailbox> {
  const mail: Mailbox["mail"] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      let raw = "";
      stream.on("data", (chunk: Buffer) => {
        raw += chunk.toString("utf8");
      });
      stream.on("end", () => {
        mail.push({ to: session.envelope.rcptTo.map((r) => r.address).join(","), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    mail,
    async codeFor(to, after = 0) {
      for (let i = 0; i < 200; i++) {
        const found = mail
          .filter((m) => m.to === to)
          .slice(after)
          .at(-1);
        const code = found && /Subject: (\d{6}) is your code/.exec(found.raw)?.[1];
        if (code) return code;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no code mailed to ${to}`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
