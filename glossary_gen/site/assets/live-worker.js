/*
 * glossary_gen live examples: the Web Worker that runs the entries' Python (Pyodide).
 *
 * Started on the first Run click or playground move (never on page load), once per page visit,
 * by the sandbox frame (assets/live-frame.html) that assets/live.js puts in the page: a classic
 * worker from a blob: URL, in the frame's opaque origin (Chromium does not start a module worker
 * from a blob: URL there; the classic one still imports Pyodide's modules with import()). The
 * entries' code runs here, where Pyodide's ``js`` module is this worker's global scope: no DOM, no
 * cookies, no storage of the site, and (by the frame's Content-Security-Policy, which this worker
 * inherits) no network at all. A runaway loop freezes only this worker; the page removes the
 * whole frame to stop it.
 *
 * Pyodide is not fetched from here: the page fetched its files and they arrive in the init
 * message, as text (the two JavaScript modules, the lock file) and ArrayBuffers (the WebAssembly
 * and the standard library). While Pyodide starts, ``fetch`` answers its two binary requests from
 * those buffers. Packages the examples import (NumPy, say) are loaded before a run the same way:
 * Pyodide's ``fetch`` of a wheel named in its lock file becomes a "file-request" to the page,
 * which fetches exactly that file from Pyodide's folder (nothing else) and sends the bytes back.
 * Any other request goes to the real ``fetch``, which the policy blocks.
 *
 * Messages in:  {type: "init", indexURL, files: {name: text or ArrayBuffer}, words: {English: word}}
 *               {id, type: "run", key, earlier: [{source, filename}], source, filename}
 *               {id, type: "prepare", key, program: [{source, filename}]}
 *               {id, type: "call", key, name, x}
 *               {type: "file", rid, bytes} | {type: "file", rid, error}
 * Messages out: {type: "ready", loadMs} | {type: "load-error", message}
 *               {id, result} | {id, failure}
 *               {type: "file-request", rid, name}
 * Sources arrive as plain strings and results leave as JSON-compatible data: no PyProxy crosses.
 */

// What this worker says, in the page's language: the page's words arrive with "init" (English
// text -> word; anything else is ignored). Placeholders ({names}, ...) are filled in one pass; the
// page shows the result as text only.
var words = {};

function say(text, values) {
  var own = Object.prototype.hasOwnProperty;
  var word = own.call(words, text) && typeof words[text] === "string" && words[text] ? words[text] : text;
  if (!values) return word;
  return word.replace(/\{([a-z]+)\}/g, function (whole, key) {
    return own.call(values, key) ? String(values[key]) : whole;
  });
}

function takeWords(given) {
  words = {};
  if (!given || typeof given !== "object" || Array.isArray(given)) return;
  Object.keys(given).forEach(function (key) {
    if (typeof given[key] === "string") words[key] = given[key];
  });
}

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
  "def _glossary_imports(sources):",
  "    from pyodide.code import find_imports",
  "    names = set()",
  "    for source in json.loads(sources):",
  "        try:",
  "            chunks = _glossary_chunks(source)",
  "        except ValueError:",
  "            continue",
  "        for text, _, _ in chunks:",
  "            try:",
  "                names.update(find_imports(text))",
  "            except Exception:",
  "                pass",
  "    return json.dumps(sorted(names))",
  "def _glossary_call(key, name, x):",
  "    ns = _glossary_ns.get(key, {})",
  "    fn = ns.get(name)",
  "    if not callable(fn):",
  "        return json.dumps({'error': f'{name} is not defined: run the examples above, or reset them', 'undefined': True})",
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

var pyodide = null;
var loading = null;

function call(name) {
  var args = Array.prototype.slice.call(arguments, 1);
  var fn = pyodide.globals.get(name);
  try {
    var result = fn.apply(null, args);
    return typeof result === "string" ? JSON.parse(result) : null;
  } finally {
    fn.destroy();
  }
}

// The files the page hands over; the binary ones are served to Pyodide's fetch while it starts.
var MODULES = ["pyodide.mjs", "pyodide.asm.mjs"];
var SERVED = { "pyodide.asm.wasm": "application/wasm", "python_stdlib.zip": "application/zip" };

function moduleUrl(text) {
  return URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
}

