// The editor's desk in headless Chromium: nothing typed is lost. An editor opens a published
// article, changes every field (title, slug, sapo, body, category, byline, a cover picked
// from the media library with its caption and alt text, the schedule, comments), waits for
// "Đã lưu lúc …", types a little more and the browser dies (its context is closed, nothing
// submitted). In a new browser context (no localStorage) the editor is offered the draft,
// restores it, finds every field back while the live article is unchanged; a colleague who
// opens the article meanwhile is told "Đang được … sửa"; Ctrl+S saves ("Cập nhật": the
// article stays published) and the draft is gone.
//
// Needs what newsroom.test.mjs needs: target/debug/toasoan, PostgreSQL on 127.0.0.1:5432
// ($PGPORT for another port; user postgres), psql, Chromium ($CHROMIUM or /usr/bin/chromium).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { BIN, SHOTS } from './app.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DB_NAME = 'toasoan_desk_test';
let PORT = 0;
let BASE_URL = '';
const ACCOUNTS = [['bientap', 'Biên tập viên Lan'], ['dongnghiep', 'Biên tập viên Minh']];
const PASSWORD = 'mat-khau-ban-lam-viec';

// What the editor types into every field.
const TYPED = {
  title: 'Bảo Thắng mở rộng vùng chè sạch (bản sửa)',
  slug: 'bao-thang-mo-rong-vung-che-sach',
  sapo: 'Huyện đặt mục tiêu thêm 200 ha chè đạt chuẩn trong năm tới.',
  body: 'Đoạn văn gõ trong trình soạn thảo trước khi trình duyệt bị tắt.',
  byline: 'Nhóm phóng viên Bảo Thắng',
  caption: 'Đồi chè xã Phong Niên',
  alt: 'Người dân hái chè trên đồi',
  publishedAt: '2027-03-01T09:15',
};

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function sql(query) {
  return execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-d', DB_NAME, '-qAtX',
    '-v', 'ON_ERROR_STOP=1', '-F', '\t', '-c', query], { encoding: 'utf8' }).trim();
}

function dropDatabase() {
  execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-qX', '-v', 'ON_ERROR_STOP=1',
    '-c', `drop database if exists ${DB_NAME} with (force)`], { stdio: ['ignore', 'ignore', 'pipe'] });
}

