// The paste cleaner (static/admin/sanitize-paste.js) on a corpus of real-world clipboard HTML:
// each paste-corpus/NAME.html (as Word, Google Docs or a web page put it on the clipboard)
// must clean to paste-corpus/NAME.expected.html, which may only use what the server's
// sanitiser (src/sanitize.rs) keeps. The module runs as it does in the back office: an ES
// module in headless Chromium, served from static/ by a tiny server here (no app server).
//
// Needs: Chromium ($CHROMIUM or /usr/bin/chromium). Run: npm ci && npm test (in tests/browser).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STATIC = path.join(ROOT, 'static');
const CORPUS = fileURLToPath(new URL('./paste-corpus/', import.meta.url));
const MODULE = '/static/admin/sanitize-paste.js';

const CASES = fs.readdirSync(CORPUS)
  .filter((name) => name.endsWith('.html') && !name.endsWith('.expected.html'))
  .sort();

// Images the cleaner refuses (not http(s) nor /media/): the editor tells the reporter.
const DROPPED_IMAGES = {
  'web-figure-caption.html': 1, // file:///C:/…
  'web-page-hostile.html': 2, // data:, another site's /static/
  'word-image-and-link.html': 1, // Word's local copy, file:///C:/…/clip_image002.jpg
};

const read = (name) => fs.readFileSync(path.join(CORPUS, name), 'utf8');
const expectedFor = (name) => read(name.replace(/\.html$/, '.expected.html')).trimEnd();

// The server's allow-list, read from src/sanitize.rs so that the two cannot drift apart.
function serverAllowList() {
  const rust = fs.readFileSync(path.join(ROOT, 'src/sanitize.rs'), 'utf8');
  const strings = (text) => [...text.matchAll(/"([^"]+)"/g)].map((m) => m[1]);
  const tags = /let tags: HashSet<&str> = \[([^\]]*)\]/.exec(rust);
  const attributes = /\.tag_attributes\(([\s\S]*?)\)\s*\.url_schemes/.exec(rust);
  const schemes = /\.url_schemes\(\[([^\]]*)\]/.exec(rust);
  assert.ok(tags && attributes && schemes, 'could not read the allow-list from src/sanitize.rs');
  const perTag = {};
  for (const [, tag, list] of attributes[1].matchAll(/\(\s*"([a-z0-9]+)",\s*\[([^\]]*)\]/g)) {
    perTag[tag] = new Set(strings(list));
  }
  return { tags: new Set(strings(tags[1])), perTag, schemes: new Set(strings(schemes[1])) };
}

// Just enough of a static file server for the module and an empty page to run it in.
function serveStatic(req, res) {
  const { pathname } = new URL(req.url, 'http://localhost');
  if (pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    // No favicon: the page makes no request of its own but the module.
    res.end('<!DOCTYPE html><html lang="vi"><meta charset="utf-8"><link rel="icon" href="data:,"><title>Dán</title>');
    return;
  }
  const file = path.join(STATIC, decodeURIComponent(pathname.replace(/^\/static\//, '')));
  if (!pathname.startsWith('/static/') || !file.startsWith(STATIC + path.sep) || !file.endsWith('.js') ||
      !fs.existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
  fs.createReadStream(file).pipe(res);
}

describe('paste cleaner on clipboard HTML from Word, Google Docs and web pages', () => {
  let server;
  let browser;
  let page;
  const requests = [];
  const problems = [];

  before(async () => {
    server = http.createServer(serveStatic);
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--no-first-run'],
      timeout: 30_000,
    });
    page = await browser.newPage();
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.evaluate(async (url) => { window.cleaner = await import(url); }, MODULE);
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) await new Promise((resolve) => server.close(resolve));
  });

  const clean = (html) => page.evaluate((h) => window.cleaner.cleanPastedHtml(h), html);

  it('has samples of each kind', () => {
    const count = (prefix) => CASES.filter((name) => name.startsWith(prefix)).length;
    assert.ok(count('word-') >= 4 && count('gdocs-') >= 4 && count('web-') >= 3, CASES.join(', '));
  });

  for (const name of CASES) {
    it(`cleans ${name}`, async () => {
      const expected = expectedFor(name);
      assert.equal(await clean(read(name)), expected);
      // What the editor holds may be pasted again (copied inside the editor): no change.
      assert.equal(await clean(expected), expected, 'cleaning the clean output changes it');
      const dropped = await page.evaluate((h) => window.cleaner.cleanHtml(h, 'paste').droppedImages, read(name));
      assert.equal(dropped, DROPPED_IMAGES[name] || 0, 'images dropped');
    });
  }

  it('expects only what the server keeps (src/sanitize.rs)', async () => {
    const allowed = serverAllowList();
    for (const name of CASES) {
      const elements = await page.evaluate((html) => {
        const doc = new DOMParser().parseFromString(html, 'text/html');
        return Array.from(doc.body.querySelectorAll('*'), (el) => ({
          tag: el.localName,
          attributes: Array.from(el.attributes, (a) => [a.name, a.value]),
        }));
      }, expectedFor(name));
      assert.ok(elements.length > 0, `${name}: no output`);
      for (const { tag, attributes } of elements) {
        assert.ok(allowed.tags.has(tag), `${name}: <${tag}> is not allowed`);
        for (const [attribute, value] of attributes) {
          assert.ok(allowed.perTag[tag] && allowed.perTag[tag].has(attribute), `${name}: <${tag} ${attribute}> is not allowed`);
          if (attribute === 'href' || attribute === 'src') {
            const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value);
            assert.ok(scheme ? allowed.schemes.has(scheme[1].toLowerCase()) : value.startsWith('/'),
              `${name}: ${attribute}="${value}"`);
          }
        }
      }
    }
  });

  it('neither runs nor loads anything from the pasted HTML', async () => {
    await page.waitForLoadState('networkidle');
    const base = `http://127.0.0.1:${server.address().port}`;
    assert.deepEqual(requests, [`${base}/`, `${base}${MODULE}`]);
    assert.equal(await page.evaluate(() => window.__pasteRan), undefined, 'web-page-hostile.html ran code');
    assert.deepEqual(problems, []);
  });
});
