/**
 * Prettier, matched to the code as it was written (checked by `npm run lint`, applied by `npm run format`).
 * printWidth measured on the tree before the one-time format (lines changed, insertions + deletions):
 * 120 -> 11,691 in 239 files; 140 -> 7,301 in 204; 160 -> 5,166 in 175; 180 -> 4,427 in 167.
 * 160 is the knee (the 99th percentile of existing line lengths is 162).
 */
export default {
  printWidth: 160,
  singleQuote: true,
  semi: true,
  trailingComma: 'all',
};
