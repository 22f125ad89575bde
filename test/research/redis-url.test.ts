import { describe, expect, it } from 'vitest';
import { parseQueueUrl } from '../../src/research/redis-url';

describe('--queue URLs', () => {
  it('passes user, password, host, port and db to the connection and masks the password in what is shown', () => {
    // A password with URL-special characters, percent-encoded as a user must write it.
    const c = parseQueueUrl('redis://edgelab:p%40ss%3Aw%2Frd@10.0.0.5:6380/2');
    expect(c.options).toMatchObject({ host: '10.0.0.5', port: 6380, username: 'edgelab', password: 'p@ss:w/rd', db: 2, maxRetriesPerRequest: null });
    expect(c.display).toBe('redis://edgelab:***@10.0.0.5:6380/2');
    // Errors from below may echo either form of the secret: both are masked.
    expect(c.redact('WRONGPASS for p@ss:w/rd (redis://edgelab:p%40ss%3Aw%2Frd@10.0.0.5)')).toBe('WRONGPASS for *** (redis://edgelab:***@10.0.0.5)');
  });

  it('password-only URLs, defaults and TLS', () => {
    const c = parseQueueUrl('redis://:s3cret@localhost');
    expect(c.options).toMatchObject({ host: 'localhost', port: 6379, password: 's3cret' });
    expect(c.options).not.toHaveProperty('username');
    expect(c.display).toBe('redis://:***@localhost:6379');
    expect(parseQueueUrl('rediss://h:1').options.tls).toEqual({});
    expect(parseQueueUrl('redis://h:1').display).toBe('redis://h:1');
  });

  it('refuses what is not a Redis URL, without echoing a password', () => {
    expect(() => parseQueueUrl('http://u:hunter2@h:1')).toThrow(/expected a redis:\/\/ or rediss:\/\/ URL/);
    expect(() => parseQueueUrl('redis//u:hunter2@h')).toThrow(/'redis\/\/\*\*\*@h' is not a URL/);
    expect(() => parseQueueUrl('redis://h:1/x')).toThrow(/database 'x' must be a whole number/);
    try {
      parseQueueUrl('http://u:hunter2@h:1');
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2');
    }
  });
});
