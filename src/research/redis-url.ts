/**
 * `--queue redis://[user:password@]host:port[/db]`: parsed once, and shown
 * everywhere (logs, progress, errors) with the password replaced by `***`.
 * The password lives only in the connection options handed to ioredis.
 */
import { UserError } from '../util/errors';

export interface QueueConnection {
  /** Options for ioredis / BullMQ's `connection`. */
  options: { host: string; port: number; username?: string; password?: string; db?: number; tls?: object; maxRetriesPerRequest: null };
  /** The URL with any password masked: safe to print. */
  display: string;
  /** Replace the password wherever it appears in a message (errors from below may echo input). */
  redact(text: string): string;
}

export function parseQueueUrl(url: string): QueueConnection {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(`--queue: '${maskLoose(url)}' is not a URL; expected redis://[user:password@]host:port`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new UserError(`--queue: expected a redis:// or rediss:// URL, got '${u.protocol}//…'`);
  }
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const port = u.port ? Number(u.port) : 6379;
  const dbPath = u.pathname.replace(/^\//, '');
  const db = dbPath ? Number(dbPath) : undefined;
  if (db !== undefined && !(Number.isInteger(db) && db >= 0)) throw new UserError(`--queue: database '${dbPath}' must be a whole number`);
  const display = `${u.protocol}//${username ? encodeURIComponent(username) + (password ? ':***' : '') + '@' : password ? ':***@' : ''}${u.hostname}:${port}${db !== undefined ? '/' + db : ''}`;
  const secrets = password ? [password, u.password].filter((s) => s.length > 0) : [];
  return {
    options: {
      host: u.hostname,
      port,
      ...(username ? { username } : {}),
      ...(password ? { password } : {}),
      ...(db !== undefined ? { db } : {}),
      ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
      // BullMQ's workers block on Redis; ioredis must retry forever rather than fail their commands.
      maxRetriesPerRequest: null,
    },
    display,
    redact(text: string): string {
      let out = text;
      for (const s of secrets) out = out.split(s).join('***');
      return out;
    },
  };
}

/** Mask anything between `//` and `@` in a string that is not even a URL. */
function maskLoose(s: string): string {
  return s.replace(/\/\/[^@/]*@/, '//***@');
}
