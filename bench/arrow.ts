/**
 * Arrow building throughput: 1M contacts-shaped rows (25 declared columns + evolved ones),
 * flushed every 10k rows. Prints rows/s for building only (records are generated first so
 * generation is not timed). Run: node --import tsx bench/arrow.ts
 */
import { BatchBuilder } from '../src/arrow/index.js';
import { CONTACT_COLUMNS, contact } from './contacts-shape.js';

const TOTAL = Number(process.env.ROWS ?? 1_000_000);
const BATCH = 10_000;

const rows = Array.from({ length: BATCH }, (_, i) => contact(i));
const builder = new BatchBuilder(CONTACT_COLUMNS, { loadId: 'bench', loadedAt: new Date() });
let built = 0;
let columns = 0;
// warm-up so the JIT settles before timing
for (let i = 0; i < 5; i++) {
  builder.add(rows);
  builder.flush();
}
const t0 = performance.now();
while (built < TOTAL) {
  builder.add(rows);
  const batch = builder.flush()!;
  built += batch.numRows;
  columns = batch.numCols;
}
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(`arrow: ${built} rows x ${columns} columns in ${seconds.toFixed(2)} s = ${Math.round(built / seconds).toLocaleString('en')} rows/s\n`);
