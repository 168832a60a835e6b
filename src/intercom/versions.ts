/** Intercom API versions are `major.minor` strings ('2.11' < '2.14' < '2.16'). */
export function compareVersions(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number);
  const [bm, bn] = b.split('.').map(Number);
  return am !== bm ? (am ?? 0) - (bm ?? 0) : (an ?? 0) - (bn ?? 0);
}

export function atLeast(version: string, min: string): boolean {
  return compareVersions(version, min) >= 0;
}
