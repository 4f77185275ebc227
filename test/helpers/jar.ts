// A browser's cookie jar, small enough to trust: name, value and path prefix, one origin.
export class CookieJar {
  readonly #cookies = new Map<string, { value: string; path: string }>();

  /** Stores (or deletes, when expired or emptied) what a response sets. */
  capture(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";").map((p) => p.trim());
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const path = attributes.find((a) => a.toLowerCase().startsWith("path="))?.slice(5) ?? "/";
      const expired = attributes.some(
        (a) =>
          (a.toLowerCase().startsWith("expires=") && Date.parse(a.slice(8)) <= Date.now()) ||
          a.toLowerCase() === "max-age=0",
      );
      if (expired || value === "") this.#cookies.delete(name);
      else this.#cookies.set(name, { value, path });
    }
  }

  header(url: string): string {
    const { pathname } = new URL(url);
    return [...this.#cookies]
      .filter(([, c]) => pathname.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join("; ");
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name)?.value;
  }

  /** A request as the browser sends it (same-origin navigation), redirects not followed. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.header(url);
    if (cookie) headers.set("cookie", cookie);
    if (!headers.has("sec-fetch-site")) headers.set("sec-fetch-site", "same-origin");
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    this.capture(response);
    return response;
  }

  /** Follows redirects while they stay on `origin`; returns the last response and its URL. */
  async follow(
    url: string,
    origin: string,
    limit = 10,
  ): Promise<{ response: Response; url: string }> {
    let current = url;
    for (let i = 0; i < limit; i++) {
      const response = await this.fetch(current);
      const location = response.headers.get("location");
      if (response.status < 300 || response.status >= 400 || !location)
        return { response, url: current };
      const next = new URL(location, current).href;
      if (new URL(next).origin !== origin) return { response, url: next };
      current = next;
    }
    throw new Error(`too many redirects from ${url}`);
  }
}
