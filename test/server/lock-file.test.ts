// The lock-file check that keeps `npm ci` working on every platform (a step of npm test).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { missingOptionalPackages } from '../../scripts/check-lock.mjs';

const optional = (names: string[]) => ({
  optionalDependencies: Object.fromEntries(names.map((n) => [n, '1.0.0'])),
});

describe('the lock-file check', () => {
  it('passes on the project lock file', () => {
    expect(missingOptionalPackages(JSON.parse(readFileSync('package-lock.json', 'utf8')))).toEqual([]);
  });

  it('names each platform package a dependency lists but the lock file lacks', () => {
    const lock = {
      packages: {
        '': {},
        'node_modules/rollup': optional(['@rollup/rollup-linux-x64-gnu', '@rollup/rollup-darwin-arm64']),
        'node_modules/@rollup/rollup-linux-x64-gnu': {},
      },
    };
    expect(missingOptionalPackages(lock)).toEqual([
      '@rollup/rollup-darwin-arm64 (optional dependency of node_modules/rollup)',
    ]);
  });

  it('finds a package where Node would: nested under its dependant, or higher up the tree', () => {
    const lock = {
      packages: {
        'node_modules/a': {},
        'node_modules/a/node_modules/b': optional(['c', 'd', 'e']),
        'node_modules/a/node_modules/b/node_modules/c': {},
        'node_modules/a/node_modules/d': {},
        'node_modules/e': {},
        'node_modules/other/node_modules/f': {},
        'node_modules/g': optional(['f']),
      },
    };
    expect(missingOptionalPackages(lock)).toEqual(['f (optional dependency of node_modules/g)']);
  });
});
