/** docs/reliability.md is rendered from the suite's declarations: it cannot drift from what CI runs. */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { DOC_PATH, REGENERATE, renderReliabilityDoc } from './report.js';

test(`docs/reliability.md matches the suite (regenerate: ${REGENERATE})`, () => {
  expect(readFileSync(DOC_PATH, 'utf8')).toBe(renderReliabilityDoc());
});

test('the page counts what the issue asks for: 20 kills, 30 bad-input cases, 3 fault seeds', () => {
  const doc = renderReliabilityDoc();
  expect(doc).toMatch(/\| Kills .* \| 20 moments/);
  expect(Number(/\| Bad input \| (\d+) cases/.exec(doc)?.[1])).toBeGreaterThanOrEqual(30);
  expect(doc).toMatch(/\| Faults from Intercom \| 3 seeds × 5% of requests/);
});
