// The body editor (ProseMirror, editor/src) in headless Chromium against the real server: a
// typed paragraph is one step of undo; bold, heading, list, quote, a link typed without
// https://, an uploaded image with its caption, several undos and redos, then saving: the
// stored body has the caption inside its figure and no nested paragraph. The Word and Google
// Docs clipboard corpus pasted into the editor gives the cleaner's expected HTML. The browser
// copy of a changed article is offered back after a reload. Without JavaScript the textarea
// still saves, and a document holding every node and mark of the schema goes through the
// server's sanitiser unchanged while covering its whole allow-list (one source of truth).
//
// Needs what newsroom.test.mjs needs (see app.mjs). Run: npm ci && npm test (in tests/browser).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, SHOTS, launchChromium, logIn, startApp } from './app.mjs';

const USERNAME = 'soanthao';
const PASSWORD = 'mat-khau-soan-thao';
const ALT = 'Lễ hội đầu xuân';
const CAPTION = 'Người dân dự lễ hội đầu xuân';
const CORPUS = fileURLToPath(new URL('./paste-corpus/', import.meta.url));
const DEMO_IMAGE = path.join(ROOT, 'src/demo/images/le-hoi.jpg');

// Every node and mark of the schema, with every attribute the server keeps.
const EVERY_NODE_AND_MARK = [
  '<h2>Tiêu đề lớn</h2>',
  '<h3>Tiêu đề nhỏ</h3>',
  '<h4>Tiêu đề con</h4>',
  '<p><strong>Đậm</strong>, <em>nghiêng</em>, <u>gạch dưới</u>, <s>gạch ngang</s>, m<sup>2</sup>, H<sub>2</sub>O,',
  ' <a href="https://baothang.laocai.gov.vn/" title="Cổng thông tin">liên kết</a><br>dòng mới</p>',
  '<blockquote><p>Lời trích dẫn</p></blockquote>',
  '<ul><li>một<ol start="3"><li>ba</li></ol></li></ul>',
  '<figure><img src="/media/2026/11/cau-960.jpg" srcset="/media/2026/11/cau-480.jpg 480w, /media/2026/11/cau-960.jpg 960w"',
  ' sizes="(max-width: 760px) 100vw, 720px" alt="Cầu mới" width="960" height="640"><figcaption>Cầu mới</figcaption></figure>',
  '<hr>',
  '<table><thead><tr><th scope="col" rowspan="2">Xã</th><th colspan="2">Số hộ</th></tr><tr><th>Cũ</th><th>Mới</th></tr></thead>',
  '<tbody><tr><td rowspan="2">Phố Lu</td><td colspan="2">12</td></tr><tr><td>3</td><td>4</td></tr></tbody></table>',
].join('');

// The server's allow-list, read from src/sanitize.rs (as paste.test.mjs does).
function serverAllowList() {
  const rust = fs.readFileSync(path.join(ROOT, 'src/sanitize.rs'), 'utf8');
  const strings = (text) => [...text.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
  const tags = /let tags: HashSet<&str> = \[([^\]]*)\]/.exec(rust);
  const attributes = /\.tag_attributes\(([\s\S]*?)\)\s*\.url_schemes/.exec(rust);
  assert.ok(tags && attributes, 'could not read the allow-list from src/sanitize.rs');
  const perTag = [];
  for (const [, tag, list] of attributes[1].matchAll(/\(\s*"([a-z0-9]+)",\s*\[([^\]]*)\]/g)) {
    for (const attribute of strings(list)) perTag.push(`${tag}[${attribute}]`);
  }
  return { tags: strings(tags[1]).sort(), attributes: perTag.sort() };
}

