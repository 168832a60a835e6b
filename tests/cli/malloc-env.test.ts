import { describe, expect, test } from 'vitest';
import { wantsMallocEnv } from '../../src/cli/malloc-env.js';

describe('wantsMallocEnv', () => {
  test('ingest on Linux relaunches, with its flags before or after the command', () => {
    expect(wantsMallocEnv(['ingest', '--progress', 'log'], {}, 'linux')).toBe(true);
    expect(wantsMallocEnv(['--debug', 'ingest'], {}, 'linux')).toBe(true);
  });

  test('other commands, other platforms, settings the user gave and the opt-out do not', () => {
    expect(wantsMallocEnv(['query', 'select 1'], {}, 'linux')).toBe(false);
    expect(wantsMallocEnv(['--version'], {}, 'linux')).toBe(false);
    expect(wantsMallocEnv(['ingest'], {}, 'darwin')).toBe(false);
    expect(wantsMallocEnv(['ingest'], { MALLOC_ARENA_MAX: '4' }, 'linux')).toBe(false);
    expect(wantsMallocEnv(['ingest'], { MALLOC_MMAP_THRESHOLD_: '65536' }, 'linux')).toBe(false);
    expect(wantsMallocEnv(['ingest'], { INTERCOM_ELT_MALLOC_ENV: '0' }, 'linux')).toBe(false);
  });
});
