import { describe, expect, it } from 'vitest';
import { BaselineError, prepareBaseline } from './baseline';

describe('prepareBaseline', () => {
  it('rejects something that is not a ref, naming it', () => {
    expect(() => prepareBaseline('')).toThrow(BaselineError);
    expect(() => prepareBaseline('--help')).toThrow(/--baseline=--help: expected a git ref/);
  });

  it('says so when git cannot resolve the ref', () => {
    expect(() => prepareBaseline('no-such-ref-7f3a9')).toThrow(
      /--baseline=no-such-ref-7f3a9: git cannot find a commit named "no-such-ref-7f3a9"/,
    );
  });

  it('says so when git is missing', () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(() => prepareBaseline('HEAD')).toThrow(/--baseline needs git/);
    } finally {
      process.env.PATH = path;
    }
  });
});