function requestUrl(input) {
  if (typeof input === "string") return input;
  return input instanceof URL ? input.href : input && input.url;
}

// Files asked of the page, by request number: {resolve, reject}.
var fileRequests = {};
// Why the page could not give the last file it was asked for (its words are short and name no
// URL; Pyodide's own message around them repeats the whole URL).
var fileProblem = "";
var nextFileRequest = 1;

function askPage(name) {
  return new Promise(function (resolve, reject) {
    var rid = nextFileRequest++;
    fileRequests[rid] = { resolve: resolve, reject: reject };
    self.postMessage({ type: "file-request", rid: rid, name: name });
  });
}

function fileArrived(message) {
  var waiting = fileRequests.hasOwnProperty(message.rid) ? fileRequests[message.rid] : null;
  if (!waiting) return;
  delete fileRequests[message.rid];
  if (message.bytes instanceof ArrayBuffer) {
    waiting.resolve(message.bytes);
    return;
  }
  fileProblem = String(message.error || say("the page could not fetch it")).slice(0, 300);
  waiting.reject(new Error(fileProblem));
}

// ``fetch`` as Pyodide sees it: while it starts, its two binary files from memory; then the
// wheels its lock file names, through the page; anything else goes to the real fetch (blocked).
function serveFiles(indexURL, files) {
  var realFetch = self.fetch;
  var wheels = {};
  var packages = {};
  try {
    packages = JSON.parse(files["pyodide-lock.json"]).packages || {};
  } catch (error) { /* Pyodide reports a broken lock file itself */ }
  Object.keys(packages).forEach(function (key) {
    var pkg = packages[key];
    if (pkg && typeof pkg.file_name === "string") wheels[pkg.file_name] = true;
  });
  var starting = true;
  self.fetch = function (input) {
    var url = requestUrl(input);
    var name = typeof url === "string" && url.indexOf(indexURL) === 0 ? url.slice(indexURL.length) : null;
    if (starting && name !== null && SERVED.hasOwnProperty(name) && files[name] instanceof ArrayBuffer) {
      return Promise.resolve(new Response(files[name], { headers: { "Content-Type": SERVED[name] } }));
    }
    if (name !== null && wheels.hasOwnProperty(name)) {
      return askPage(name).then(function (bytes) {
        return new Response(bytes, { headers: { "Content-Type": "application/zip" } });
      });
    }
    return realFetch.apply(self, arguments);
  };
  return function started() {
    starting = false;
    files = null; // the page keeps its copy; this one can go
  };
}

// Import name -> Pyodide package, from the lock file (filled when Pyodide is loaded).
var lockImports = {};

function readLockImports(lockText) {
  var packages = {};
  try {
    packages = JSON.parse(lockText).packages || {};
  } catch (error) {
    return {};
  }
  var found = {};
  Object.keys(packages).forEach(function (key) {
    var item = packages[key] || {};
    (Array.isArray(item.imports) ? item.imports : []).forEach(function (name) {
      if (typeof name === "string" && !found.hasOwnProperty(name)) found[name] = String(item.name || key);
    });
  });
  return found;
}

// Loads the packages the sources import (those in Pyodide's lock file; the standard library needs
// none), telling the page what it loads ("Loading numpy…") on request ``id``. Resolves to ""
// or, when a package could not be loaded, to one line saying which and why.
function loadImports(sources, id) {
  var names = call("_glossary_imports", JSON.stringify(sources)) || [];
  var wanted = names.filter(function (name) {
    return lockImports.hasOwnProperty(name) && !pyodide.loadedPackages.hasOwnProperty(lockImports[name]);
  });
  if (!wanted.length) return Promise.resolve("");
  self.postMessage({ id: id, progress: say("Loading {names}…", { names: wanted.join(", ") }) });
  var problems = [];
  fileProblem = "";
  var code = wanted.map(function (name) { return "import " + name; }).join("\n");
  return pyodide.loadPackagesFromImports(code, {
    messageCallback: function () {},
    errorCallback: function (message) { problems.push(String(message)); },
  }).then(null, function (error) {
    problems.push((error && error.message) || String(error));
  }).then(function () {
    var missing = wanted.filter(function (name) {
      return !pyodide.loadedPackages.hasOwnProperty(lockImports[name]);
    });
    if (!missing.length && !problems.length) return "";
    var why = fileProblem || (problems.join(" ").split("\n")[0] || "")
      .replace(/^The following error occurred while loading [^:]*: /, "")
      .replace(/https?:\/\/\S+/g, "").slice(0, 300);
    return say("Could not load {names} in your browser: {why}. The output printed on the page was verified" +
               " when the site was built.", {
      names: (missing.length ? missing : wanted).join(", "),
      why: why || say("Pyodide could not install it"),
    });
  });
}

