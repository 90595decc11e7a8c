// The server under test for a browser test file: the built binary (debug/toasoan in Cargo's
// target directory, or $TOASOAN_BIN) on a free port, over its own database (a name unique to
// the run, dropped afterwards) on the PostgreSQL server named by $TOASOAN_TEST_DATABASE_URL
// (default postgres://postgres@127.0.0.1:5432/postgres), with a throwaway media directory; and
// headless Chromium ($CHROMIUM or /usr/bin/chromium).

import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Cargo's target directory ($CARGO_TARGET_DIR, a configured one or ./target). */
export const TARGET = JSON.parse(execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps'],
  { cwd: ROOT, encoding: 'utf8' })).target_directory;
export const BIN = process.env.TOASOAN_BIN || path.join(TARGET, 'debug/toasoan');
export const SHOTS = path.join(TARGET, 'browser');
/** The PostgreSQL server the test databases are created on. */
export const SERVER_URL = process.env.TOASOAN_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** SERVER_URL naming `database` instead. */
export function databaseUrl(database) {
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  return url.href;
}

/** A database name no other run uses: `toasoan_{what}_{pid}_{random}`. */
export function databaseName(what) {
  return `toasoan_${what}_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
}

/** Runs psql with `args` in `database` (default: the server's own database). */
export function psql(args, database = null, options = { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' }) {
  return execFileSync('psql', ['-d', database ? databaseUrl(database) : SERVER_URL, '-X', '-v', 'ON_ERROR_STOP=1',
    ...args], options);
}

/** Drops `database`, closing its connections. */
export function dropDatabase(database) {
  psql(['-q', '-c', `drop database if exists "${database}" with (force)`]);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Starts the server over a fresh database named for `what` (with `extraEnv` on top of the
 * environment); `stop()` ends it and drops it. */
export async function startApp(what, extraEnv = {}) {
  assert.ok(fs.existsSync(BIN), `${BIN} is missing: run \`cargo build --bin toasoan\` first`);
  const database = databaseName(what);
  const drop = () => dropDatabase(database);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'toasoan-browser-media-'));
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl(database),
    TOASOAN_ADDR: `127.0.0.1:${port}`,
    TOASOAN_BASE_URL: baseUrl,
    TOASOAN_MEDIA_DIR: mediaDir,
    RUST_LOG: 'warn',
    ...extraEnv,
  };
  delete env.TOASOAN_DEMO; // the demo content (categories) is part of the scenarios

  const log = [];
  const remember = (chunk) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) log.push(line);
    if (log.length > 400) log.splice(0, log.length - 400);
  };
  let exit = null;
  let server = null;

  const app = {
    baseUrl,
    /** Creates a staff account from the command line (this also migrates the database). */
    createUser(username, displayName, role, password) {
      const created = spawnSync(BIN, ['user', 'create', '--username', username, '--display-name', displayName,
        '--role', role], { cwd: ROOT, env, input: `${password}\n`, encoding: 'utf8', timeout: 30_000 });
      assert.equal(created.status, 0, `toasoan user create failed:\n${created.stdout}\n${created.stderr}`);
    },
    /** Runs `sql` in the test database; returns psql's unaligned output. */
    query(sql) {
      return psql(['-qtA', '-c', sql], database, { encoding: 'utf8' }).replace(/\n$/, '');
    },
    logTail: () => log.slice(-60).join('\n') || '(empty)',
    async serve() {
      server = spawn(BIN, [], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      server.stdout.on('data', remember);
      server.stderr.on('data', remember);
      server.on('exit', (code, signal) => { exit = `code ${code}, signal ${signal}`; });
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        if (exit) throw new Error(`the server exited (${exit}):\n${app.logTail()}`);
        const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
        if (res && res.status === 200) return;
        await sleep(250);
      }
      throw new Error('/healthz did not answer 200 within 60 s');
    },
    async stop() {
      if (server && !exit) {
        server.kill('SIGTERM');
        const timer = sleep(5_000).then(() => 'timeout');
        if ((await Promise.race([once(server, 'exit'), timer])) === 'timeout') server.kill('SIGKILL');
      }
      try { drop(); } catch (error) { console.error(`dropping ${database}: ${error.stderr || error.message}`); }
      fs.rmSync(mediaDir, { recursive: true, force: true });
    },
  };
  process.on('exit', () => { if (server && !exit) server.kill('SIGKILL'); });
  return app;
}

/** Headless Chromium as the browser tests run it. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
    timeout: 30_000,
  });
}

/** Logs `username` in within a new page of `context`; returns the page. */
export async function logIn(context, username, password) {
  const page = await context.newPage();
  await page.goto('/admin/login');
  await page.fill('#login', username);
  await page.fill('#password', password);
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/admin' || url.pathname === '/admin/'),
    page.click('form[action="/admin/login"] button[type=submit]'),
  ]);
  return page;
}
