// Browser plumbing the WASM reaches through `window.athar` (see `ui/platform.rs`). Plain JS: a
// few lines here cost far fewer bytes than the same bindings compiled into the WASM, and the tab
// slot is claimed as soon as the page starts, before the WASM has loaded.
(function () {
  var athar = (window.athar = window.athar || {});
  var locks = navigator.locks;

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

  // POSTs JSON, gzipped when the browser can (uploads are what a weak link pays for). Resolves
  // to [status, text]; rejects when the network fails.
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
        return r.text().then(function (t) { return [r.status, t]; });
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

  // The text of the file chosen in the file input with this id ("" when none).
  athar.readFile = function (id) {
    var input = document.getElementById(id);
    var file = input && input.files && input.files[0];
    return file ? file.text() : Promise.resolve("");
  };
})();
