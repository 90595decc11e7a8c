/* Tòa Soạn — reading comfort for readers: text size (A- A A+) and high contrast, remembered
   in this browser (localStorage), and "Sao chép liên kết" on article pages. Our own code, no
   dependencies; every page works without it (the controls stay hidden, the link stays a link). */
(function () {
  "use strict";

  var root = document.documentElement;
  var SIZE_KEY = "toasoan:co-chu";
  var CONTRAST_KEY = "toasoan:tuong-phan";
  // Steps from the default (0): one smaller, three larger. Each is a class on <html>.
  var SIZES = { "-1": "reader-size-sm", "1": "reader-size-lg", "2": "reader-size-xl", "3": "reader-size-xxl" };
  var SMALLEST = -1;
  var LARGEST = 3;

  function load(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function save(key, value) {
    try {
      if (value === null) { window.localStorage.removeItem(key); } else { window.localStorage.setItem(key, value); }
    } catch (e) { /* private mode or storage disabled: the choice lasts for this page only */ }
  }

  function savedSize() {
    var step = parseInt(load(SIZE_KEY), 10);
    if (isNaN(step)) { return 0; }
    return Math.max(SMALLEST, Math.min(LARGEST, step));
  }
  function savedContrast() { return load(CONTRAST_KEY) === "1"; }

  function applySize(step) {
    Object.keys(SIZES).forEach(function (key) { root.classList.remove(SIZES[key]); });
    if (SIZES[String(step)]) { root.classList.add(SIZES[String(step)]); }
  }
  function applyContrast(on) { root.classList.toggle("reader-contrast", on); }

  // First, before anything else: the reader's saved choice, so the page is not shown without it.
  applySize(savedSize());
  applyContrast(savedContrast());

  function setUpReaderTools() {
    var tools = document.querySelector("[data-reader-tools]");
    if (!tools) { return; }
    var sizeButtons = tools.querySelectorAll("[data-reader-size]");
    var contrastButton = tools.querySelector("[data-reader-contrast]");

    function refresh() {
      var step = savedSize();
      Array.prototype.forEach.call(sizeButtons, function (button) {
        var delta = parseInt(button.getAttribute("data-reader-size"), 10);
        var atLimit = (delta < 0 && step <= SMALLEST) || (delta > 0 && step >= LARGEST) ||
          (delta === 0 && step === 0);
        button.setAttribute("aria-disabled", atLimit ? "true" : "false");
      });
      if (contrastButton) {
        contrastButton.setAttribute("aria-pressed", savedContrast() ? "true" : "false");
      }
    }

    Array.prototype.forEach.call(sizeButtons, function (button) {
      button.addEventListener("click", function () {
        var delta = parseInt(button.getAttribute("data-reader-size"), 10);
        var step = delta === 0 ? 0 : Math.max(SMALLEST, Math.min(LARGEST, savedSize() + delta));
        save(SIZE_KEY, step === 0 ? null : String(step));
        applySize(step);
        refresh();
      });
    });
    if (contrastButton) {
      contrastButton.addEventListener("click", function () {
        var on = !root.classList.contains("reader-contrast");
        save(CONTRAST_KEY, on ? "1" : null);
        applyContrast(on);
        refresh();
      });
    }
    // Another tab changed the choice: follow it.
    window.addEventListener("storage", function (event) {
      if (event.key === SIZE_KEY || event.key === CONTRAST_KEY || event.key === null) {
        applySize(savedSize());
        applyContrast(savedContrast());
        refresh();
      }
    });

    refresh();
    tools.hidden = false;
  }

  function setUpCopyLink() {
    var button = document.querySelector("[data-copy-url]");
    var fallback = document.querySelector("[data-copy-fallback]");
    var status = document.querySelector("[data-copy-status]");
    if (!button || !navigator.clipboard || !window.isSecureContext) { return; }
    var label = button.textContent;
    var timer = null;

    function say(text) { if (status) { status.textContent = text; } }

    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy-url")).then(function () {
        button.textContent = "Đã sao chép";
        button.classList.add("is-done");
        say("Đã sao chép liên kết bài viết.");
        window.clearTimeout(timer);
        timer = window.setTimeout(function () {
          button.textContent = label;
          button.classList.remove("is-done");
          say("");
        }, 2500);
      }, function () {
        // Refused (permissions): give the plain link back for a long-press or right-click.
        if (fallback) { fallback.hidden = false; }
        say("Không sao chép được. Hãy nhấn giữ hoặc nhấn chuột phải vào “Liên kết bài viết”.");
      });
    });
    button.hidden = false;
    if (fallback) { fallback.hidden = true; }
  }

  function start() {
    setUpReaderTools();
    setUpCopyLink();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
