// Settings of features DESIGN.md names, validated at start-up whichever issue brings the feature,
// and the warning for a variable with Pasarela's prefixes that nothing reads.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config.js';
import { env, failure, webhookSecret } from './config.fixture.js';

describe('loadConfig: settings of features named in DESIGN.md', () => {
  it('stops on a malformed value, naming the variable', () => {
    expect(failure(env({ ETPAY_SESSION_MINUTES: 'abc' }))).toMatch(/^ETPAY_SESSION_MINUTES /);
    expect(failure(env({ ETPAY_SESSION_MINUTES: '0' }))).toMatch(/^ETPAY_SESSION_MINUTES /);
    expect(
      failure(env({ PASARELA_WEBHOOK_URL: 'not a url', PASARELA_WEBHOOK_SECRET: webhookSecret })),
    ).toMatch(/^PASARELA_WEBHOOK_URL has "not a url", which is not an https:\/\/ URL/);
    expect(
      failure(env({ PASARELA_WEBHOOK_URL: 'https://shop.example/hooks', PASARELA_WEBHOOK_SECRET: 'nope' })),
    ).toMatch(/^PASARELA_WEBHOOK_SECRET must be whsec_/);
    expect(failure(env({ PASARELA_RATE_LIMIT_CREATE: 'many' }))).toMatch(/^PASARELA_RATE_LIMIT_CREATE /);
    expect(failure(env({ PASARELA_RATE_LIMIT_READ: '-1' }))).toMatch(/^PASARELA_RATE_LIMIT_READ /);
    expect(failure(env({ PASARELA_STREAMS_PER_CLIENT: '0' }))).toMatch(/^PASARELA_STREAMS_PER_CLIENT /);
  });

  it('never quotes the webhook secret it refuses', () => {
    const bad = 'whsec_tooShortButSecret';
    const message = failure(
      env({ PASARELA_WEBHOOK_URL: 'https://shop.example/h', PASARELA_WEBHOOK_SECRET: bad }),
    );
    expect(message).not.toContain('tooShortButSecret');
  });

  it('takes http webhook URLs only on loopback, or anywhere in sandbox mode', () => {
    const hooks = (url: string, extra: Record<string, string> = {}) =>
      env({ PASARELA_WEBHOOK_URL: url, PASARELA_WEBHOOK_SECRET: webhookSecret, ...extra });
    expect(failure(hooks('http://shop.example/hooks'))).toMatch(/^PASARELA_WEBHOOK_URL /);
    expect(loadConfig(hooks('http://localhost:9000/h')).webhooks?.urls).toEqual(['http://localhost:9000/h']);
    expect(loadConfig(hooks('http://shop.example/h', { PASARELA_SANDBOX: '1' })).webhooks?.urls).toEqual([
      'http://shop.example/h',
    ]);
  });

  it('reads LOG_LEVEL, and names it when it is not a level', () => {
    expect(loadConfig(env({ LOG_LEVEL: 'WARN' })).logLevel).toBe('warn');
    expect(loadConfig(env({})).logLevel).toBe('info');
    expect(failure(env({ LOG_LEVEL: 'verbose' }))).toBe('LOG_LEVEL must be debug, info, warn or error.');
  });

  it('wants the webhook URL and secret together', () => {
    expect(failure(env({ PASARELA_WEBHOOK_URL: 'https://shop.example/h' }))).toMatch(
      /^PASARELA_WEBHOOK_SECRET is missing/,
    );
    expect(failure(env({ PASARELA_WEBHOOK_SECRET: webhookSecret }))).toMatch(
      /^PASARELA_WEBHOOK_URL is missing/,
    );
  });

  it('names variables with its prefixes that nothing reads, except the tests’ own', () => {
    const config = loadConfig(
      env({
        PASARELA_WEBHOOK_SECERT: 'typo',
        ETPAY_MERCHANT: 'x',
        TPAGA_USER: 'y',
        PASARELA_TEST_DATABASE_URL: 'postgres://localhost/test',
        PATH: '/usr/bin',
      }),
    );
    expect(config.unknownVariables).toEqual(['ETPAY_MERCHANT', 'PASARELA_WEBHOOK_SECERT', 'TPAGA_USER']);
  });
});
