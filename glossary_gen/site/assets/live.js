/*
 * glossary_gen live examples: Run buttons for the entry's Python snippets and the playground.
 *
 * - The entries' Python runs in a Web Worker (assets/live-worker.js) inside a sandboxed frame
 *   (assets/live-frame.html, <iframe sandbox="allow-scripts">, no allow-same-origin): an opaque
 *   origin, so a snippet reaches neither the page's DOM nor the site's cookies, storage or
 *   same-origin requests, and the frame's Content-Security-Policy blocks the network altogether.
 *   A runaway loop freezes only the worker; the Stop button (or the time limit) removes the frame.
 * - This page fetches Pyodide's files (from the configured CDN or the site's local copy) and the
 *   worker's source, and hands them to the frame as data: the frame itself loads nothing.
 * - The page and the frame talk only by postMessage. The page accepts messages from its own frame
 *   (event.source) and reads them as data (text and numbers shown with textContent); the frame
 *   accepts messages from its parent only.
 * - Nothing heavy loads with the page: the frame and Pyodide are fetched on the first Run click
 *   (or first playground move), once per page visit, and reused across Material's instant
 *   navigation. After a Stop, the next run starts a fresh frame from the files already fetched.
 * - Blocks run like the doctests do: one namespace per page, top to bottom. Running block N first
 *   replays blocks 1..N-1 (as currently edited) in a fresh namespace, then shows N's output.
 * - Failures are shown, never swallowed: a traceback under the snippet, or a clear message when
 *   Pyodide cannot be loaded (offline, blocked, wrong URL).
 */
