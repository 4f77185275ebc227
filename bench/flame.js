// Reading a V8 CPU profile (.cpuprofile, from `node --cpu-prof`): the CPU time each function takes
// itself, and a flame graph as SVG. Only samples inside `window` (ms from the profile's start)
// count, and idle ones never. V8 samples the JavaScript thread: work on libuv's pool (signatures,
// SQLite's flushes) does not show here; `npm run bench` counts it.

const WIDTH = 1200;
const ROW = 16;

/** Where a function lives, shortened: src/… (Handoff), the package's name, or node:…. */
function place(url) {
  if (!url) return "";
  const modules = url.lastIndexOf("/node_modules/");
  if (modules >= 0) {
    const [scopeOrName, name] = url.slice(modules + 14).split("/");
    return scopeOrName.startsWith("@") ? `${scopeOrName}/${name}` : scopeOrName;
  }
  const dist = url.indexOf("/dist/");
  if (dist >= 0) return `src/${url.slice(dist + 6)}`;
  return url.replace(/^file:\/\//, "");
}

function label(node) {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = place(url);
  const name = functionName || "(anonymous)";
  return where ? `${name} (${where}:${lineNumber + 1})` : name;
}

/** CPU time (µs) each node took itself, inside the window. */
function selfByNode(profile, window) {
  const self = new Map();
  let at = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i];
    const ms = at / 1000;
    if (ms < window.fromMs || ms > window.toMs) continue;
    const weight = profile.timeDeltas[i + 1] ?? 0;
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + weight);
  }
  return self;
}

const isIdle = (node) => node.callFrame.functionName === "(idle)";

/** The functions by the CPU they take themselves, most first; `ops` gives µs per operation. */
export function selfTimes(profile, window, ops) {
  const self = selfByNode(profile, window);
  const byName = new Map();
  let total = 0;
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (us === 0 || isIdle(node)) continue;
    total += us;
    const name = label(node);
    byName.set(name, (byName.get(name) ?? 0) + us);
  }
  return [...byName]
    .map(([name, us]) => ({ name, us, usPerOp: us / ops, share: us / total }))
    .sort((a, b) => b.us - a.us);
}

const xml = (text) =>
  text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

function colour(node) {
  const { url, functionName } = node.callFrame;
  if (url.includes("/dist/") && !url.includes("/node_modules/")) return "#8fcf8f";
  if (url.includes("/node_modules/")) return "#8fb4e3";
  if (url.startsWith("node:")) return "#cfcfcf";
  return functionName.startsWith("(") ? "#e89a9a" : "#e8cf8f";
}

/** A flame graph of the window's samples: each function above the ones it called. */
export function flameGraph(profile, window, title) {
  const self = selfByNode(profile, window);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map();
  const totalOf = (node) => {
    if (isIdle(node)) return 0;
    let sum = self.get(node.id) ?? 0;
    for (const child of node.children ?? []) sum += totalOf(byId.get(child));
    totals.set(node.id, sum);
    return sum;
  };
  const root = profile.nodes[0];
  const all = totalOf(root) || 1;
  const boxes = [];
  let depth = 0;
  const lay = (node, x, level) => {
    const total = totals.get(node.id) ?? 0;
    const width = (total / all) * WIDTH;
    if (width < 0.3) return;
    depth = Math.max(depth, level);
    boxes.push({ node, x, level, width, total });
    let childX = x;
    const children = (node.children ?? []).map((id) => byId.get(id));
    children.sort((a, b) => label(a).localeCompare(label(b)));
    for (const child of children) {
      lay(child, childX, level + 1);
      childX += ((totals.get(child.id) ?? 0) / all) * WIDTH;
    }
  };
  lay(root, 0, 0);
  const height = (depth + 1) * ROW + 30;
  const rects = boxes.map(({ node, x, level, width, total }) => {
    const name = level === 0 ? "all" : label(node);
    const tip = `${name}: ${(total / 1000).toFixed(0)} ms, ${((total / all) * 100).toFixed(1)} %`;
    const text = width > 40 ? name.slice(0, Math.floor(width / 6.5)) : "";
    return `<g><title>${xml(tip)}</title><rect x="${x.toFixed(1)}" y="${level * ROW + 24}" width="${width.toFixed(1)}" height="${ROW - 1}" fill="${colour(node)}"/>${text ? `<text x="${(x + 3).toFixed(1)}" y="${level * ROW + 36}">${xml(text)}</text>` : ""}</g>`;
  });
  const caption = xml(
    `${title}: ${(all / 1000).toFixed(0)} ms sampled on the JavaScript thread (green Handoff, blue packages, grey Node.js)`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="monospace" font-size="11"><title>${caption}</title><text x="0" y="14" font-size="13">${caption}</text>${rects.join("")}</svg>\n`;
}
