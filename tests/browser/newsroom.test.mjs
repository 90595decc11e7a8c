// End-to-end test in headless Chromium: an editor logs in, writes an article in the
// WYSIWYG editor (bold text, an uploaded picture), publishes it, pastes a Word list into a
// new one, and a reader finds the article on the home page and reads it (with and without
// JavaScript); the reader comments (with the test captcha), a moderator approves the
// comment, and it shows under the article. The editor also adds a legal document with a PDF,
// and a reader finds it at /van-ban by searching "nghi quyet 15" and downloads it under its
// Vietnamese name. An editor gives the uploaded picture a default alt text and caption in the
// media library ("Thư viện") and picks it from there into a new article, as its cover and in
// its body; readers see it in both places. No page breaks its Content-Security-Policy (every
// kind of page is checked with axe-core and the Nu HTML checker in pages.test.mjs).
//
// Needs what app.mjs needs: the built binary, PostgreSQL ($TOASOAN_TEST_DATABASE_URL), psql,
// Chromium. Run: npm ci && npm test (in tests/browser). Screenshots go to browser/ in Cargo's
// target directory.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { BIN, ROOT, SHOTS, databaseName, databaseUrl, dropDatabase as drop } from './app.mjs';

const DEMO_IMAGE = path.join(ROOT, 'src/demo/images/le-hoi.jpg');
const DB_NAME = databaseName('browser');
const DATABASE_URL = databaseUrl(DB_NAME);

const USERNAME = 'bientap';
const PASSWORD = 'mat-khau-trinh-duyet';
const TITLE = `Trình duyệt thử nghiệm ${Date.now()}`;
const EXPECTED_SLUG = slugify(TITLE);
const SAPO = 'Bài viết do phép thử tự động trên trình duyệt tạo ra để kiểm tra toàn bộ quy trình đăng bài.';
const FIRST = 'Ủy ban nhân dân huyện vừa công bố kế hoạch mới, ';
const BOLD = 'rất quan trọng';
const AFTER_BOLD = ' đối với bà con trong xã.';
const CAPTION = 'Lễ hội truyền thống đầu xuân';
const ALT = 'Ảnh minh họa lễ hội';
const LAST = 'Bà con có thể xem chi tiết tại trụ sở ủy ban.';

const PICKED_TITLE = `Ảnh chọn từ thư viện ${Date.now()}`;
const LIBRARY_ALT = 'Người dân múa xòe trong lễ hội xuống đồng';
const LIBRARY_CAPTION = 'Lễ hội xuống đồng ở Bảo Thắng (ảnh thư viện)';

const MODERATOR = 'kiemduyet';
const MODERATOR_PASSWORD = 'mat-khau-kiem-duyet';
const TEST_CAPTCHA = 'thu-nghiem';
const COMMENT_NAME = 'Nguyễn Thị Bình';
const COMMENT_TITLE = `Ý kiến bạn đọc ${Date.now()}`;
const COMMENT_BODY = 'Kế hoạch rất thiết thực.\nMong sớm được triển khai ở thôn tôi.';

const DOC_NUMBER = '15/NQ-HĐND';
const DOC_SUMMARY = `Về chuyển đổi số trong cơ quan nhà nước (phép thử ${Date.now()})`;
const DOC_FILE = 'Nghị quyết 15 HĐND.pdf';
// A one-page PDF written here (no binary in the repository).
const DOC_PDF = Buffer.from([
  '%PDF-1.4',
  '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
  '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
  '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj',
  'trailer << /Root 1 0 R >>',
  '%%EOF',
  '',
].join('\n'));

const STEP_TIMEOUT = 30_000;