describe('the body editor (ProseMirror) in a browser', { timeout: 170_000 }, () => {
  let app;
  let browser;
  let context;
  let page;
  const problems = [];
  const answers = { link: '', alt: ALT };

  before(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    app = await startApp('editor');
    app.createUser(USERNAME, 'Phóng viên soạn thảo', 'admin', PASSWORD);
    await app.serve();
    browser = await launchChromium();
    context = await browser.newContext({ baseURL: app.baseUrl, locale: 'vi-VN', viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    page = await logIn(context, USERNAME, PASSWORD);
    page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
    // Pictures pasted from Google Docs point at its servers, which the back office's
    // Content-Security-Policy does not let load (img-src 'self'): expected, not a problem.
    const elsewhere = /^Loading the image 'https:\/\/[^']*' violates the following Content Security Policy directive: "img-src/;
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !elsewhere.test(msg.text())) problems.push(msg.text());
    });
    // The link and alt-text prompts, and the unsaved-changes question on reload.
    page.on('dialog', (dialog) => {
      const message = dialog.message();
      const answer = message.startsWith('Địa chỉ liên kết') ? answers.link : answers.alt;
      dialog.accept(dialog.type() === 'prompt' ? answer : undefined).catch(() => {});
    });
  }, { timeout: 120_000 });

  after(async () => {
    if (page && problems.length) console.error(`browser problems:\n${problems.join('\n')}`);
    if (browser) await browser.close().catch(() => {});
    if (app) await app.stop();
  }, { timeout: 20_000 });

  const surface = () => page.locator('.rte-surface');
  const body = () => page.inputValue('#body_html');

  async function newArticle(title) {
    await page.goto('/admin/articles/new');
    await surface().waitFor({ state: 'visible' });
    await page.fill('#title', title);
    await page.fill('#sapo', 'Phép thử trình soạn thảo.');
    await page.selectOption('#category_id', { label: 'Tin tức' });
    await surface().click();
  }

  it('undoes a typed paragraph with one Ctrl+Z, and redoes it', async () => {
    await newArticle('Hoàn tác một lần');
    const typed = 'Ủy ban nhân dân huyện Bảo Thắng GRANULAR họp phiên thường kỳ.';
    await page.keyboard.type(typed);
    assert.equal(await body(), `<p>${typed}</p>`);
    await page.keyboard.press('Control+z');
    assert.equal(await body(), '', 'one Ctrl+Z takes back the whole typed paragraph');
    assert.equal((await surface().textContent()).trim(), '');
    await page.keyboard.press('Control+y');
    assert.equal(await body(), `<p>${typed}</p>`);
  });

  it('formats, links without a scheme, keeps the caption through undo and redo, and saves', async () => {
    await newArticle(`Định dạng đầy đủ ${Date.now()}`);
    const kb = page.keyboard;
    await kb.type('Mở đầu ');
    await page.click('button[data-cmd=bold]');
    await kb.type('rất quan trọng');
    await page.click('button[data-cmd=bold]');
    await kb.type(' với bà con.');
    await kb.press('Enter');
    await page.click('button[data-cmd=h2]');
    await kb.type('Tiêu đề phụ');
    await kb.press('Enter');
    await page.click('button[data-cmd=ul]');
    await kb.type('mục một');
    await kb.press('Enter');
    await kb.type('mục hai');
    await kb.press('Enter');
    await kb.press('Enter'); // an empty item ends the list
    await page.click('button[data-cmd=blockquote]');
    await kb.type('Lời trích dẫn');
    await kb.press('Enter');
    await kb.press('Enter'); // an empty paragraph leaves the quote
    await kb.type('Xem thêm tại ');
    answers.link = 'baothang.laocai.gov.vn';
    await kb.press('Control+k');
    await kb.press('Enter');

    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('button[data-cmd=image]')]);
    const uploaded = page.waitForResponse((res) => new URL(res.url()).pathname === '/admin/media');
    await chooser.setFiles(DEMO_IMAGE);
    assert.equal((await uploaded).status(), 200);
    await surface().locator('figure img[src^="/media/"]').waitFor({ state: 'visible' });
    await kb.type(CAPTION); // the caret waits in the caption
    await kb.press('Enter');
    await kb.type('Đoạn cuối bài.');

    const before = await body();
    for (const piece of [
      '<p>Mở đầu <strong>rất quan trọng</strong> với bà con.</p>',
      '<h2>Tiêu đề phụ</h2>',
      '<ul><li>mục một</li><li>mục hai</li></ul>',
      '<blockquote><p>Lời trích dẫn</p></blockquote>',
      '<a href="https://baothang.laocai.gov.vn" rel="noopener noreferrer">https://baothang.laocai.gov.vn</a>',
      `<figcaption>${CAPTION}</figcaption></figure>`,
      '<p>Đoạn cuối bài.</p>',
    ]) assert.ok(before.includes(piece), `${piece} missing from:\n${before}`);

    for (let i = 0; i < 4; i++) await kb.press('Control+z');
    assert.notEqual(await body(), before, 'undo changed nothing');
    for (let i = 0; i < 4; i++) await kb.press('Control+Shift+z');
    assert.equal(await body(), before, 'redo did not bring everything back');
    for (let i = 0; i < 3; i++) { await kb.press('Control+z'); await kb.press('Control+y'); }
    assert.equal(await body(), before);
    await page.screenshot({ path: path.join(SHOTS, 'editor-prosemirror.png'), fullPage: true });

    await Promise.all([
      page.waitForURL(/\/admin\/articles\/\d+\?msg=/),
      page.click('button[name=action][value=save]'),
    ]);
    const id = /\/admin\/articles\/(\d+)/.exec(page.url())[1];
    const stored = app.query(`select body_html from article where article_id = ${id}`);
    assert.equal(stored, before, 'the server stored something else than the editor wrote');
    const shape = await page.evaluate((html) => {
      const doc = new DOMParser().parseFromString(html, 'text/html');
      return {
        nested: doc.querySelectorAll('p p, p figure, p blockquote, p ul, p ol, figure p, h2 p').length,
        strayCaptions: Array.from(doc.querySelectorAll('figcaption')).filter((c) => c.parentElement.localName !== 'figure').length,
        figures: Array.from(doc.querySelectorAll('figure'), (f) => Array.from(f.children, (c) => c.localName).join('+')),
        caption: doc.querySelector('figure figcaption')?.textContent,
      };
    }, stored);
    assert.deepEqual(shape, { nested: 0, strayCaptions: 0, figures: ['img+figcaption'], caption: CAPTION });
    // The edit page opens on the same text.
    assert.equal(await body(), stored);
    assert.equal(await surface().locator('figure figcaption').textContent(), CAPTION);
  });

  it('pastes the Word and Google Docs corpus as the cleaner expects', async () => {
    await newArticle('Dán từ Word');
    const names = fs.readdirSync(CORPUS).filter((n) => /^(word|gdocs)-.*(?<!\.expected)\.html$/.test(n)).sort();
    assert.ok(names.length >= 8, names.join(', '));
    for (const name of names) {
      await page.keyboard.press('Control+a');
      await page.keyboard.press('Delete');
      const html = fs.readFileSync(path.join(CORPUS, name), 'utf8');
      await surface().evaluate((el, data) => {
        const clipboard = new DataTransfer();
        clipboard.setData('text/html', data);
        el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: clipboard, bubbles: true, cancelable: true }));
      }, html);
      const expected = fs.readFileSync(path.join(CORPUS, name.replace(/\.html$/, '.expected.html')), 'utf8').trimEnd();
      // What the editor stores is the cleaner's output in the schema's words: the same text
      // as loading the expected HTML itself.
      const asStored = await page.evaluate(async (h) => (await import('/static/admin/editor.js')).toStoredHtml(h), expected);
      assert.equal(await body(), asStored, `${name}: pasted`);
      for (const junk of ['mso-', 'style=', 'class=', '<span', '<o:p', 'docs-internal']) {
        assert.ok(!asStored.includes(junk), `${name}: ${junk}`);
      }
    }
  });

  it('offers the autosaved copy of a changed article back after a reload', async () => {
    await page.goto('/admin/articles?q=' + encodeURIComponent('Định dạng đầy đủ'));
    await Promise.all([
      page.waitForURL(/\/admin\/articles\/\d+$/),
      page.locator('main a[href^="/admin/articles/"]', { hasText: 'Định dạng đầy đủ' }).first().click(),
    ]);
    await surface().click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' Thêm một câu chưa lưu.');
    // The desk saves the draft to the server a moment after typing stops.
    await page.locator('[data-save-status]').filter({ hasText: /^Đã lưu lúc \d\d:\d\d$/ }).waitFor();
    await page.reload();
    const restore = page.locator('.draft-notice a', { hasText: 'Khôi phục bản nháp' });
    await restore.waitFor({ state: 'visible' });
    await Promise.all([page.waitForURL(/ban-nhap=/), restore.click()]);
    await surface().waitFor({ state: 'visible' });
    assert.ok((await body()).includes('Đoạn cuối bài. Thêm một câu chưa lưu.'), await body());
    assert.ok((await surface().textContent()).includes('Thêm một câu chưa lưu.'));
  });

  it('edits a page ("Trang") with the same editor', async () => {
    await page.goto('/admin/pages/new');
    await surface().waitFor({ state: 'visible' });
    await surface().click();
    await page.click('button[data-cmd=h3]');
    await page.keyboard.type('Chức năng, nhiệm vụ');
    assert.equal(await body(), '<h3>Chức năng, nhiệm vụ</h3>');
  });

  it('saves through the textarea without JavaScript; every node and mark passes the server unchanged', async () => {
    const { html, nodes, marks, schemaNodes, schemaMarks } = await page.evaluate(async (sample) => {
      const editor = await import('/static/admin/editor.js');
      const doc = editor.parseHtml(sample);
      const seenNodes = new Set([doc.type.name]);
      const seenMarks = new Set();
      doc.descendants((node) => {
        seenNodes.add(node.type.name);
        for (const mark of node.marks) seenMarks.add(mark.type.name);
      });
      return {
        html: editor.toStoredHtml(sample),
        nodes: [...seenNodes].sort(),
        marks: [...seenMarks].sort(),
        schemaNodes: Object.keys(editor.schema.nodes).sort(),
        schemaMarks: Object.keys(editor.schema.marks).sort(),
      };
    }, EVERY_NODE_AND_MARK);
    assert.deepEqual(nodes, schemaNodes, 'the sample misses a node of the schema');
    assert.deepEqual(marks, schemaMarks, 'the sample misses a mark of the schema');

    // The schema writes the whole allow-list: every tag but the aliases <b> and <i> (read as
    // <strong> and <em>), and every attribute.
    const written = await page.evaluate((h) => {
      const doc = new DOMParser().parseFromString(h, 'text/html');
      const all = Array.from(doc.body.querySelectorAll('*'));
      return {
        tags: [...new Set(all.map((el) => el.localName))].sort(),
        attributes: [...new Set(all.flatMap((el) => Array.from(el.attributes, (a) => `${el.localName}[${a.name}]`)))].sort(),
      };
    }, html);
    const allowed = serverAllowList();
    assert.deepEqual(written.tags, allowed.tags.filter((t) => t !== 'b' && t !== 'i'));
    // rel is the server's own (ammonia's link_rel), written by the schema so nothing changes.
    assert.deepEqual(written.attributes.filter((a) => a !== 'a[rel]'), allowed.attributes);

    const noJs = await browser.newContext({ baseURL: app.baseUrl, javaScriptEnabled: false });
    try {
      const p = await logIn(noJs, USERNAME, PASSWORD);
      await p.goto('/admin/articles/new');
      assert.ok(await p.locator('textarea#body_html').isVisible(), 'the plain textarea is there');
      await p.fill('#title', `Không JavaScript ${Date.now()}`);
      await p.fill('#sapo', 'Soạn bằng ô văn bản.');
      await p.selectOption('#category_id', { label: 'Tin tức' });
      await p.fill('#body_html', html);
      await Promise.all([p.waitForURL(/\/admin\/articles\/\d+\?msg=/), p.click('button[name=action][value=save]')]);
      const id = /\/admin\/articles\/(\d+)/.exec(p.url())[1];
      assert.equal(app.query(`select body_html from article where article_id = ${id}`), html,
        'the server sanitiser changed what the schema writes');
      assert.equal(await p.inputValue('#body_html'), html);
    } finally {
      await noJs.close();
    }
    assert.deepEqual(problems, []);
  });
});
