/*
 * glossary_gen live examples: Run buttons for the entry's Python snippets and the playground.
 *
 * - Nothing heavy loads with the page: Pyodide is fetched on the first Run click (or first
 *   playground move), once per page visit, and reused across Material's instant navigation.
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

  // Python helpers installed once into Pyodide. Sources arrive as plain strings; results leave
  // as JSON, so no PyProxy has to be managed on the JavaScript side.
  var RUNNER = [
    "import ast, contextlib, doctest, io, json, math, numbers, traceback",
    "_glossary_ns = {}",
    "def _glossary_reset(key):",
    "    _glossary_ns[key] = {'__name__': '__main__'}",
    "def _glossary_chunks(source):",
    "    if '>>>' not in source:",
    "        return [(source, 0, 'exec')]",
    "    return [(ex.source, ex.lineno, 'single') for ex in doctest.DocTestParser().get_examples(source)]",
    "def _glossary_run(key, source, filename):",
    "    ns = _glossary_ns.setdefault(key, {'__name__': '__main__'})",
    "    out = io.StringIO()",
    "    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):",
    "        try:",
    "            for text, lineno, mode in _glossary_chunks(source):",
    "                tree = compile(text, filename, mode, ast.PyCF_ONLY_AST)",
    "                ast.increment_lineno(tree, lineno)",
    "                exec(compile(tree, filename, mode), ns)",
    "        except BaseException as exc:",
    "            tb = exc.__traceback__",
    "            tb = tb.tb_next if tb is not None else None",
    "            if isinstance(exc, SyntaxError):",
    "                tb = None",
    "            lines = traceback.format_exception(type(exc), exc, tb)",
    "            return json.dumps({'output': out.getvalue(), 'error': ''.join(lines)})",
    "    return json.dumps({'output': out.getvalue(), 'error': None})",
    "def _glossary_call(key, name, x):",
    "    ns = _glossary_ns.get(key, {})",
    "    fn = ns.get(name)",
    "    if not callable(fn):",
    "        return json.dumps({'error': f'{name} is not defined: run the examples above, or reset them'})",
    "    x = int(x) if float(x).is_integer() else float(x)",
    "    out = io.StringIO()",
    "    try:",
    "        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):",
    "            y = fn(x)",
    "    except Exception as exc:",
    "        return json.dumps({'error': ''.join(traceback.format_exception_only(type(exc), exc)).strip()})",
    "    number = float(y) if isinstance(y, numbers.Real) and not isinstance(y, bool) else None",
    "    if number is not None and not math.isfinite(number):",
    "        number = None",
    "    return json.dumps({'x': repr(x), 'repr': repr(y), 'number': number})",
  ].join("\n");

  var pyodidePromise = null;

  function pyodideBase() {
    // The site's configured location, from the page's JSON island: an absolute URL (a CDN) as
    // is, a relative one (the local copy) relative to the page. Read at click time, so it is
    // right for whichever page instant navigation has loaded.
    var node = findIsland();
    var value = node ? node.getAttribute("data-glossary-pyodide") : null;
    if (!value) value = pageData().pyodide_url;
    if (!value) throw new Error("this page does not say where Pyodide is (no pyodide_url)");
    var base = new URL(value, location.href).href;
    return base.charAt(base.length - 1) === "/" ? base : base + "/";
  }

  function withTimeout(promise, ms, what) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () {
        reject(new Error(what + " did not finish within " + Math.round(ms / 1000) + " s"));
      }, ms);
      promise.then(
        function (value) { clearTimeout(timer); resolve(value); },
        function (error) { clearTimeout(timer); reject(error); }
      );
    });
  }

  function loadPython() {
    if (pyodidePromise) return pyodidePromise;
    var base = "(unknown)";
    var started = performance.now();
    pyodidePromise = withTimeout(
      new Promise(function (resolve) {
        base = pyodideBase();
        resolve(import(base + "pyodide.mjs"));
      }).then(function (module) {
        return module.loadPyodide({ indexURL: base });
      }),
      LOAD_TIMEOUT_MS,
      "Loading Python"
    ).then(function (pyodide) {
      pyodide.runPython(RUNNER);
      window.glossaryLive.loadMs = performance.now() - started;
      return pyodide;
    }).catch(function (error) {
      pyodidePromise = null; // let the next click try again (the reader may be back online)
      var reason = (error && error.message) || String(error);
      var wrapped = new Error(
        "Python could not be loaded in your browser (Pyodide from " + base + "): " + reason +
        ". Check your connection or content blockers and try again; the outputs shown on the" +
        " page were verified when the site was built."
      );
      wrapped.loadFailure = true;
      throw wrapped;
    });
    return pyodidePromise;
  }

  function call(pyodide, name) {
    var args = Array.prototype.slice.call(arguments, 2);
    var fn = pyodide.globals.get(name);
    try {
      var result = fn.apply(null, args);
      return typeof result === "string" ? JSON.parse(result) : null;
    } finally {
      fn.destroy();
    }
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

  function originalSource(block) {
    var item = pageData().blocks[blockIndex(block)];
    if (item) return item.code !== undefined ? item.code : item.source;
    var code = block.querySelector("pre code") || block.querySelector("pre");
    return code ? code.textContent : "";
  }

  function currentSource(block) {
    var editor = block.querySelector("textarea.glossary-editor");
    return editor && editor.getAttribute("data-edited") ? editor.value : originalSource(block);
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
  }

  function runBlock(block, button) {
    var index = blockIndex(block);
    button.disabled = true;
    block.setAttribute("aria-busy", "true");
    var clicked = performance.now();
    setOutput(block, pyodidePromise ? "Running…" : "Loading Python (first run only)…", "pending");
    islandReady().then(loadPython).then(function (pyodide) {
      call(pyodide, "_glossary_reset", "page");
      var earlier = programBefore(index);
      for (var i = 0; i < earlier.length; i++) {
        var result0 = call(pyodide, "_glossary_run", "page", earlier[i].text, blockName(earlier[i].index));
        if (result0.error) {
          setOutput(block, "An earlier example on this page failed, so this one cannot run:\n\n" + result0.error, "error");
          return;
        }
      }
      var result = call(pyodide, "_glossary_run", "page", currentSource(block), blockName(index));
      var text = result.output + (result.error || "");
      setOutput(block, text || "(no output)", result.error ? "error" : "ok");
      window.glossaryLive.lastRunMs = performance.now() - clicked;
      markPlaygroundsStale();
    }).catch(function (error) {
      setOutput(block, error.message || String(error), error.loadFailure ? "unavailable" : "error");
    }).finally(function () {
      button.disabled = false;
      block.removeAttribute("aria-busy");
    });
  }

  function toggleEditor(block, editButton) {
    var editor = block.querySelector("textarea.glossary-editor");
    var code = block.querySelector(".highlight, pre");
    if (!editor.hidden && editor.getAttribute("data-edited")) {
      editor.focus(); // edits stay visible until Reset, so what runs is what the reader sees
      return;
    }
    if (editor.hidden) {
      editor.value = editor.value || originalSource(block);
      editor.rows = Math.min(30, Math.max(3, editor.value.split("\n").length + 1));
      editor.hidden = false;
      if (code) code.hidden = true;
      editButton.setAttribute("aria-pressed", "true");
      editor.focus();
    } else {
      editor.hidden = true;
      if (code) code.hidden = false;
      editButton.setAttribute("aria-pressed", "false");
    }
  }

  function resetBlock(block, editButton) {
    var editor = block.querySelector("textarea.glossary-editor");
    editor.value = originalSource(block);
    editor.removeAttribute("data-edited");
    editor.hidden = true;
    var code = block.querySelector(".highlight, pre");
    if (code) code.hidden = false;
    editButton.setAttribute("aria-pressed", "false");
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
    var run = button("▶ Run", "glossary-run", "Run this example in your browser (Python via Pyodide)");
    var edit = button("Edit", "glossary-edit", "Edit this example");
    var reset = button("Reset", "glossary-reset", "Restore the original example");
    edit.setAttribute("aria-pressed", "false");
    bar.appendChild(run);
    bar.appendChild(edit);
    bar.appendChild(reset);
    var editor = document.createElement("textarea");
    editor.className = "glossary-editor";
    editor.hidden = true;
    editor.spellcheck = false;
    editor.setAttribute("autocapitalize", "off");
    editor.setAttribute("aria-label", "Python code of example " + (index + 1) + " (editable)");
    var out = document.createElement("pre");
    out.className = "glossary-run-output";
    out.hidden = true;
    out.setAttribute("role", "status");
    out.setAttribute("aria-live", "polite");
    var code = block.querySelector(".highlight, pre");
    if (code && code.parentNode === block) block.insertBefore(editor, code.nextSibling);
    else block.appendChild(editor);
    block.appendChild(bar);
    block.appendChild(out);
    run.addEventListener("click", function () { runBlock(block, run); });
    edit.addEventListener("click", function () { toggleEditor(block, edit); });
    reset.addEventListener("click", function () { resetBlock(block, edit); });
    editor.addEventListener("input", function () {
      editor.setAttribute("data-edited", "1");
      markPlaygroundsStale();
    });
    editor.addEventListener("keydown", function (event) {
      if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
        event.preventDefault();
        runBlock(block, run);
      }
    });
  }

  // ---------------------------------------------------------------------------------------
  // Playground: slider + number field -> the entry's own function, result and point on the plot.

  var playgroundSignature = null;

  function markPlaygroundsStale() {
    playgroundSignature = null;
  }

  function preparePlayground(pyodide) {
    // The playground uses the page's examples as currently edited, so an edited relu shows up.
    var program = programBefore();
    var signature = program.map(function (item) { return item.text; }).join("\u0000");
    if (signature === playgroundSignature) return null;
    call(pyodide, "_glossary_reset", "playground");
    for (var i = 0; i < program.length; i++) {
      var result = call(pyodide, "_glossary_run", "playground", program[i].text, blockName(program[i].index));
      if (result.error) return "The examples on this page failed to run:\n" + result.error;
    }
    playgroundSignature = signature;
    return null;
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
      if (!pyodidePromise) show("Loading Python (first use only)…", "pending");
      islandReady().then(loadPython).then(function (pyodide) {
        var problem = preparePlayground(pyodide);
        if (problem) { show(problem, "error"); return; }
        var result = call(pyodide, "_glossary_call", "playground", name, Number(value));
        if (result.error) { show(name + "(" + value + ") raised " + result.error, "error"); return; }
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

    slider.addEventListener("input", function () {
      number.value = slider.value;
      evaluate(slider.value);
    });
    number.addEventListener("input", function () {
      if (number.value === "" || !isFinite(Number(number.value))) return;
      var v = Math.min(Number(slider.max), Math.max(Number(slider.min), Number(number.value)));
      slider.value = String(v);
      evaluate(String(v));
    });
    // The build already computed the starting value; mark it without loading anything.
    var initial = playground.getAttribute("data-initial-y");
    if (initial !== null && initial !== "") placePoint(playground, Number(slider.value), Number(initial));
  }

  // ---------------------------------------------------------------------------------------

  function mount() {
    pageBlocks().forEach(function (block) { bindBlock(block, blockIndex(block)); });
    Array.prototype.forEach.call(document.querySelectorAll(PLAYGROUND), bindPlayground);
    playgroundSignature = null; // a new page has new examples
  }

  window.glossaryLive = window.glossaryLive || {};
  window.glossaryLive.loadPython = loadPython;
  window.glossaryLive.isLoaded = function () { return pyodidePromise !== null; };

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    // Material's instant navigation swaps the page without reloading scripts: bind on each page.
    window.document$.subscribe(mount);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mount);
  } else {
    mount();
  }
})();