// Same rules as the server's text::slugify (and the editor's).
function slugify(text) {
  return text.replace(/[đĐ]/g, 'd').normalize('NFD').replace(/[\u0300-\u036f]/g, '')
    .toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

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

function dropDatabase() {
  drop(DB_NAME);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- shared state -------------------------------------------------------------------------

let port;
let baseUrl;
let env;
let mediaDir;
let server = null;
let serverExit = null;
const serverLog = []; // last lines of the server's stdout+stderr
let browser = null;
let context = null;
let page = null;
let failed = false;
const consoleProblems = []; // { url, text }
const cspViolations = []; // { url, text }
const pagesWithoutCsp = []; // URLs of HTML pages served without the header

let articleEditUrl = null;
let articleHref = null;
let uploadedSrc = null;

function logTail(n = 60) {
  return serverLog.slice(-n).join('\n') || '(empty: the server logged no warning or error)';
}

function remember(chunk) {
  for (const line of chunk.toString('utf8').split('\n')) {
    if (line.trim()) serverLog.push(line);
  }
  if (serverLog.length > 400) serverLog.splice(0, serverLog.length - 400);
}

// A test step: skipped once an earlier step failed (they build on each other); a failure
// leaves a screenshot and the server's log behind.
function step(name, fn) {
  it(name, { timeout: STEP_TIMEOUT }, async (t) => {
    if (failed) { t.skip('an earlier step failed'); return; }
    try {
      await fn(t);
    } catch (error) {
      failed = true;
      if (page) {
        const shot = path.join(SHOTS, 'failure.png');
        const saved = await page.screenshot({ path: shot, fullPage: true, timeout: 5_000 })
          .then(() => shot, (e) => `none (${e.message.split('\n')[0]})`);
        console.error(`\n[${name}] failed on ${page.url()}; screenshot: ${saved}`);
      }
      throw error;
    }
  });
}

async function waitForHealth(timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (serverExit) throw new Error(`the server exited (${serverExit}) before answering /healthz`);
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error.cause ? error.cause.code || error.cause.message : error.message;
    }
    await sleep(250);
  }
  throw new Error(`/healthz did not answer 200 within ${timeoutMs / 1000} s (last: ${last})`);
}

async function stopServer() {
  if (!server || serverExit) return;
  server.kill('SIGTERM');
  const exited = once(server, 'exit');
  const timer = sleep(5_000).then(() => 'timeout');
  if ((await Promise.race([exited, timer])) === 'timeout') {
    server.kill('SIGKILL');
    await exited;
  }
}

// Never leave a server behind, whatever happens to this process.
process.on('exit', () => {
  if (server && !serverExit) server.kill('SIGKILL');
});

const CSP_VIOLATION = 'CSP violation: ';

// Console errors, uncaught exceptions, and what the Content-Security-Policy blocked (each page
// reports its own `securitypolicyviolation` events; Chromium's messages naming the Content
// Security Policy count too).
async function watchConsole(p) {
  p.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const where = msg.location() && msg.location().url;
    const text = msg.text();
    if (text.startsWith(CSP_VIOLATION) || text.includes('Content Security Policy')) {
      cspViolations.push({ url: p.url(), text });
      return;
    }
    consoleProblems.push({ url: p.url(), text: `console.error: ${text}${where ? ` (${where})` : ''}` });
  });
  p.on('pageerror', (error) => {
    consoleProblems.push({ url: p.url(), text: `uncaught: ${error.message}` });
  });
  p.on('response', (res) => {
    if (res.request().resourceType() === 'document' && !res.headers()['content-security-policy']) {
      pagesWithoutCsp.push(res.url());
    }
  });
  await p.addInitScript((prefix) => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`${prefix}${e.violatedDirective} blocked ${e.blockedURI || 'inline'}` +
        ` at ${e.sourceFile}:${e.lineNumber}: ${e.sample}`);
    });
  }, CSP_VIOLATION);
}

// A full-page screenshot as a reader would see the page on a screen tall enough for all of
// it: sticky parts (the admin menu, the editor toolbar, the "Lưu / Đăng bài" bar) sit where
// they belong instead of wherever the current scroll position puts them.
async function fullPageShot(p, file) {
  const viewport = p.viewportSize();
  const height = await p.evaluate(() => {
    window.scrollTo(0, 0);
    return Math.ceil(document.documentElement.scrollHeight);
  });
  await p.setViewportSize({ width: viewport.width, height: Math.min(Math.max(height, viewport.height), 8_000) });
  try {
    await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await p.screenshot({ path: path.join(SHOTS, file), fullPage: true });
  } finally {
    await p.setViewportSize(viewport);
  }
}

