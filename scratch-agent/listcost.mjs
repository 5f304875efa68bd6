const t0 = performance.now();
const { TOOLS } = await import('../dist/src/tools/index.js');
const { listedTool, referToEarlier } = await import('../dist/src/server/tool-list.js');
const t1 = performance.now();
const tools = referToEarlier(TOOLS.map((d) => listedTool(d, null)));
const t2 = performance.now();
const again = referToEarlier(TOOLS.map((d) => listedTool(d, null)));
console.log({ import: t1 - t0, build: t2 - t1, again: performance.now() - t2 });
