import { describe, expect, test } from 'vitest';
import { wantsMallocEnv } from '../../src/cli/malloc-env.js';

describe('wantsMallocEnv', () => {
  test('ingest on Linux relaunches, with its flags before or after the command', () => {
    expect(wantsMallocEnv(['ingest', '--progress', 'log'], {}, 'linux')).toBe(true);
    expect(wantsMallocEnv(['--debug', 'ingest'], {}, 'linux')).toBe(true);
    expect(wantsMallocEnv(['-c', 'conn.yml', 'ingest'], {}, 'linux')).toBe(true);
    expect(wantsMallocEnv(['ingest'], { INTERCOM_ELT_MALLOC_ENV: '1' }, 'linux')).toBe(true);
  });

  test('other commands, other platforms, settings the user gave and the opt-out do not', () => {
    expect(wantsMallocEnv(['query', 'select 1'], {}, 'linux')).toBe(false);
    expect(wantsMallocEnv(['--version'], {}, 'linux')).toBe(false);
    expect(wantsMallocEnv(['ingest'], {}, 'darwin')).toBe(false);
    expect(wantsMallocEnv(['ingest'], { MALLOC_ARENA_MAX: '4' }, 'linux')).toBe(false);
    expect(wantsMallocEnv(['ingest'], { MALLOC_MMAP_THRESHOLD_: '65536' }, 'linux')).toBe(false);
    expect(wantsMallocEnv(['ingest'], { INTERCOM_ELT_MALLOC_ENV: '0' }, 'linux')).toBe(false);
  });

  test('an INTERCOM_ELT_MALLOC_ENV other than 0 or 1 is an error naming it', () => {
    expect(() => wantsMallocEnv(['ingest'], { INTERCOM_ELT_MALLOC_ENV: 'false' }, 'linux')).toThrow(
      /INTERCOM_ELT_MALLOC_ENV must be 0 .* or 1 .*; got 'false'/,
    );
  });
});
