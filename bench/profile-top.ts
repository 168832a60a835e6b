/**
 * Self time by function in a V8 `.cpuprofile` (from `--profile=DIR` of the e2e bench, or `node --cpu-prof`):
 * the top N as milliseconds and shares of the profile, "(idle)" and "(garbage collector)" included.
 *
 *   node --import tsx bench/profile-top.ts DIR/CPU.….cpuprofile [N=30]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
const [file, top = '30'] = process.argv.slice(2);
if (!file) throw new Error('usage: bench/profile-top.ts FILE.cpuprofile [N]');
const p = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
const nodes = new Map(p.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
let total = 0;
p.samples.forEach((id, i) => {
  const f = nodes.get(id)!.callFrame;
  const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber}`;
  const us = p.timeDeltas[i] ?? 0;
  self.set(key, (self.get(key) ?? 0) + us);
  total += us;
});
console.log(`total ${(total / 1e6).toFixed(2)} s`);
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(top))) {
  console.log(`${(us / 1e3).toFixed(0).padStart(7)} ms ${((100 * us) / total).toFixed(1).padStart(5)}%  ${key}`);
}