(function () {
  "use strict";

  var RUNNABLE = ".glossary-runnable[data-glossary-block]";
  var ISLAND = "script[data-glossary-code]";
  var PLAYGROUND = ".glossary-playground";
  var LOAD_TIMEOUT_MS = 120000;
  // The frame's script posts "frame-ready" as it starts: no word this long after the frame loaded
  // means it did not run (blocked by a policy of the site, or a stale copy of the frame).
  var FRAME_START_MS = 10000;
  // A run (or a playground call) still going after this long is stopped (likely an endless loop).
  var RUN_TIMEOUT_MS = 30000;
  // Longer text from the sandbox is cut: a snippet's output cannot flood the page.
  var MAX_TEXT = 100000;

  // The widgets' words in the page's language: a translated page carries them as JSON in
  // [data-glossary-words] (an attribute the renderer writes; entries cannot: the sanitizer drops
  // data-* attributes). Elsewhere, and for any word it lacks, the English text itself. A text's
  // placeholders ({n}, {host}, ...) take ``values`` in one pass (a value holding "{n}" stays as
  // it is); the result is only ever shown as text (textContent, attributes), never as HTML.
  var wordsNode = null;
  var words = {};
  function say(text, values) {
    return fill(wordFor(text), values);
  }
  function fill(template, values) {
    if (!values) return template;
    return template.replace(/\{([a-z]+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : whole;
    });
  }
  // The page's words, as handed to the worker (strings only).
  function pageWords() {
    say("");
    var copy = {};
    Object.keys(words).forEach(function (key) { if (typeof words[key] === "string") copy[key] = words[key]; });
    return copy;
  }
  function wordFor(text) {
    var node = document.querySelector("[data-glossary-words]");
    if (node !== wordsNode) {
      wordsNode = node;
      words = {};
      try {
        var data = node ? JSON.parse(node.getAttribute("data-glossary-words")) : null;
        if (data && typeof data === "object" && !Array.isArray(data)) words = data;
      } catch (e) { /* English */ }
    }
    var word = Object.prototype.hasOwnProperty.call(words, text) ? words[text] : null;
    return typeof word === "string" && word ? word : text;
  }
  // Pyodide's files the worker needs, and how each is read: text or bytes.
  var PYODIDE_FILES = {
    "pyodide.mjs": "text",
    "pyodide.asm.mjs": "text",
    "pyodide-lock.json": "text",
    "pyodide.asm.wasm": "bytes",
    "python_stdlib.zip": "bytes",
  };
  // The worker and the frame sit next to this script (assets/glossary/); resolved now, while the
  // <script> element is known, so they stay right after instant navigation changes the page's URL.
  var HERE = scriptUrl();
  var WORKER_URL = new URL("live-worker.js", HERE).href;
  var FRAME_URL = new URL("live-frame.html", HERE).href;

  function scriptUrl() {
    var script = document.currentScript;
    var src = script && script.src;
    if (!src) {
      var found = document.querySelector('script[src*="assets/glossary/live.js"]');
      src = found ? found.src : new URL("assets/glossary/live.js", location.href).href;
    }
    return src;
  }

  // The current Python: {frame, ready, pending, tail, ...}; null before the first use and after
  // a Stop (the next use starts a new one).
  var python = null;
  var restarts = 0;
  // Pyodide's files and the worker's source, fetched once per Pyodide location: {base, promise}.
  var downloads = null;

  function pyodideBase() {
    // The site's configured location, from the page's JSON island: an absolute URL (a CDN) as
    // is, a relative one (the local copy) relative to the page. Read at click time, so it is
    // right for whichever page instant navigation has loaded.
    var node = findIsland();
    var value = node ? node.getAttribute("data-glossary-pyodide") : null;
    if (!value) value = pageData().pyodide_url;
    if (!value) throw new Error(say("this page does not say where Pyodide is (no pyodide_url)"));
    var base = new URL(value, location.href).href;
    return base.charAt(base.length - 1) === "/" ? base : base + "/";
  }

  // The site's own copy, to try when pyodideBase() cannot be reached (pyodide_url: cdn), or "".
  function pyodideFallback() {
    var node = findIsland();
    var value = node ? node.getAttribute("data-glossary-pyodide-fallback") : null;
    if (!value) return "";
    var base = new URL(value, location.href).href;
    return base.charAt(base.length - 1) === "/" ? base : base + "/";
  }

  // ``why(seconds)``: the message of the failure when ``promise`` takes longer than ``ms``.
  function withTimeout(promise, ms, why) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () {
        reject(new Error(why(Math.round(ms / 1000))));
      }, ms);
      promise.then(
        function (value) { clearTimeout(timer); resolve(value); },
        function (error) { clearTimeout(timer); reject(error); }
      );
    });
  }

  function runTimeoutMs() {
    var value = Number(window.glossaryLive && window.glossaryLive.runTimeoutMs);
    return value > 0 ? value : RUN_TIMEOUT_MS;
  }

  // Text that came from the sandbox, made safe to show: a string, and not an endless one.
  function text(value) {
    if (value === undefined || value === null) return "";
    var s = String(value);
    return s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) + "\n" + say("… (output cut after {n} characters)", { n: MAX_TEXT }) : s;
  }

  function fetchFile(url, kind) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) {
        var failed = new Error(url + " answered HTTP " + response.status);
        failed.status = response.status;
        throw failed;
      }
      return kind === "bytes" ? response.arrayBuffer() : response.text();
    }, function (error) {
      var failed = new Error((error && error.message) || String(error));
      failed.network = true;
      throw failed;
    });
  }

  // One line for a reader whose Python could not load: why, and what to do.
  function loadFailure(base, error) {
    var reason = (error && error.message) || String(error);
    var url = new URL(base);
    var local = url.origin === location.origin;
    var folder = local ? url.pathname.replace(/^.*?\/(assets\/pyodide\/)$/, "$1") : url.host;
    var why;
    if (error && error.network) {
      why = local ? say("this site's copy of Pyodide ({folder}) could not be reached. Reload the page and try again",
                        { folder: folder })
                  : say("this page needs a network connection to download Python (Pyodide) from {host}, and it" +
                        " could not be reached. Try again once online, or build the site with the local Pyodide" +
                        " ('bash scripts/setup' installs it)", { host: folder });
    } else if (error && error.status === 404 && local) {
      why = say("this site's copy of Pyodide ({folder}) is incomplete (HTTP 404). If you build this site," +
                " run 'bash scripts/setup' and build it again", { folder: folder });
    } else if (error && error.status) {
      why = say("Pyodide's server ({host}) answered HTTP {status}. Try again later",
                { host: folder, status: error.status });
    } else {
      why = say("{reason} (Pyodide from {where}). Check content blockers and try again",
                { reason: reason, where: local ? folder : url.href });
    }
    var wrapped = new Error(say("Python could not be loaded:") + " " + why + ". " +
                            say("The outputs shown on the page were verified when the site was built."));
    wrapped.loadFailure = true;
    return wrapped;
  }

  // Pyodide's files and the worker's source, fetched by this page (the frame cannot fetch):
  // resolves to {workerSource, files}. Kept for the page visit, so a restart after Stop needs no
  // network; a failed download is forgotten, so the next click tries again.
  function download(base) {
    if (downloads && downloads.base === base) return downloads.promise;
    var names = Object.keys(PYODIDE_FILES);
    var promise = Promise.all([fetchFile(WORKER_URL, "text")].concat(names.map(function (name) {
      return fetchFile(base + name, PYODIDE_FILES[name]);
    }))).then(function (results) {
      var files = {};
      names.forEach(function (name, i) { files[name] = results[i + 1]; });
      return { workerSource: results[0], files: files };
    });
    downloads = { base: base, promise: promise };
    promise.catch(function () { if (downloads && downloads.promise === promise) downloads = null; });
    return promise;
  }

  // Packages (NumPy, say): the worker asks for a wheel by name; the page fetches it only if
  // Pyodide's lock file names it, from Pyodide's folder, checked against the lock's SHA-256, and
  // at most this many per Python (a snippet cannot make the page download every package).
  var MAX_PACKAGE_FILES = 20;
  // Wheels fetched for the workers, by URL (promises of ArrayBuffers), kept for the page visit.
  var wheels = {};

  function hexToBase64(hex) {
    var bytes = "";
    for (var i = 0; i < hex.length; i += 2) bytes += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
    return btoa(bytes);
  }

  // {file_name: SHA-256 in hex} for the packages in Pyodide's lock file.
  function lockedWheels(lockText) {
    var found = {};
    var packages = {};
    try {
      packages = JSON.parse(lockText).packages || {};
    } catch (error) { /* no packages, then */ }
    Object.keys(packages).forEach(function (key) {
      var pkg = packages[key];
      if (!pkg || typeof pkg.file_name !== "string" || !/^[A-Za-z0-9_.+-]+\.(whl|zip|tar)$/.test(pkg.file_name)) return;
      if (typeof pkg.sha256 !== "string" || !/^[0-9a-fA-F]{64}$/.test(pkg.sha256)) return;
      found[pkg.file_name] = pkg.sha256;
    });
    return found;
  }

  // Where the package wheels are: the page says so (data-glossary-packages: an absolute URL, or
  // empty for Pyodide's folder itself). A page that does not say: the npm package of Pyodide on
  // jsDelivr holds the runtime but no wheels, which Pyodide's full distribution on the same CDN
  // has (Pyodide's own default); any other location holds both.
  function packagesBase(base) {
    var node = findIsland();
    var said = node ? node.getAttribute("data-glossary-packages") : null;
    if (said !== null) return said ? new URL(said, location.href).href : base;
    var npm = /^https:\/\/cdn\.jsdelivr\.net\/npm\/pyodide@([0-9][0-9A-Za-z.+-]*)\/$/.exec(base);
    return npm ? "https://cdn.jsdelivr.net/pyodide/v" + npm[1] + "/full/" : base;
  }

  function hexOf(buffer) {
    var bytes = new Uint8Array(buffer);
    var hex = "";
    for (var i = 0; i < bytes.length; i++) hex += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return hex;
  }

  // A wheel's bytes, checked against the lock file's SHA-256 here (crypto.subtle) rather than
  // with fetch's integrity option: that one also checks error pages (a 404), and the console
  // then shows "integrity" errors for what is a missing file. The reason of a failure is short
  // and names no URL: the reader sees it under the example.
  function fetchWheel(url, sha256) {
    var host = new URL(url).host;
    var sameSite = host === location.host;
    var subtle = window.crypto && window.crypto.subtle;
    var options = { credentials: "same-origin" };
    if (!subtle) options.integrity = "sha256-" + hexToBase64(sha256); // not a secure context
    return fetch(url, options).then(function (response) {
      if (!response.ok) {
        throw new Error(response.status === 404 && sameSite
          ? say("this site's copy of Pyodide does not include it")
          : say("the server answered HTTP {status}", { status: response.status }));
      }
      return response.arrayBuffer();
    }, function () {
      throw new Error(sameSite ? say("the site's server did not answer")
                               : say("it is downloaded from {host}, which could not be reached (are you offline?)",
                                     { host: host }));
    }).then(function (bytes) {
      if (!subtle) return bytes;
      return subtle.digest("SHA-256", bytes).then(function (digest) {
        if (hexOf(digest) !== sha256.toLowerCase()) {
          throw new Error(say("the file downloaded does not match Pyodide's lock file (SHA-256)"));
        }
        return bytes;
      });
    });
  }

  // Answers a worker's {type: "file-request", rid, name}: the wheel's bytes, or why not.
  function sendWheel(engine, base, data) {
    var answer = function (message) {
      message.type = "file";
      message.rid = data.rid;
      if (!engine.stopped) engine.post(message);
    };
    if (!engine.wheels) engine.wheels = lockedWheels(engine.loaded.files["pyodide-lock.json"]);
    var name = typeof data.name === "string" ? data.name : "";
    if (!engine.wheels.hasOwnProperty(name)) {
      answer({ error: say("'{name}' is not a package in Pyodide's lock file", { name: text(name).slice(0, 200) }) });
      return;
    }
    engine.wheelCount = (engine.wheelCount || 0) + 1;
    if (engine.wheelCount > MAX_PACKAGE_FILES) {
      answer({ error: say("more than {n} package files asked for", { n: MAX_PACKAGE_FILES }) });
      return;
    }
    var url = packagesBase(base) + name;
    if (!wheels[url]) {
      var promise = fetchWheel(url, engine.wheels[name]);
      wheels[url] = promise;
      promise.catch(function () { if (wheels[url] === promise) delete wheels[url]; });
    }
    wheels[url].then(function (bytes) {
      answer({ bytes: bytes });
    }, function (error) {
      answer({ error: (error && error.message) || String(error) });
    });
  }

  // The sandbox: a hidden, unfocusable frame with an opaque origin, in <body> (which instant
  // navigation keeps), not in the content that navigation swaps.
  function createFrame() {
    var frame = document.createElement("iframe");
    frame.setAttribute("sandbox", "allow-scripts");
    frame.setAttribute("aria-hidden", "true");
    frame.setAttribute("tabindex", "-1");
    frame.setAttribute("title", say("Python sandbox for the examples (no content)"));
    frame.setAttribute("referrerpolicy", "no-referrer");
    frame.className = "glossary-python-frame";
    // Not display:none (browsers may throttle such frames): zero-sized and out of the layout.
    frame.style.cssText = "position:fixed;width:0;height:0;border:0;left:0;top:0;visibility:hidden;";
    frame.src = FRAME_URL;
    document.body.appendChild(frame);
    return frame;
  }

  // Starts the sandbox frame, its worker and Pyodide in it; resolves to the engine once Python is
  // ready.
  // Which interpreter a run needs: one per page and entry. Nothing one page's (or one entry's)
  // code defines or redefines, builtins and the helpers the worker calls included, reaches the
  // next: a new page gets a new frame, a new worker and a new Pyodide (from the files already
  // downloaded, so no new request).
  function scopeOf() {
    var node = findIsland();
    var entry = "";
    if (node) {
      try { entry = String(JSON.parse(node.textContent).entry || ""); } catch (e) { /* none */ }
    }
    return location.pathname + "\n" + entry;
  }

  function loadPython() {
    var scope = scopeOf();
    if (python && python.scope !== scope) stopPython(python, null);
    if (python) return python.ready;
    var base = "(unknown)";
    var started = performance.now();
    var engine = {
      frame: null, pending: {}, nextId: 1, tail: Promise.resolve(), stopped: null, scope: scope,
    };
    python = engine;
    engine.ready = withTimeout(new Promise(function (resolve, reject) {
      engine.rejectReady = reject; // a Stop while loading
      base = pyodideBase();
      var fallback = pyodideFallback();
      var fetched = download(base);
      if (fallback && fallback !== base) {
        fetched = fetched.catch(function (error) {
          // The CDN could not be reached: the site's own copy, if it answers.
          return download(fallback).then(function (loaded) {
            base = fallback;
            return loaded;
          }, function () { throw error; });
        });
      }
      fetched.catch(reject);
      var frame = createFrame();
      var frameReady = false;
      engine.frame = frame;
      engine.post = function (message) {
        if (frame.contentWindow) frame.contentWindow.postMessage(message, "*");
      };
      frame.addEventListener("load", function () {
        setTimeout(function () {
          if (!frameReady) reject(new Error(say("the Python sandbox ({url}) did not start", { url: FRAME_URL })));
        }, FRAME_START_MS);
      });
      engine.onMessage = function (event) {
        // Only the frame this engine made; anything else (other frames, the page) is ignored.
        if (engine.stopped || event.source !== frame.contentWindow) return;
        var data = event.data;
        if (!data || typeof data !== "object") return;
        if (data.type === "frame-ready") {
          if (frameReady) return;
          frameReady = true;
          fetched.then(function (loaded) {
            if (engine.stopped) return;
            engine.loaded = loaded;
            engine.post({
              type: "start",
              workerSource: loaded.workerSource,
              init: { type: "init", indexURL: base, files: loaded.files, words: pageWords() },
            });
          }, function () {});
        } else if (data.type === "ready") {
          resolve(engine);
        } else if (data.type === "load-error") {
          reject(new Error(text(data.message)));
        } else if (data.type === "worker-error") {
          // The worker could not be started, or it died.
          var error = new Error(say("the Python worker stopped unexpectedly: {why}", { why: text(data.message) }));
          reject(error);
          stopPython(engine, error);
        } else if (data.type === "file-request") {
          if (engine.loaded) sendWheel(engine, base, data);
        } else if (typeof data.id === "number") {
          settle(engine, data);
        }
      };
      window.addEventListener("message", engine.onMessage);
    }), LOAD_TIMEOUT_MS, function (n) {
      return say("Loading Python did not finish within {n} s", { n: n });
    }).then(function (ready) {
      window.glossaryLive.loadMs = performance.now() - started;
      return ready;
    }, function (error) {
      if (error && error.stopped) throw error; // the reader pressed Stop while it was loading
      stopPython(engine, null); // let the next click try again (the reader may be back online)
      throw loadFailure(base === "(unknown)" ? location.href : base, error);
    });
    return engine.ready;
  }

  // What the sandbox answered, as data of the expected shape: strings and numbers, nothing else.
  function cleanResult(result) {
    var clean = {};
    if (!result || typeof result !== "object") return clean;
    ["output", "error", "earlierError", "packageError", "repr", "x"].forEach(function (key) {
      if (result[key] !== undefined && result[key] !== null) clean[key] = text(result[key]);
    });
    clean.number = typeof result.number === "number" && isFinite(result.number) ? result.number : null;
    clean.undefined = result.undefined === true;
    return clean;
  }

  function settle(engine, data) {
    var waiting = engine.pending.hasOwnProperty(data.id) ? engine.pending[data.id] : null;
    if (!waiting) return;
    if (data.progress !== undefined) { // "Loading numpy…": the request goes on
      if (waiting.onProgress) waiting.onProgress(text(data.progress).slice(0, 200));
      return;
    }
    delete engine.pending[data.id];
    clearTimeout(waiting.timer);
    if (data.failure === undefined) {
      waiting.resolve(cleanResult(data.result));
      return;
    }
    var error = new Error(say("Python failed: {why}", { why: text(data.failure) }));
    waiting.reject(error);
    if (data.fatal) stopPython(engine, error); // Pyodide cannot go on: the next run starts a new one
  }

  function failPending(engine, error) {
    Object.keys(engine.pending).forEach(function (id) {
      var waiting = engine.pending[id];
      delete engine.pending[id];
      clearTimeout(waiting.timer);
      waiting.reject(error);
    });
  }

  function stoppedError(why) {
    var error = new Error(why + " " + say("Python was shut down to stop it: the next run starts a fresh Python" +
                                         " (a few seconds), which runs this page's examples again from the top."));
    error.stopped = true;
    return error;
  }

  // Removes the sandbox frame, and with it the worker (Stop button, time limit, failed load);
  // what was waiting on it fails with ``why`` (a stoppedError).
  function stopPython(engine, why) {
    if (!engine) return;
    if (python === engine) python = null;
    if (engine.stopped) return;
    engine.stopped = why || new Error(say("Python is not available"));
    if (why && why.stopped) restarts++;
    if (engine.onMessage) window.removeEventListener("message", engine.onMessage);
    if (engine.frame && engine.frame.parentNode) engine.frame.parentNode.removeChild(engine.frame);
    if (engine.rejectReady) engine.rejectReady(engine.stopped);
    failPending(engine, engine.stopped);
    markPlaygroundsStale();
  }

  // One request at a time, in order: the worker runs them one after the other anyway, and this
  // way the time limit counts from when the worker starts on a request, not from when it queued.
  function request(engine, message, onProgress) {
    var result = engine.tail.then(function () {
      if (engine.stopped) throw engine.stopped;
      return new Promise(function (resolve, reject) {
        var id = engine.nextId++;
        var limit = runTimeoutMs();
        var timer = setTimeout(function () {
          stopPython(engine, stoppedError(say("Stopped: this was still running after {n} s (an endless loop?).",
                                              { n: limit / 1000 })));
        }, limit);
        engine.pending[id] = { resolve: resolve, reject: reject, timer: timer, onProgress: onProgress };
        message.id = id;
        engine.post(message);
      });
    });
    engine.tail = result.then(null, function () {});
    return result;
  }

  function program(items) {
    return items.map(function (item) { return { source: item.text, filename: blockName(item.index) }; });
  }

  // ---------------------------------------------------------------------------------------
  // Page state. The renderer wraps each doctest block as .glossary-runnable[data-block] and puts
  // every Python block of the entry, in order, into script[data-glossary-page] (a JSON island).
  // Entries cannot forge data-* attributes or scripts (the sanitizer removes them).

  // Material's instant navigation re-creates the content's <script> elements without their
  // attributes, so after a navigation the island is found by its content instead. Entries cannot
  // produce <script> elements at all (the sanitizer removes them), so any script in the page
  // content is the renderer's.
  function findIsland() {
    var node = document.querySelector(ISLAND);
    if (node) return node;
    var scripts = document.querySelectorAll("article script:not([src]), .md-content script:not([src])");
    for (var i = 0; i < scripts.length; i++) {
      var text = scripts[i].textContent;
      if (text.indexOf('"blocks"') < 0 || text.indexOf('"pyodide_url"') < 0) continue;
      try {
        var data = JSON.parse(text);
        if (data && Array.isArray(data.blocks)) return scripts[i];
      } catch (e) { /* not the island */ }
    }
    return null;
  }

  function pageData() {
    var node = findIsland();
    if (node) {
      try {
        var data = JSON.parse(node.textContent);
        if (data && Array.isArray(data.blocks)) return data;
      } catch (e) { /* fall through to the DOM */ }
    }
    // No island (a page not rendered by glossary_gen): the runnable blocks' text, in order.
    return {
      blocks: pageBlocks().map(function (block, i) {
        var code = block.querySelector("pre code") || block.querySelector("pre");
        return { code: code ? code.textContent : "" };
      }),
    };
  }

  // After an instant navigation Material re-inserts the page's <script> elements one by one, so
  // the island may land a moment after the buttons are bound: wait for it (briefly) before use.
  function islandReady() {
    return new Promise(function (resolve) {
      var tries = 0;
      (function check() {
        if (findIsland() || !document.querySelector(RUNNABLE) || tries++ >= 60) resolve();
        else setTimeout(check, 50);
      })();
    });
  }

  function pageBlocks() {
    return Array.prototype.slice.call(document.querySelectorAll(RUNNABLE));
  }

  // A runnable block's position in the island's ``blocks`` list (every Python block, in order).
  function blockIndex(block) {
    var value = block.getAttribute("data-glossary-block");
    return value !== null ? Number(value) : pageBlocks().indexOf(block);
  }

  function runnableFor(index) {
    var blocks = pageBlocks();
    for (var i = 0; i < blocks.length; i++) if (blockIndex(blocks[i]) === index) return blocks[i];
    return null;
  }

  // The code a block runs when the reader has not changed it: the fence as written, doctest
  // directives (# doctest: +ELLIPSIS) included.
  function originalSource(block) {
    var item = pageData().blocks[blockIndex(block)];
    if (item) return item.code !== undefined ? item.code : item.source;
    var code = block.querySelector("pre code") || block.querySelector("pre");
    return code ? code.textContent : "";
  }

  // The code as the page shows it, where the editor starts: without the doctest directives.
  function shownSource(block) {
    var item = pageData().blocks[blockIndex(block)];
    return item && typeof item.shown === "string" ? item.shown : originalSource(block);
  }

  // Whether the reader's code differs from the verified code on the page.
  function isEdited(block) {
    var editor = block.glossaryEditor;
    return !!editor && editor.getValue() !== shownSource(block);
  }

  function currentSource(block) {
    return isEdited(block) ? block.glossaryEditor.getValue() : originalSource(block);
  }

  // The page's Python blocks up to (excluding) ``limit``, as the reader currently has them.
  function programBefore(limit) {
    var items = pageData().blocks;
    var end = limit === undefined ? items.length : Math.min(limit, items.length);
    var program = [];
    for (var i = 0; i < end; i++) {
      var block = runnableFor(i);
      var item = items[i];
      program.push({ index: i, text: block ? currentSource(block) : (item.code !== undefined ? item.code : item.source) });
    }
    return program;
  }

  function blockName(index) {
    // Tracebacks name the example by its position in the entry; lines count within the snippet.
    return "<example " + (index + 1) + ">";
  }

  function setOutput(block, text, kind) {
    var out = block.querySelector(".glossary-run-output");
    out.hidden = false;
    out.className = "glossary-run-output" + (kind ? " glossary-run-output--" + kind : "");
    out.textContent = text;
    announce(block, spoken(block, text, kind));
  }

  // What a screen reader hears of a run: the state while it runs, then the whole result (for an
  // error, its last line; the traceback is on the page under the example).
  function spoken(block, text, kind) {
    var n = blockIndex(block) + 1;
    if (kind === "error") {
      var lines = text.trim().split("\n");
      return say("Example {n} failed: {text}", { n: n, text: lines[lines.length - 1] });
    }
    if (kind === "ok") return say("Example {n} output: {text}", { n: n, text: text });
    return say("Example {n}: {text}", { n: n, text: text });
  }

  // The run's status region: always in the page and never hidden, so a screen reader hears each
  // change (a region that appears together with its text is not announced). Only the output is
  // marked busy while it runs: a busy region's changes are held back until it is done.
  function announce(block, text) {
    var status = block.querySelector(".glossary-run-status");
    if (status) status.textContent = text;
  }

  function runBlock(block, controls) {
    if (controls.run.disabled) return;
    var index = blockIndex(block);
    var hadFocus = document.activeElement === controls.run;
    controls.run.disabled = true;
    controls.stop.hidden = false;
    if (hadFocus) controls.stop.focus(); // Run is disabled now: keep the keyboard reader's place
    block.querySelector(".glossary-run-output").setAttribute("aria-busy", "true");
    var clicked = performance.now();
    setOutput(block, python ? say("Running…") : restarts ? say("Starting a fresh Python (the previous one was stopped)…")
                                                         : say("Loading Python (first run only)…"), "pending");
    islandReady().then(loadPython).then(function (engine) {
      setOutput(block, say("Running…"), "pending");
      return request(engine, {
        type: "run", key: "page", earlier: program(programBefore(index)),
        source: currentSource(block), filename: blockName(index),
      }, function (progress) { setOutput(block, progress, "pending"); });
    }).then(function (result) {
      if (result.packageError) {
        setOutput(block, result.packageError, "error");
        return;
      }
      if (result.earlierError) {
        setOutput(block, say("An earlier example on this page failed, so this one cannot run:") + "\n\n" + result.earlierError,
                  "error");
        return;
      }
      var text = (result.output || "") + (result.error || "");
      setOutput(block, text || say("(no output)"), result.error ? "error" : "ok");
      window.glossaryLive.lastRunMs = performance.now() - clicked;
      markPlaygroundsStale();
    }).catch(function (error) {
      setOutput(block, error.message || String(error),
                error.loadFailure ? "unavailable" : error.stopped ? "stopped" : "error");
    }).finally(function () {
      var stopHadFocus = document.activeElement === controls.stop;
      controls.run.disabled = false;
      controls.stop.hidden = true;
      block.querySelector(".glossary-run-output").removeAttribute("aria-busy");
      if (stopHadFocus || (hadFocus && document.activeElement === document.body)) controls.run.focus();
    });
  }

  // The code editor: CodeMirror (assets/editor/live-editor.js, when the site has it), loaded on
  // the first Edit click, once per visit; a plain text field where it is missing or fails.
  var editorScript = null;

  function editorUrl() {
    var node = findIsland();
    var value = node ? node.getAttribute("data-glossary-editor") : null;
    return value ? new URL(value, location.href).href : "";
  }

  function loadEditor() {
    var url = editorUrl();
    if (!url) return Promise.resolve(null);
    if (!editorScript) {
      editorScript = new Promise(function (resolve) {
        var script = document.createElement("script");
        script.src = url;
        script.async = true;
        script.onload = function () { resolve(window.glossaryEditor || null); };
        script.onerror = function () { editorScript = null; resolve(null); };
        document.head.appendChild(script);
      });
    }
    return editorScript;
  }

  // A plain text field with the editor's interface (no CodeMirror on this site).
  function textField(options) {
    var field = document.createElement("textarea");
    field.className = "glossary-editor";
    field.spellcheck = false;
    field.setAttribute("autocapitalize", "off");
    field.setAttribute("aria-label", options.label);
    field.value = options.doc;
    function fit() { field.rows = Math.min(30, Math.max(3, field.value.split("\n").length + 1)); }
    fit();
    field.addEventListener("input", function () { fit(); options.onChange(field.value); });
    field.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
        event.preventDefault();
        options.onRun();
      } else if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation(); // not also a Material shortcut (search, tooltips)
        options.onEscape(); // Tab leaves it too: the field never takes Tab for itself
      }
    });
    options.parent.appendChild(field);
    return {
      dom: field,
      getValue: function () { return field.value; },
      setValue: function (value) { field.value = value; fit(); },
      focus: function () { field.focus(); },
    };
  }

  // The "✓ Verified example" badge says "Edited: not verified" while the code differs from it.
  function markEdited(block) {
    var badge = block.querySelector(".glossary-verified");
    var edited = isEdited(block);
    block.classList.toggle("glossary-runnable--edited", edited);
    if (!badge) return;
    if (!badge.hasAttribute("data-glossary-verified-title")) {
      badge.setAttribute("data-glossary-verified-title", badge.getAttribute("title") || "");
    }
    badge.classList.toggle("glossary-verified--edited", edited);
    badge.textContent = edited ? say("Edited: not verified") : say("Verified example");
    badge.setAttribute("title", edited
      ? say("You changed this example: its output has not been checked")
      : badge.getAttribute("data-glossary-verified-title"));
  }

  function openEditor(block, controls) {
    if (block.glossaryEditor) return Promise.resolve(block.glossaryEditor);
    if (block.glossaryEditorOpening) return block.glossaryEditorOpening;
    var holder = block.querySelector(".glossary-editor-holder");
    var options = {
      parent: holder,
      doc: shownSource(block),
      label: say("Python code of example {n} (editable; Ctrl+Enter runs it; Escape, then Tab, leaves the editor)",
                 { n: blockIndex(block) + 1 }),
      onChange: function () { markEdited(block); markPlaygroundsStale(); },
      onRun: function () { runBlock(block, controls); },
      onEscape: function () { controls.edit.focus(); },
    };
    block.glossaryEditorOpening = loadEditor().then(function (library) {
      var editor = null;
      if (library && typeof library.create === "function") {
        try {
          editor = library.create(options);
          holder.classList.add("glossary-editor-holder--code");
        } catch (error) { editor = null; }
      }
      block.glossaryEditor = editor || textField(options);
      block.glossaryEditorOpening = null;
      return block.glossaryEditor;
    });
    return block.glossaryEditorOpening;
  }

  function showEditor(block, editButton, shown) {
    var holder = block.querySelector(".glossary-editor-holder");
    var code = block.querySelector(".highlight, pre");
    holder.hidden = !shown;
    if (code) code.hidden = shown;
    editButton.setAttribute("aria-pressed", shown ? "true" : "false");
  }

  function toggleEditor(block, controls) {
    var holder = block.querySelector(".glossary-editor-holder");
    if (!holder.hidden && isEdited(block)) {
      block.glossaryEditor.focus(); // edits stay visible until Reset, so what runs is what the reader sees
      return;
    }
    if (!holder.hidden) {
      showEditor(block, controls.edit, false);
      return;
    }
    controls.edit.setAttribute("aria-busy", "true");
    Promise.resolve(openEditor(block, controls)).then(function (editor) {
      controls.edit.removeAttribute("aria-busy");
      showEditor(block, controls.edit, true);
      editor.focus();
    });
  }

  function resetBlock(block, editButton) {
    if (block.glossaryEditor) block.glossaryEditor.setValue(shownSource(block));
    markEdited(block);
    showEditor(block, editButton, false);
    var out = block.querySelector(".glossary-run-output");
    out.hidden = true;
    out.textContent = "";
    markPlaygroundsStale();
  }

  function button(label, className, title) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "md-button glossary-button " + className;
    b.textContent = label;
    if (title) b.title = title;
    return b;
  }

  function bindBlock(block, index) {
    if (block.getAttribute("data-glossary-bound")) return;
    block.setAttribute("data-glossary-bound", "1");
    var bar = document.createElement("div");
    bar.className = "glossary-run-bar";
    var run = button(say("▶ Run"), "glossary-run", say("Run this example in your browser (Python via Pyodide)"));
    var edit = button(say("Edit"), "glossary-edit", say("Edit this example"));
    var reset = button(say("Reset"), "glossary-reset", say("Restore the original example"));
    var stop = button(say("■ Stop"), "glossary-stop",
                      say("Stop the running example (Python is restarted on the next run)"));
    var controls = { run: run, stop: stop, edit: edit };
    edit.setAttribute("aria-pressed", "false");
    stop.hidden = true;
    bar.appendChild(run);
    bar.appendChild(stop);
    bar.appendChild(edit);
    bar.appendChild(reset);
    var holder = document.createElement("div");
    holder.className = "glossary-editor-holder";
    holder.hidden = true;
    var out = document.createElement("pre");
    out.className = "glossary-run-output";
    out.hidden = true;
    var status = document.createElement("span");
    status.className = "glossary-run-status glossary-sr-only";
    status.setAttribute("role", "status");
    bar.appendChild(status);
    var code = block.querySelector(".highlight, pre");
    if (code && code.parentNode === block) block.insertBefore(holder, code.nextSibling);
    else block.appendChild(holder);
    block.appendChild(bar);
    block.appendChild(out);
    run.addEventListener("click", function () { runBlock(block, controls); });
    stop.addEventListener("click", function () { stopPython(python, stoppedError(say("Stopped."))); });
    edit.addEventListener("click", function () { toggleEditor(block, controls); });
    reset.addEventListener("click", function () { resetBlock(block, edit); });
  }

  // ---------------------------------------------------------------------------------------
  // Playground: slider + number field -> the entry's own function, result and point on the plot.

  // What the playground namespace currently holds: the page's program, in which Python, and the
  // first error running it gave (null if none).
  var playgroundSignature = null;
  var playgroundEngine = null;
  var playgroundProblem = null;

  function markPlaygroundsStale() {
    playgroundSignature = null;
  }

  // Runs the page's examples (as currently edited, so an edited relu shows up) into the
  // playground's namespace; resolves to the first error, or null. An example that fails (say a
  // later one needing a package this browser's Python lacks) does not stop the playground when
  // its function was defined before: the call decides.
  function preparePlayground(engine) {
    var items = programBefore();
    var signature = items.map(function (item) { return item.text; }).join("\u0000");
    if (signature === playgroundSignature && engine === playgroundEngine) return Promise.resolve(playgroundProblem);
    return request(engine, { type: "prepare", key: "playground", program: program(items) }).then(function (result) {
      playgroundSignature = signature;
      playgroundEngine = engine;
      playgroundProblem = result.error ? say("The examples on this page failed to run:") + "\n" + result.error : null;
      return playgroundProblem;
    });
  }

  function placePoint(playground, x, y) {
    var svg = playground.querySelector("svg[data-plot-box]");
    if (!svg) return;
    var point = svg.querySelector(".glossary-plot-point");
    var box = svg.getAttribute("data-plot-box").split(" ").map(Number);
    var xlim = svg.getAttribute("data-plot-xlim").split(" ").map(Number);
    var ylim = svg.getAttribute("data-plot-ylim").split(" ").map(Number);
    var visible = typeof y === "number" && y >= ylim[0] && y <= ylim[1] && x >= xlim[0] && x <= xlim[1];
    if (!point) {
      point = document.createElementNS("http://www.w3.org/2000/svg", "circle");
      point.setAttribute("class", "glossary-plot-point");
      point.setAttribute("r", "5");
      point.setAttribute("aria-hidden", "true");
      svg.appendChild(point);
    }
    if (!visible) {
      point.setAttribute("visibility", "hidden");
      return;
    }
    var px = box[0] + (x - xlim[0]) / (xlim[1] - xlim[0]) * (box[2] - box[0]);
    var py = box[3] - (y - ylim[0]) / (ylim[1] - ylim[0]) * (box[3] - box[1]);
    point.setAttribute("cx", px.toFixed(2));
    point.setAttribute("cy", py.toFixed(2));
    point.setAttribute("visibility", "visible");
    point.setAttribute("data-x", String(x));
    point.setAttribute("data-y", String(y));
  }

  function bindPlayground(playground) {
    if (playground.getAttribute("data-glossary-bound")) return;
    playground.setAttribute("data-glossary-bound", "1");
    var slider = playground.querySelector('input[type="range"]');
    var number = playground.querySelector('input[type="number"]');
    var output = playground.querySelector("output");
    var name = playground.getAttribute("data-function");
    var busy = false;
    var pending = null;

    function show(text, kind) {
      output.textContent = text;
      output.className = "glossary-playground-result" + (kind ? " glossary-playground-result--" + kind : "");
    }

    function evaluate(value) {
      if (busy) { pending = value; return; }
      busy = true;
      if (!python) show(restarts ? say("Starting a fresh Python (the previous one was stopped)…")
                                 : say("Loading Python (first use only)…"), "pending");
      var engine = null;
      islandReady().then(loadPython).then(function (ready) {
        engine = ready;
        return preparePlayground(engine);
      }).then(function (problem) {
        return request(engine, { type: "call", key: "playground", name: name, x: Number(value) }).then(function (result) {
          if (result.undefined && problem) result.problem = problem; // why it is not defined
          return result;
        });
      }).then(function (result) {
        if (result.problem) { show(result.problem, "error"); return; }
        if (result.undefined) {
          show(say("{name} is not defined: run the examples above, or reset them", { name: name }), "error");
          return;
        }
        if (result.error) { show(say("{call} raised {error}", { call: name + "(" + value + ")", error: result.error }), "error"); return; }
        show(name + "(" + result.x + ") = " + result.repr, "ok");
        playground.setAttribute("data-value", String(value));
        placePoint(playground, Number(value), result.number);
      }).catch(function (error) {
        show(error.message || String(error), error.loadFailure ? "unavailable" : "error");
      }).finally(function () {
        busy = false;
        if (pending !== null) {
          var next = pending;
          pending = null;
          evaluate(next);
        }
      });
    }

    // The slider's value as a screen reader says it: "x = 2.5" (the label, then the number).
    var label = playground.querySelector('label[for="' + slider.id + '"]');
    function sayValue() {
      slider.setAttribute("aria-valuetext", (label ? label.textContent.trim() : "x") + " = " + slider.value);
    }

    slider.addEventListener("input", function () {
      number.value = slider.value;
      sayValue();
      evaluate(slider.value);
    });
    number.addEventListener("input", function () {
      if (number.value === "" || !isFinite(Number(number.value))) return;
      var v = Math.min(Number(slider.max), Math.max(Number(slider.min), Number(number.value)));
      slider.value = String(v);
      sayValue();
      evaluate(String(v));
    });
    // The build already computed the starting value; mark it without loading anything.
    var initial = playground.getAttribute("data-initial-y");
    if (initial !== null && initial !== "") placePoint(playground, Number(slider.value), Number(initial));
  }

  // ---------------------------------------------------------------------------------------

  function mount() {
    // Instant navigation keeps this script (and its frame) alive: the new page starts afresh.
    if (python && python.scope.split("\n")[0] !== location.pathname) stopPython(python, null);
    pageBlocks().forEach(function (block) { bindBlock(block, blockIndex(block)); });
    Array.prototype.forEach.call(document.querySelectorAll(PLAYGROUND), bindPlayground);
    playgroundSignature = null; // a new page has new examples
  }

  window.glossaryLive = window.glossaryLive || {};
  window.glossaryLive.loadPython = loadPython;
  window.glossaryLive.isLoaded = function () { return python !== null; };
  window.glossaryLive.stop = function () { stopPython(python, stoppedError(say("Stopped."))); };
  window.glossaryLive.workerUrl = WORKER_URL;
  window.glossaryLive.frameUrl = FRAME_URL;
  window.glossaryLive.packagesBase = packagesBase;
  window.glossaryLive.loadEditor = loadEditor;

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    // Material's instant navigation swaps the page without reloading scripts: bind on each page.
    window.document$.subscribe(mount);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mount);
  } else {
    mount();
  }
  // Material started at the reader's first interaction (theme-loader.js): from then on, follow
  // its instant navigation (mount is idempotent: the page it replays is bound already).
  document.addEventListener("glossary:theme", function () {
    if (window.document$ && window.document$.subscribe) window.document$.subscribe(mount);
  });
})();