describe('The editor desk: server autosave survives a dead browser', { timeout: 120_000 }, () => {
  let server = null;
  let mediaDir = null;
  let browser = null;
  const serverLog = [];
  let article = null; // { id, title, version, status }

  before(async () => {
    assert.ok(fs.existsSync(BIN), `${BIN} is missing: run \`cargo build --bin toasoan\` first`);
    fs.mkdirSync(SHOTS, { recursive: true });
    mediaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'toasoan-desk-media-'));
    // A port nobody listens on: the system's pick for a socket opened and closed here.
    const probe = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => probe.once('listening', resolve));
    PORT = probe.address().port;
    await new Promise((resolve) => probe.close(resolve));
    BASE_URL = `http://127.0.0.1:${PORT}`;
    const env = {
      ...process.env,
      DATABASE_URL: `postgres://postgres@127.0.0.1:${process.env.PGPORT || 5432}/${DB_NAME}`,
      TOASOAN_ADDR: `127.0.0.1:${PORT}`,
      TOASOAN_BASE_URL: BASE_URL,
      TOASOAN_MEDIA_DIR: mediaDir,
      TOASOAN_DEMO: 'on', // demo articles, categories and library images
      RUST_LOG: 'warn',
    };
    dropDatabase();
    for (const [username, name] of ACCOUNTS) {
      const made = spawnSync(BIN, ['user', 'create', '--username', username, '--display-name', name,
        '--role', 'editor'], { cwd: ROOT, env, input: `${PASSWORD}\n`, encoding: 'utf8', timeout: 60_000 });
      assert.equal(made.status, 0, `user create ${username}: ${made.stderr}`);
    }
    server = spawn(BIN, [], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [server.stdout, server.stderr]) {
      stream.on('data', (chunk) => serverLog.push(chunk.toString('utf8')));
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(`${BASE_URL}/healthz`).then((r) => r.ok, () => false);
      if (ok) break;
      assert.ok(Date.now() < deadline, `the server did not start:\n${serverLog.join('')}`);
      await sleep(250);
    }
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
    });
    const [id, title, version, status] = sql(
      "select article_id, title, version, status from article where status = 'published' order by article_id limit 1",
    ).split('\t');
    article = { id, title, version, status };
  }, { timeout: 100_000 });

  after(async () => {
    if (browser) await browser.close().catch(() => {});
    if (server) server.kill('SIGTERM');
    try { dropDatabase(); } catch (error) { console.error(`dropping ${DB_NAME}: ${error.message}`); }
    if (mediaDir) fs.rmSync(mediaDir, { recursive: true, force: true });
  });

  // A fresh browser context (its own cookies, no localStorage), logged in as `username`.
  async function loggedIn(username) {
    const context = await browser.newContext({ baseURL: BASE_URL, locale: 'vi-VN' });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    page.on('pageerror', (error) => { serverLog.push(`page error: ${error.message}\n`); });
    await page.goto('/admin/login');
    await page.fill('#login', username);
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForURL(/\/admin\/?$/), page.click('form[action="/admin/login"] button[type=submit]')]);
    return { context, page };
  }

  function liveArticle() {
    const [title, version, status] = sql(
      `select title, version, status from article where article_id = ${article.id}`,
    ).split('\t');
    return { id: article.id, title, version, status };
  }

  async function shot(page, name) {
    await page.screenshot({ path: path.join(SHOTS, name), fullPage: true }).catch(() => {});
  }

  let chosen = null; // the cover's key and the category picked

  it('autosaves every field to the server while typing, then the browser dies', async () => {
    const { context, page } = await loggedIn(ACCOUNTS[0][0]);
    try {
      await page.goto(`/admin/articles/${article.id}`);
      assert.equal((await page.textContent('button.primary[name=action][value=save]')).trim(), 'Cập nhật');

      await page.fill('#title', TYPED.title);
      await page.fill('#slug', TYPED.slug);
      await page.fill('#sapo', TYPED.sapo);
      // Whatever the body editor is: its editable surface keeps the textarea in sync.
      const surface = page.locator('[contenteditable="true"]').first();
      await surface.click();
      await page.keyboard.press('Control+End');
      await page.keyboard.press('Enter');
      await page.keyboard.type(TYPED.body);
      const options = await page.$$eval('#category_id option', (os) => os.map((o) => o.value).filter(Boolean));
      const current = await page.inputValue('#category_id');
      const category = options.find((v) => v !== current);
      await page.selectOption('#category_id', category);
      await page.fill('#byline', TYPED.byline);
      await page.click('button[data-media-picker="cover"]');
      await page.locator('.media-picker-choice').first().click();
      const cover = await page.inputValue('input[name="cover_image"]');
      assert.ok(cover, 'a cover was picked');
      await page.fill('#cover_caption', TYPED.caption);
      await page.fill('#cover_alt', TYPED.alt);
      await page.fill('#published_at', TYPED.publishedAt);
      await page.uncheck('input[name="comments_open"]');
      chosen = { cover, category };

      // The last change reaches the server, and the indicator says so.
      await page.waitForResponse((res) => res.url().endsWith(`/admin/articles/${article.id}/draft`) &&
        res.ok() && (res.request().postData() || '').includes('"comments_open":false'), { timeout: 15_000 });
      await page.locator('[data-save-status]').filter({ hasText: /^Đã lưu lúc \d\d:\d\d$/ }).waitFor();
      assert.match(await page.textContent('[data-counter-for="body_html"]'), /^[\d.]+ từ · [\d.]+ ký tự$/);
      assert.match(await page.textContent('[data-counter-for="sapo"]'), /^13 từ · \d+ ký tự$/);
      await shot(page, 'desk-autosaved.png');

      // Mid-typing, the browser goes away: nothing is submitted.
      await surface.click();
      await page.keyboard.type(' và thêm vài chữ');
    } finally {
      await context.close();
    }
    const live = liveArticle();
    assert.deepEqual(live, article, 'the live article is unchanged by the autosave');
  });

  it('restores every field in a new browser, while a colleague is told who is editing', async () => {
    const { context, page } = await loggedIn(ACCOUNTS[0][0]);
    const colleague = await loggedIn(ACCOUNTS[1][0]);
    try {
      await page.goto(`/admin/articles/${article.id}`);
      const restore = page.getByRole('link', { name: /^Khôi phục bản nháp lưu lúc / });
      await restore.waitFor();
      assert.equal(await page.inputValue('#title'), article.title, 'the form shows the article until restored');
      await Promise.all([page.waitForURL(/ban-nhap=/), restore.click()]);

      assert.equal(await page.inputValue('#title'), TYPED.title);
      assert.equal(await page.inputValue('#slug'), TYPED.slug);
      assert.equal(await page.inputValue('#sapo'), TYPED.sapo);
      assert.ok((await page.inputValue('#body_html')).includes(TYPED.body), await page.inputValue('#body_html'));
      assert.ok((await page.locator('[contenteditable="true"]').first().textContent()).includes(TYPED.body));
      assert.equal(await page.inputValue('#category_id'), chosen.category);
      assert.equal(await page.inputValue('#byline'), TYPED.byline);
      assert.equal(await page.inputValue('input[name="cover_image"]'), chosen.cover);
      assert.equal(await page.inputValue('#cover_caption'), TYPED.caption);
      assert.equal(await page.inputValue('#cover_alt'), TYPED.alt);
      assert.equal(await page.inputValue('#published_at'), TYPED.publishedAt);
      assert.equal(await page.isChecked('input[name="comments_open"]'), false);
      assert.deepEqual(liveArticle(), article, 'restoring does not touch the live article');
      await shot(page, 'desk-restored.png');

      // The editor's heartbeat has reached the server: the colleague sees the hint.
      const present = () => sql(`select count(*) from article_presence where article_id = ${article.id}`);
      for (let i = 0; present() === '0'; i++) {
        assert.ok(i < 50, 'no heartbeat recorded');
        await sleep(100);
      }
      await colleague.page.goto(`/admin/articles/${article.id}`);
      const hint = colleague.page.locator('[data-edit-lock]');
      await hint.filter({ hasText: `Đang được ${ACCOUNTS[0][1]} sửa` }).waitFor();

      // Ctrl+S saves the form as "Cập nhật" does: still published, the draft discarded.
      await page.locator('#title').focus();
      await Promise.all([page.waitForURL(/msg=saved$/), page.keyboard.press('Control+S')]);
      const live = liveArticle();
      assert.equal(live.title, TYPED.title);
      assert.equal(live.status, 'published', 'saving a published article keeps it published');
      assert.equal(sql('select count(*) from article_draft'), '0');
      assert.equal(await page.locator('text=Khôi phục bản nháp').count(), 0);
    } finally {
      await colleague.context.close();
      await context.close();
    }
  });
});