function withNote(result, note) {
  if (note && result && result.error) result.error += "\n(" + note + ")";
  if (note && result && result.earlierError) result.earlierError += "\n(" + note + ")";
  return result;
}

function load(indexURL, files) {
  if (loading) return loading;
  var begun = performance.now();
  var missing = MODULES.concat(Object.keys(SERVED), ["pyodide-lock.json"]).filter(function (name) {
    return !files || files[name] === undefined;
  });
  if (missing.length) return Promise.reject(new Error(say("missing Pyodide files: {names}", { names: missing.join(", ") })));
  var urls = MODULES.map(function (name) { return moduleUrl(files[name]); });
  var started = serveFiles(indexURL, files);
  loading = Promise.all(urls.map(function (url) { return import(url); })).then(function (modules) {
    return modules[0].loadPyodide({
      indexURL: indexURL,
      lockFileContents: files["pyodide-lock.json"],
      packageBaseUrl: indexURL,
      createPyodideModule: modules[1].default,
    });
  }).then(function (instance) {
    instance.runPython(RUNNER);
    lockImports = readLockImports(files["pyodide-lock.json"]);
    pyodide = instance;
    return performance.now() - begun;
  }).finally(function () {
    started();
    urls.forEach(function (url) { URL.revokeObjectURL(url); });
  });
  return loading;
}

var operations = {
  // Run the page's earlier blocks (as the reader has them) in a fresh namespace, then this one.
  run: function (message) {
    var sources = message.earlier.map(function (item) { return item.source; }).concat([message.source]);
    return loadImports(sources, message.id).then(function (note) {
      if (note) return { packageError: note };
      call("_glossary_reset", message.key);
      for (var i = 0; i < message.earlier.length; i++) {
        var earlier = call("_glossary_run", message.key, message.earlier[i].source, message.earlier[i].filename);
        if (earlier.error) return withNote({ earlierError: earlier.error }, note);
      }
      return withNote(call("_glossary_run", message.key, message.source, message.filename), note);
    });
  },
  // Run the whole page in a fresh namespace (the playground's), keeping only the first error.
  prepare: function (message) {
    return loadImports(message.program.map(function (item) { return item.source; }), message.id).then(function (note) {
      call("_glossary_reset", message.key);
      for (var i = 0; i < message.program.length; i++) {
        var result = call("_glossary_run", message.key, message.program[i].source, message.program[i].filename);
        if (result.error) return withNote({ error: result.error }, note);
      }
      return { error: null };
    });
  },
  call: function (message) {
    return call("_glossary_call", message.key, message.name, Number(message.x));
  },
};

function failed(id, error) {
  var text = (error && error.message) || String(error);
  // After a fatal error ("Pyodide has suffered a fatal error") this interpreter is unusable.
  self.postMessage({ id: id, failure: text, fatal: /fatal error/i.test(text) });
}

self.onmessage = function (event) {
  var message = event.data || {};
  if (message.type === "init") {
    takeWords(message.words);
    load(String(message.indexURL), message.files).then(function (loadMs) {
      self.postMessage({ type: "ready", loadMs: loadMs });
    }, function (error) {
      loading = null;
      self.postMessage({ type: "load-error", message: (error && error.message) || String(error) });
    });
    return;
  }
  if (message.type === "file") {
    fileArrived(message);
    return;
  }
  var operation = operations.hasOwnProperty(message.type) ? operations[message.type] : null;
  if (!operation || !pyodide) {
    self.postMessage({ id: message.id, failure: operation ? say("Python is not loaded yet") : "unknown request" });
    return;
  }
  try {
    Promise.resolve(operation(message)).then(function (result) {
      self.postMessage({ id: message.id, result: result });
    }, function (error) {
      failed(message.id, error);
    });
  } catch (error) {
    failed(message.id, error);
  }
};
