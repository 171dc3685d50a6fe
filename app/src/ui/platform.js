// Browser plumbing the WASM reaches through `window.athar` (see `ui/platform.rs`). Plain JS: a
// few lines here cost far fewer bytes than the same bindings compiled into the WASM, and the tab
// slot is claimed as soon as the page starts, before the WASM has loaded.
(function () {
  var athar = (window.athar = window.athar || {});
  var locks = navigator.locks;

  // A page the WASM stops on while taking it over (the markup it expected is not the one the
  // server drew) is not left dead: it loads again and the app draws it itself, as it does the
  // offline shell (`hydrate()` reads the mark). Once per half minute, so it cannot loop.
  var RECOVER = "athar-draw-here";
  function recover(error) {
    if (window.__athar_ready || !(error instanceof WebAssembly.RuntimeError)) return;
    try {
      var last = Number(sessionStorage.getItem(RECOVER + "-at") || 0);
      if (Date.now() - last < 30000) return;
      sessionStorage.setItem(RECOVER + "-at", String(Date.now()));
      sessionStorage.setItem(RECOVER, location.pathname);
    } catch (e) {
      return;
    }
    console.warn("Athar: the page could not be taken over; drawing it again", error);
    location.reload();
  }
  window.addEventListener("error", function (e) { recover(e.error); });
  window.addEventListener("unhandledrejection", function (e) { recover(e.reason); });
  // Whether this load is such a second try (read by `hydrate()`). Read now, while the WASM is
  // on its way: the first use of the tab's session storage takes a few milliseconds, which are
  // not to be spent in the task that takes the page over.
  var secondTry = false;
  try {
    secondTry = sessionStorage.getItem(RECOVER) === location.pathname;
    sessionStorage.removeItem(RECOVER);
  } catch (e) {}
  athar.drawHere = function () {
    return secondTry;
  };

  // Each open tab holds one slot (a Web Lock kept for the tab's life); a slot is one sync client
  // with its own sequence counter, so two tabs never hand out the same number.
  athar.slot = new Promise(function (resolve) {
    if (!locks) return resolve(0);
    (function attempt(n) {
      locks
        .request("athar-slot-" + n, { ifAvailable: true }, function (lock) {
          if (!lock) return attempt(n + 1);
          resolve(n);
          return new Promise(function () {});
        })
        .catch(function () { resolve(0); });
    })(0);
  });

  // The values of every local storage key starting with `prefix`, as one JSON array of strings:
  // one call from the WASM, where reading key by key takes two per key.
  athar.localValuesUnder = function (prefix) {
    var values = [];
    for (var i = 0; i < localStorage.length; i++) {
      var key = localStorage.key(i);
      if (key !== null && key.lastIndexOf(prefix, 0) === 0) values.push(localStorage.getItem(key));
    }
    return JSON.stringify(values);
  };

  // Resolves in a task of its own, after what the page has queued (a tap, a frame): a message
  // the page posts itself, which the browser does not make wait as it does nested zero
  // timeouts (4 ms each after the fifth: a pull of thousands of records is hundreds of slices).
  var turns = typeof MessageChannel === "function" ? new MessageChannel() : null;
  var turnsWaiting = [];
  if (turns) {
    turns.port1.onmessage = function () {
      var resolve = turnsWaiting.shift();
      if (resolve) resolve();
    };
  }
  athar.nextTask = function () {
    return new Promise(function (resolve) {
      if (!turns) return setTimeout(resolve, 0);
      turnsWaiting.push(resolve);
      turns.port2.postMessage(0);
    });
  };

  // Takes the lock `name` unless another tab holds it: one sync at a time across all tabs.
  // Resolves to a function that releases it, or null. A closed tab releases its locks.
  athar.acquire = function (name) {
    if (!locks) return Promise.resolve(function () {});
    return new Promise(function (resolve) {
      locks.request(name, { ifAvailable: true }, function (lock) {
        if (!lock) return resolve(null);
        return new Promise(function (release) { resolve(release); });
      }).catch(function () { resolve(null); });
    });
  };

  // One object store of an IndexedDB database, opened on first use. `run(mode, work)` runs
  // `work(store)` in one transaction with durability "strict" and resolves to what the function
  // `work` returned gives once the transaction has completed (for a write: once the browser has
  // put it on disk); failures reject with the error's name (QuotaExceededError…).
  athar.store = function (name, storeName) {
    var opening = null;
    function database() {
      if (!opening) {
        opening = new Promise(function (resolve, reject) {
          if (!window.indexedDB) return reject("UnavailableError");
          var req = indexedDB.open(name, 1);
          req.onupgradeneeded = function () { req.result.createObjectStore(storeName); };
          req.onsuccess = function () {
            var db = req.result;
            db.onversionchange = function () { db.close(); opening = null; };
            db.onclose = function () { opening = null; };
            resolve(db);
          };
          req.onerror = function () { opening = null; reject(req.error ? req.error.name : "UnknownError"); };
          req.onblocked = function () { opening = null; reject("UnavailableError"); };
        });
      }
      return opening;
    }
    return function run(mode, work) {
      return database().then(function (db) {
        return new Promise(function (resolve, reject) {
          var tx;
          try {
            tx = db.transaction(storeName, mode, { durability: "strict" });
            var result = work(tx.objectStore(storeName));
          } catch (e) {
            if (tx) try { tx.abort(); } catch (x) {}
            return reject((e && e.name) || "UnknownError");
          }
          tx.oncomplete = function () { resolve(result && result()); };
          tx.onabort = tx.onerror = function () {
            reject((tx.error && tx.error.name) || "AbortError");
          };
        });
      });
    };
  };

  // The outbox on disk (`storage/durable.rs`): IndexedDB "athar", store "outbox", string keys
  // and values. Other tabs hear of each write through a BroadcastChannel, as an `athar-outbox`
  // event.
  var run = athar.store("athar", "outbox");
  var channel = window.BroadcastChannel ? new BroadcastChannel("athar-outbox") : null;
  if (channel) channel.onmessage = function () { window.dispatchEvent(new Event("athar-outbox")); };
  athar.db = {
    // Resolves to [keys, values], in key order.
    load: function () {
      return run("readonly", function (store) {
        var keys = store.getAllKeys();
        var values = store.getAll();
        return function () { return [keys.result, values.result]; };
      });
    },
    // Resolves to the keys, in order.
    keys: function () {
      return run("readonly", function (store) {
        var keys = store.getAllKeys();
        return function () { return keys.result; };
      });
    },
    // `writes`: [key, value or null to remove] pairs, all in one transaction.
    write: function (writes) {
      return run("readwrite", function (store) {
        writes.forEach(function (w) {
          if (w[1] === null) store.delete(w[0]);
          else store.put(w[1], w[0]);
        });
      }).then(function () {
        if (channel) channel.postMessage(1);
      });
    },
  };

  // POSTs JSON, gzipped when the browser can (uploads are what a weak link pays for). Resolves
  // to [status, text, the Date header in Unix ms or 0]; rejects when the network fails.
  athar.post = function (url, json) {
    var headers = { "content-type": "application/json", accept: "application/json" };
    var body = Promise.resolve(json);
    if (window.CompressionStream && json.length > 1024) {
      headers["content-encoding"] = "gzip";
      var stream = new Blob([json]).stream().pipeThrough(new CompressionStream("gzip"));
      body = new Response(stream).arrayBuffer();
    }
    return body
      .then(function (b) {
        return fetch(url, { method: "POST", headers: headers, body: b, credentials: "same-origin" });
      })
      .then(function (r) {
        // The server's clock, to the second, for a phone whose own clock is wrong.
        var date = Date.parse(r.headers.get("date") || "") || 0;
        return r.text().then(function (t) { return [r.status, t, date]; });
      });
  };

  athar.uuid = function () {
    if (crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  };

  // Asks the browser not to evict Athar's storage. Resolves to true, false, or null (no answer).
  athar.persist = function () {
    var s = navigator.storage;
    if (!s || !s.persist) return Promise.resolve(null);
    return s.persisted().then(function (yes) { return yes || s.persist(); }).catch(function () { return null; });
  };

  // [family, label] of this browser, for the team's sync page.
  athar.browser = function () {
    var ua = navigator.userAgent;
    var family = /SamsungBrowser/.test(ua) ? "samsung"
      : /Firefox\//.test(ua) ? "firefox"
      : /Chrom(e|ium)\//.test(ua) ? "chrome"
      : /Safari\//.test(ua) ? "safari" : "other";
    var os = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS"
      : /Windows/.test(ua) ? "Windows" : /Mac OS/.test(ua) ? "macOS" : /Linux/.test(ua) ? "Linux" : "";
    return [family, family + (os ? " · " + os : "")];
  };

  // Saves `text` as a JSON file named `name` (the browser's download).
  athar.download = function (name, text) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
  };

  // The files chosen in the file input with this id, as JSON `[{name, data}]` (data: a base64
  // `data:` address, as the server reads it).
  athar.readFiles = function (id) {
    var input = document.getElementById(id);
    var files = Array.prototype.slice.call((input && input.files) || []);
    return Promise.all(files.map(function (file) {
      return new Promise(function (resolve, reject) {
        var reader = new FileReader();
        reader.onload = function () { resolve({ name: file.name, data: String(reader.result) }); };
        reader.onerror = function () { reject(reader.error); };
        reader.readAsDataURL(file);
      });
    })).then(function (all) { return JSON.stringify(all); });
  };

  // The text of the file chosen in the file input with this id ("" when none).
  athar.readFile = function (id) {
    var input = document.getElementById(id);
    var file = input && input.files && input.files[0];
    return file ? file.text() : Promise.resolve("");
  };
})();