// Waits until <img> has loaded (or failed) and returns what the browser made of it.
function imageState(locator) {
  return locator.evaluate((img) => new Promise((resolve) => {
    const done = () => resolve({
      src: img.getAttribute('src'),
      currentSrc: img.currentSrc,
      complete: img.complete,
      naturalWidth: img.naturalWidth,
      naturalHeight: img.naturalHeight,
      alt: img.getAttribute('alt'),
    });
    if (img.complete) { done(); return; }
    img.addEventListener('load', done, { once: true });
    img.addEventListener('error', done, { once: true });
  }));
}

// --- the test -------------------------------------------------------------------------------

describe('Tòa Soạn in a browser: write, publish, read', { timeout: 115_000 }, () => {
  before(async () => {
    try {
      await setUp();
    } catch (error) {
      failed = true;
      throw error;
    }
  }, { timeout: 100_000 });

  async function setUp() {
    assert.ok(fs.existsSync(BIN), `${BIN} is missing: run \`cargo build --bin toasoan\` first`);
    fs.mkdirSync(SHOTS, { recursive: true });
    fs.rmSync(path.join(SHOTS, 'failure.png'), { force: true });

    port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'toasoan-browser-media-'));
    env = {
      ...process.env,
      DATABASE_URL,
      TOASOAN_ADDR: `127.0.0.1:${port}`,
      TOASOAN_BASE_URL: baseUrl,
      TOASOAN_MEDIA_DIR: mediaDir,
      // Every captcha also accepts this answer: tests only (the server warns loudly).
      TOASOAN_INSECURE_CAPTCHA: TEST_CAPTCHA,
      RUST_LOG: 'warn',
    };
    delete env.TOASOAN_DEMO; // the demo content (categories) is part of the scenario

    dropDatabase();

    // The first admin, from the command line (this also creates and migrates the database).
    const created = spawnSync(BIN, ['user', 'create', '--username', USERNAME,
      '--display-name', 'Biên tập viên', '--role', 'admin'], {
      cwd: ROOT, env, input: `${PASSWORD}\n`, encoding: 'utf8', timeout: 30_000,
    });
    assert.equal(created.status, 0,
      `toasoan user create failed (${created.status ?? created.signal ?? created.error}):\n` +
      `${created.stdout}\n${created.stderr}`);

    const moderator = spawnSync(BIN, ['user', 'create', '--username', MODERATOR,
      '--display-name', 'Kiểm duyệt viên', '--role', 'moderator'], {
      cwd: ROOT, env, input: `${MODERATOR_PASSWORD}\n`, encoding: 'utf8', timeout: 30_000,
    });
    assert.equal(moderator.status, 0, `creating the moderator failed:\n${moderator.stderr}`);

    server = spawn(BIN, [], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout.on('data', remember);
    server.stderr.on('data', remember);
    server.on('error', (error) => { serverExit = serverExit || `spawn error: ${error.message}`; });
    server.on('exit', (code, signal) => { serverExit = `code ${code}, signal ${signal}`; });
    await waitForHealth(60_000);

    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
      timeout: 30_000,
    });
    context = await browser.newContext({ baseURL: baseUrl, locale: 'vi-VN', viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    context.setDefaultNavigationTimeout(20_000);
    page = await context.newPage();
    await watchConsole(page);
    // Alt text for the uploaded picture (window.prompt); accept anything else too.
    page.on('dialog', (dialog) => {
      dialog.accept(dialog.type() === 'prompt' ? ALT : undefined).catch(() => {});
    });
  }

  after(async () => {
    if (failed || serverExit) {
      console.error(`\n--- server log (last lines) ---\n${logTail()}\n---`);
      if (cspViolations.length) {
        console.error('--- CSP violations ---\n' +
          cspViolations.map((p) => `${p.url}: ${p.text}`).join('\n'));
      }
      if (consoleProblems.length) {
        console.error('--- browser console problems ---\n' +
          consoleProblems.map((p) => `${p.url}: ${p.text}`).join('\n'));
      }
    }
    if (browser) await browser.close().catch(() => {});
    await stopServer();
    try { dropDatabase(); } catch (error) { console.error(`dropping ${DB_NAME}: ${error.stderr || error.message}`); }
    if (mediaDir) fs.rmSync(mediaDir, { recursive: true, force: true });
  }, { timeout: 15_000 });

  step('logs in at /admin/login', async () => {
    await page.goto('/admin/login');
    await page.fill('#login', USERNAME);
    await page.fill('#password', PASSWORD);
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/admin' || url.pathname === '/admin/'),
      page.click('form[action="/admin/login"] button[type=submit]'),
    ]);
    assert.equal(await page.locator('.flash.error').count(), 0, 'login error shown');
  });

  step('writes an article with bold text and an uploaded picture in the editor', async () => {
    await page.goto('/admin/articles/new');
    const surface = page.locator('.rte-surface');
    await surface.waitFor({ state: 'visible' });

    await page.fill('#title', TITLE);
    await page.fill('#sapo', SAPO);
    await page.selectOption('#category_id', { label: 'Tin tức' });
    assert.equal(await page.inputValue('#slug'), EXPECTED_SLUG, 'slug filled in from the title');

    await surface.click();
    await page.keyboard.type(FIRST);
    await page.click('button[data-cmd=bold]');
    await page.keyboard.type(BOLD);
    assert.equal(await page.getAttribute('button[data-cmd=bold]', 'aria-pressed'), 'true', 'bold button shows pressed');
    await page.click('button[data-cmd=bold]');
    await page.keyboard.type(AFTER_BOLD);
    assert.equal(await page.getAttribute('button[data-cmd=bold]', 'aria-pressed'), 'false', 'bold button released');
    await page.keyboard.press('Enter');

    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.click('button[data-cmd=image]'),
    ]);
    const uploaded = page.waitForResponse((res) => new URL(res.url()).pathname === '/admin/media');
    await chooser.setFiles(DEMO_IMAGE);
    const res = await uploaded;
    assert.equal(res.status(), 200, `upload answered ${res.status()}: ${await res.text().catch(() => '')}`);

    const img = surface.locator('figure img[src^="/media/"]');
    await img.waitFor({ state: 'visible' });
    uploadedSrc = await img.getAttribute('src');
    assert.equal(await img.getAttribute('alt'), ALT, 'alt text from the prompt');
    const state = await imageState(img);
    assert.ok(state.naturalWidth > 0, `uploaded image does not load in the editor: ${JSON.stringify(state)}`);

    // The caption placeholder is selected after the upload: type over it, then Enter goes
    // below the picture.
    await page.keyboard.type(CAPTION);
    await page.keyboard.press('Enter');
    await page.keyboard.type(LAST);

    await page.waitForFunction(
      ({ bold, caption }) => {
        const v = document.querySelector('#body_html').value;
        return v.includes(`<strong>${bold}</strong>`) && v.includes(`<figcaption>${caption}</figcaption>`);
      },
      { bold: BOLD, caption: CAPTION },
      { timeout: 5_000 },
    ).catch(async () => {
      assert.fail(`#body_html does not hold the expected HTML:\n${await page.inputValue('#body_html')}`);
    });

    await fullPageShot(page, 'editor.png');
  });

  step('publishes it ("Đăng bài")', async (t) => {
    await Promise.all([
      page.waitForURL(/\/admin\/articles\/\d+\?msg=published$/),
      page.click('button[name=action][value=publish]'),
    ]);
    articleEditUrl = page.url();
    const flash = page.locator('.flash.success');
    await flash.waitFor({ state: 'visible' });
    assert.equal((await flash.textContent()).trim(), 'Đã đăng bài.');
    const body = await page.inputValue('#body_html');
    t.diagnostic(`saved body_html:\n${body}`);
    assert.ok(!body.includes('&nbsp;'), `a space typed next to bold text was stored as &nbsp;:\n${body}`);
    assert.ok(body.includes(`<strong>${BOLD}</strong>`), `saved body lost the bold text:\n${body}`);
  });

  step('loads the back-office modules by fingerprinted URLs; cleans what is pasted from Word', async () => {
    const p = await context.newPage();
    await watchConsole(p);
    try {
      await p.goto('/admin/articles/new');
      const surface = p.locator('.rte-surface');
      await surface.waitFor({ state: 'visible' });
      // Every module, imported ones included (the import map), carries its ?v= fingerprint.
      const scripts = await p.evaluate(() => performance.getEntriesByType('resource')
        .map((e) => new URL(e.name)).filter((u) => u.pathname.startsWith('/static/admin/') && u.pathname.endsWith('.js'))
        .map((u) => u.pathname + u.search));
      for (const url of scripts) assert.match(url, /\?v=[0-9a-f]{12}$/, `not fingerprinted: ${url}`);
      assert.deepEqual(scripts.map((url) => url.replace(/\?.*/, '')).sort(), [
        '/static/admin/admin.js', '/static/admin/autosave.js', '/static/admin/desk.js', '/static/admin/editor.js',
        '/static/admin/media-picker.js', '/static/admin/sanitize-paste.js',
      ], `scripts: ${scripts.join(', ')}`);

      await surface.click();
      const word = fs.readFileSync(new URL('./paste-corpus/word-bulleted-list.html', import.meta.url), 'utf8');
      await surface.evaluate((el, html) => {
        const data = new DataTransfer();
        data.setData('text/html', html);
        el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
      }, word);
      const body = await p.inputValue('#body_html');
      assert.ok(body.includes('<ul><li>Che chắn chuồng trại, <strong>giữ ấm</strong> cho trâu, bò vào ban đêm;</li>'),
        `the Word list is not a clean list in #body_html:\n${body}`);
      for (const junk of ['mso-', 'style=', 'class=', '<span', '<o:p', '·']) {
        assert.ok(!body.includes(junk), `${junk} in #body_html:\n${body}`);
      }
    } finally {
      await p.close();
    }
  });

  step('shows the article on the home page', async () => {
    await page.goto('/');
    const link = page.locator('main a[href^="/bai-viet/"]', { hasText: TITLE }).first();
    await link.waitFor({ state: 'visible' });
    articleHref = await link.getAttribute('href');
    assert.equal(articleHref, `/bai-viet/${EXPECTED_SLUG}`);
  });

  step('shows the article itself: title, bold text, the uploaded picture', async () => {
    await Promise.all([
      page.waitForURL((url) => url.pathname === articleHref),
      page.locator('main a[href^="/bai-viet/"]', { hasText: TITLE }).first().click(),
    ]);
    await assert.doesNotReject(page.waitForLoadState('load'));

    const h1 = page.locator('h1');
    assert.equal(await h1.count(), 1, 'exactly one h1');
    assert.equal((await h1.textContent()).trim(), TITLE);

    const body = page.locator('.article-body');
    const html = await body.innerHTML();
    assert.ok(html.includes(`<strong>${BOLD}</strong>`), `no <strong>${BOLD}</strong> in .article-body:\n${html}`);
    assert.ok(html.includes(FIRST.trim()) && html.includes(LAST), `.article-body misses text:\n${html}`);

    const figure = body.locator('figure');
    await figure.waitFor({ state: 'visible' });
    const img = figure.locator('img');
    const state = await imageState(img);
    assert.ok(state.src.startsWith('/media/'), `image src not under /media/: ${state.src}`);
    assert.equal(state.src, uploadedSrc, 'the image is the one uploaded in the editor');
    assert.ok(new URL(state.currentSrc).pathname.startsWith('/media/'), `currentSrc: ${state.currentSrc}`);
    assert.ok(state.naturalWidth > 0, `the picture does not load: ${JSON.stringify(state)}`);
    assert.equal(state.alt, ALT);
    assert.equal((await figure.locator('figcaption').textContent()).trim(), CAPTION);

    await fullPageShot(page, 'article.png');
  });

  step('an editor picks an image from the media library into an article', async () => {
    // The picture uploaded in the editor is in the library: found without accents, it gets
    // its default alt text and caption there.
    await page.goto('/admin/thu-vien?q=le+hoi');
    const key = uploadedSrc.replace(/^\/media\//, '');
    const row = page.locator('.library-table tr', { has: page.locator(`img[src^="/media/${key.replace(/-\d+\.jpg$/, '-')}"]`) });
    await Promise.all([
      page.waitForURL(/\/admin\/thu-vien\/anh\/\d+$/),
      row.locator('a').first().click(),
    ]);
    assert.ok((await page.locator('main').textContent()).includes(TITLE), 'the image page lists the article using it');
    await page.fill('#alt', LIBRARY_ALT);
    await page.fill('#caption', LIBRARY_CAPTION);
    await Promise.all([
      page.waitForURL(/\/admin\/thu-vien\/anh\/\d+\?msg=saved$/),
      page.click('form.form button.primary'),
    ]);

    await page.goto('/admin/articles/new');
    const surface = page.locator('.rte-surface');
    await surface.waitFor({ state: 'visible' });
    await page.fill('#title', PICKED_TITLE);
    await page.fill('#sapo', SAPO);
    await page.selectOption('#category_id', { label: 'Tin tức' });
    await surface.click();
    await page.keyboard.type(FIRST);

    // Into the body: the picker searches the library (the caption's words, no accents).
    const pick = async (button) => {
      await page.click(button);
      const dialog = page.locator('dialog.media-picker[open]');
      await dialog.waitFor({ state: 'visible' });
      const answered = page.waitForResponse((res) => new URL(res.url()).searchParams.get('q') === 'xuong dong');
      await dialog.locator('input[type=search]').fill('xuong dong');
      assert.equal((await answered).status(), 200);
      const choice = dialog.locator('.media-picker-choice', { has: page.locator(`img[src$="-480.jpg"]`) }).first();
      await choice.waitFor({ state: 'visible' });
      await choice.click();
      await dialog.waitFor({ state: 'detached' }).catch(() => page.locator('dialog.media-picker[open]').waitFor({ state: 'hidden' }));
    };
    await pick('button[data-media-picker="body_html"]');
    const img = surface.locator('figure img[src^="/media/"]');
    await img.waitFor({ state: 'visible' });
    assert.equal(await img.getAttribute('src'), uploadedSrc, 'the library image, not a new upload');
    assert.equal(await img.getAttribute('alt'), LIBRARY_ALT, 'the default alt text');
    assert.equal((await surface.locator('figcaption').textContent()).trim(), LIBRARY_CAPTION);
    const typed = await page.inputValue('#body_html');
    assert.ok(typed.indexOf(FIRST.trim()) < typed.indexOf('<figure'), `the picture is not where the caret was:\n${typed}`);

    // As the cover: the hidden fields, its default texts and a preview.
    await pick('button[data-media-picker="cover"]');
    assert.equal(await page.inputValue('input[name=cover_image]'), key);
    assert.equal(await page.inputValue('#cover_alt'), LIBRARY_ALT);
    assert.equal(await page.inputValue('#cover_caption'), LIBRARY_CAPTION);
    await page.locator('img.cover-preview').waitFor({ state: 'visible' });
    await fullPageShot(page, 'library-picked.png');

    await Promise.all([
      page.waitForURL(/\/admin\/articles\/\d+\?msg=published$/),
      page.click('button[name=action][value=publish]'),
    ]);
    await page.goto(`/bai-viet/${slugify(PICKED_TITLE)}`);
    const cover = await imageState(page.locator('.article-cover img'));
    assert.ok(cover.naturalWidth > 0, `the cover does not load: ${JSON.stringify(cover)}`);
    assert.equal(cover.alt, LIBRARY_ALT);
    assert.equal(cover.src.replace(/-\d+\.jpg$/, ''), uploadedSrc.replace(/-\d+\.jpg$/, ''), 'the cover is the library image');
    const inBody = await imageState(page.locator('.article-body figure img'));
    assert.equal(inBody.src, uploadedSrc);
    assert.equal(inBody.alt, LIBRARY_ALT);
    assert.ok(inBody.naturalWidth > 0, 'the picture in the body loads');
  });

  step('arranges the main menu in the back office; readers see it in the header', async () => {
    await page.goto('/admin/menu');
    await page.check('input[name="target"][value="url"]');
    await page.fill('#url', 'https://laocai.gov.vn/');
    await page.fill('#label', 'Cổng tỉnh Lào Cai');
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/admin/menu' && url.search.includes('msg=created')),
      page.click('form[action="/admin/menu"] button[type=submit]'),
    ]);
    assert.equal(await page.locator('.flash.error').count(), 0, 'the entry was refused');
    await page.goto('/');
    const link = page.locator('.main-nav a[href="https://laocai.gov.vn/"]');
    assert.equal((await link.textContent()).trim(), 'Cổng tỉnh Lào Cai');
    // The demo's page entry is there too, and opens the page.
    await Promise.all([
      page.waitForURL((url) => url.pathname === '/gioi-thieu'),
      page.click('.main-nav a[href="/gioi-thieu"]'),
    ]);
    assert.equal((await page.locator('h1').textContent()).trim(), 'Giới thiệu');
  });

  step('an editor adds a document ("Văn bản") with a PDF', async () => {
    await page.goto('/admin/documents/new');
    await page.fill('#number', DOC_NUMBER);
    await page.selectOption('#type_id', { label: 'Nghị quyết' });
    await page.selectOption('#issuer_id', { label: 'Hội đồng nhân dân huyện' });
    await page.fill('#issued_on', '2026-06-30');
    await page.fill('#summary', DOC_SUMMARY);
    await page.setInputFiles('#files', { name: DOC_FILE, mimeType: 'application/pdf', buffer: DOC_PDF });
    await Promise.all([
      page.waitForURL(/\/admin\/documents\/\d+\?msg=created$/),
      page.click('form[enctype="multipart/form-data"] button[type=submit]'),
    ]);
    assert.equal(await page.inputValue('#number'), DOC_NUMBER);
  });

  step('a reader finds it at /van-ban by searching "nghi quyet 15" and downloads it', async () => {
    await page.goto('/van-ban');
    await page.fill('#van-ban-q', 'nghi quyet 15');
    await Promise.all([
      page.waitForURL(/\/van-ban\?q=nghi\+quyet\+15/),
      page.click('form[action="/van-ban"] button[type=submit]'),
    ]);
    const link = page.locator('main a[href^="/van-ban/"]', { hasText: DOC_NUMBER }).first();
    await link.waitFor({ state: 'visible' });
    await Promise.all([page.waitForURL(/\/van-ban\/[a-z0-9-]+$/), link.click()]);
    assert.ok((await page.textContent('main')).includes(DOC_SUMMARY), 'the document page shows its summary');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click(`a[download]:has-text("${DOC_FILE}")`),
    ]);
    assert.equal(download.suggestedFilename(), DOC_FILE);
    const saved = await download.path();
    assert.deepEqual(fs.readFileSync(saved), DOC_PDF);
  });

  step('public pages and the editor run under the Content-Security-Policy', async () => {
    assert.deepEqual(pagesWithoutCsp, [], 'pages without a Content-Security-Policy');
    const onPublic = cspViolations.filter((p) => !new URL(p.url).pathname.startsWith('/admin'));
    assert.deepEqual(onPublic, [], 'CSP violations on public pages');
    const onAdmin = cspViolations.filter((p) => new URL(p.url).pathname.startsWith('/admin'));
    assert.deepEqual(onAdmin, [], 'CSP violations in the back office');
  });

  step('pages log no console errors', async () => {
    const onPublic = consoleProblems.filter((p) => !new URL(p.url).pathname.startsWith('/admin'));
    assert.deepEqual(onPublic, [], 'console errors on public pages');
    const onAdmin = consoleProblems.filter((p) => new URL(p.url).pathname.startsWith('/admin'));
    assert.deepEqual(onAdmin, [], 'console errors in the back office');
  });

  step('the article reads the same without JavaScript', async () => {
    const noJs = await browser.newContext({ baseURL: baseUrl, javaScriptEnabled: false });
    try {
      const p = await noJs.newPage();
      const media = [];
      p.on('response', (res) => {
        if (new URL(res.url()).pathname.startsWith('/media/')) media.push(res.status());
      });
      const res = await p.goto(articleHref, { waitUntil: 'load' });
      assert.equal(res.status(), 200);
      assert.equal((await p.locator('h1').textContent()).trim(), TITLE);
      assert.equal((await p.locator('.article-body strong').first().textContent()).trim(), BOLD);
      assert.ok(await p.locator('.article-body figure img').isVisible(), 'picture visible without JS');
      assert.ok(media.length > 0 && media.every((s) => s === 200), `media responses: ${JSON.stringify(media)}`);
      const home = await p.goto('/', { waitUntil: 'load' });
      assert.equal(home.status(), 200);
      assert.ok(await p.locator(`main a[href="${articleHref}"]`).first().isVisible(), 'home page link without JS');
    } finally {
      await noJs.close();
    }
  });
  step('a reader comments with the test captcha and sees the waiting message', async () => {
    const reader = await browser.newContext({ baseURL: baseUrl, locale: 'vi-VN', viewport: { width: 1280, height: 900 } });
    try {
      const p = await reader.newPage();
      await watchConsole(p);
      await p.goto(articleHref, { waitUntil: 'load' });
      const form = p.locator('form.comment-form');
      await form.waitFor({ state: 'visible' });
      assert.ok(await p.locator('img.captcha-image').evaluate((img) => img.naturalWidth > 0), 'captcha image loads');
      await p.fill('#cf-name', COMMENT_NAME);
      await p.fill('#cf-title', COMMENT_TITLE);
      await p.fill('#cf-content', COMMENT_BODY);
      await p.fill('#cf-captcha', TEST_CAPTCHA);
      // People take more than the server's three-second minimum to write a comment.
      await sleep(3_500);
      await Promise.all([
        p.waitForURL((url) => url.searchParams.get('binh-luan') === 'cho-duyet'),
        form.locator('button[type=submit]').click(),
      ]);
      const notice = p.locator('.comment-notice');
      await notice.waitFor({ state: 'visible' });
      assert.equal((await notice.textContent()).trim(), 'Bình luận của bạn đã được gửi và đang chờ kiểm duyệt.');
      assert.equal(await p.locator('#binh-luan', { hasText: COMMENT_TITLE }).count(), 0, 'not public before moderation');
      await fullPageShot(p, 'comment-sent.png');
    } finally {
      await reader.close();
    }
  });

  step('a moderator logs in and approves it', async () => {
    const staff = await browser.newContext({ baseURL: baseUrl, locale: 'vi-VN', viewport: { width: 1280, height: 900 } });
    try {
      const p = await staff.newPage();
      await watchConsole(p);
      await p.goto('/admin/login');
      await p.fill('#login', MODERATOR);
      await p.fill('#password', MODERATOR_PASSWORD);
      await Promise.all([
        p.waitForURL((url) => url.pathname === '/admin'),
        p.click('form[action="/admin/login"] button[type=submit]'),
      ]);
      await p.goto('/admin/comments');
      const approve = p.getByRole('button', { name: `Duyệt: ${COMMENT_TITLE}` });
      await approve.waitFor({ state: 'visible' });
      await fullPageShot(p, 'moderation.png');
      await Promise.all([
        p.waitForURL((url) => url.searchParams.has('msg')),
        approve.click(),
      ]);
      await p.locator('.flash.success').waitFor({ state: 'visible' });
    } finally {
      await staff.close();
    }
  });

  step('the approved comment shows under the article', async () => {
    await page.goto(articleHref, { waitUntil: 'load' });
    const section = page.locator('#binh-luan');
    assert.equal((await section.locator('h2').textContent()).trim(), 'Bình luận (1)');
    const comment = section.locator('article.comment', { hasText: COMMENT_TITLE });
    await comment.waitFor({ state: 'visible' });
    assert.equal((await comment.locator('.comment-author').textContent()).trim(), COMMENT_NAME);
    assert.equal((await comment.locator('.comment-body').first().textContent()).trim(), COMMENT_BODY);
    assert.deepEqual(consoleProblems, [], 'console errors');
    assert.deepEqual(cspViolations, [], 'CSP violations');
    assert.deepEqual(pagesWithoutCsp, [], 'pages without a Content-Security-Policy');
  });
});
