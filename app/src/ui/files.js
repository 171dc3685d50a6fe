// Evidence on the phone (`ui/evidence.rs`): photos and documents taken for an entry, kept on
// disk by the SHA-256 of their bytes until the server holds them, and sent in pieces the server
// can resume (`server/src/files.rs`). Loaded on first use (never on a cold start) from a name
// that changes with its content; the service worker keeps it for offline use.
//
// - take: a picture is decoded and drawn again by the browser, at most 1,600 px on its long
//   side, as a JPEG of quality 0.7 (which also drops its EXIF data, the place it was taken
//   included); a PDF is kept as it is. Each is written to IndexedDB ("athar-files", strict
//   durability) before it is named anywhere.
// - send: asks the server how much of the file it holds (HEAD) and sends the rest in pieces of
//   32 KB (PATCH with Upload-Offset); a link that drops loses at most a piece.
(function () {
  var athar = (window.athar = window.athar || {});
  var LONG_SIDE = 1600;
  var QUALITY = 0.7;
  var PIECE = 32 * 1024;
  var MAX_BYTES = 10 * 1024 * 1024;
  var PIECE_TIMEOUT_MS = 60000;

  // The kind of a file from its first bytes, as the server checks it.
  function sniff(b) {
    if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "jpeg";
    if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return "png";
    if (b[0] === 0x52 && b[1] === 0x49 && b[8] === 0x57 && b[9] === 0x45) return "webp";
    if (b[0] === 0x25 && b[1] === 0x50 && b[2] === 0x44 && b[3] === 0x46) return "pdf";
    return null;
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (x) {
      return (x + 256).toString(16).slice(1);
    }).join("");
  }

  // `platform.js` runs before this script on every page.
  var run = athar.store("athar-files", "files");
  function get(sha) {
    return run("readonly", function (store) {
      var req = store.get(sha);
      return function () { return req.result; };
    });
  }

  // A picture drawn again, smaller, as a JPEG.
  function shrink(file) {
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, LONG_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      var ctx = canvas.getContext("2d");
      // A transparent PNG becomes white, not black.
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      return new Promise(function (resolve, reject) {
        canvas.toBlob(function (blob) {
          canvas.width = canvas.height = 0;
          if (blob) resolve(blob);
          else reject("unreadable");
        }, "image/jpeg", QUALITY);
      });
    }, function () { throw "unreadable"; });
  }

  // Reads, shrinks if a picture, hashes and keeps one file. Resolves to what the entry names.
  function keep(file, user) {
    return file.slice(0, 16).arrayBuffer().then(function (head) {
      var media = sniff(new Uint8Array(head));
      if (!media) throw "not_allowed_type";
      if (media === "pdf") {
        if (file.size > MAX_BYTES) throw "too_large";
        return file;
      }
      return shrink(file);
    }).then(function (blob) {
      if (blob.size > MAX_BYTES) throw "too_large";
      return blob.arrayBuffer();
    }).then(function (bytes) {
      var media = sniff(new Uint8Array(bytes, 0, Math.min(16, bytes.byteLength)));
      return crypto.subtle.digest("SHA-256", bytes).then(function (digest) {
        var sha = hex(digest);
        var record = {
          user: user,
          blob: new Blob([bytes], { type: media === "pdf" ? "application/pdf" : "image/" + media }),
          media: media,
          bytes: bytes.byteLength,
          at: Date.now(),
        };
        return run("readwrite", function (store) { store.put(record, sha); }).then(function () {
          return { sha256: sha, bytes: bytes.byteLength, media: media, name: file.name };
        });
      });
    });
  }

  var urls = {};

  athar.files = {
    // Keeps the files chosen in the file input `id` for `user`, one after the other (a cheap
    // phone holds one decoded photo at a time). Resolves to JSON: for each file, what the entry
    // names ({sha256, bytes, media, name}) or why it was not kept ({name, error}).
    take: function (id, user) {
      var input = document.getElementById(id);
      var chosen = Array.prototype.slice.call((input && input.files) || []);
      var out = [];
      return chosen.reduce(function (done, file) {
        return done.then(function () {
          return keep(file, user).then(
            function (kept) { out.push(kept); },
            function (e) { out.push({ name: file.name, error: typeof e === "string" ? e : (e && e.name) || "unreadable" }); }
          );
        });
      }, Promise.resolve()).then(function () {
        if (input) input.value = "";
        return JSON.stringify(out);
      });
    },
    // An address for a kept file, to show it; null when the phone no longer keeps it.
    url: function (sha) {
      if (urls[sha]) return Promise.resolve(urls[sha]);
      return get(sha).then(function (record) {
        if (!record) return null;
        urls[sha] = URL.createObjectURL(record.blob);
        return urls[sha];
      }, function () { return null; });
    },
    // The files kept for `user`, as JSON [[sha256, bytes, taken at (Unix ms)]].
    list: function (user) {
      return run("readonly", function (store) {
        var keys = store.getAllKeys();
        var values = store.getAll();
        return function () {
          var out = [];
          keys.result.forEach(function (sha, i) {
            var r = values.result[i];
            if (r && r.user === user) out.push([sha, r.bytes, r.at]);
          });
          return JSON.stringify(out);
        };
      });
    },
    // Forgets the files named in the JSON list `shas`, in one transaction.
    remove: function (shas) {
      var list = JSON.parse(shas);
      return run("readwrite", function (store) {
        list.forEach(function (sha) { store.delete(sha); });
      }).then(function () {
        list.forEach(function (sha) {
          if (urls[sha]) URL.revokeObjectURL(urls[sha]);
          delete urls[sha];
        });
      });
    },
    // Sends what the server lacks of a kept file; `progress(bytes the server holds)` after each
    // piece. Resolves to "held" (the server has all of it), "unknown" (no entry on the server
    // names it for this user yet) or "gone" (not kept here); rejects with "network" or the
    // server's refusal ("refused:<status>").
    send: function (sha, progress) {
      var url = "/api/files/" + sha;
      function call(method, init) {
        var abort = window.AbortController ? new AbortController() : null;
        var timer = abort && setTimeout(function () { abort.abort(); }, PIECE_TIMEOUT_MS);
        init.method = method;
        init.credentials = "same-origin";
        init.cache = "no-store";
        if (abort) init.signal = abort.signal;
        return fetch(url, init).then(function (r) {
          clearTimeout(timer);
          return r;
        }, function () {
          clearTimeout(timer);
          throw "network";
        });
      }
      function held(r) { return Number(r.headers.get("upload-offset") || 0); }
      return get(sha).then(function (record) {
        if (!record) return "gone";
        return call("HEAD", {}).then(function (r) {
          if (r.status === 404) return "unknown";
          if (!r.ok) throw "refused:" + r.status;
          return (function next(at) {
            progress(at);
            if (at >= record.bytes) return "held";
            return call("PATCH", {
              headers: { "upload-offset": String(at), "content-type": "application/offset+octet-stream" },
              body: record.blob.slice(at, at + PIECE),
            }).then(function (r) {
              if (r.status === 204 || r.status === 409) return next(held(r));
              throw "refused:" + r.status;
            });
          })(held(r));
        });
      });
    },
    // [bytes used, bytes the browser allows] for this site, or null when it does not say.
    estimate: function () {
      var s = navigator.storage;
      if (!s || !s.estimate) return Promise.resolve(null);
      return s.estimate().then(function (e) { return [e.usage || 0, e.quota || 0]; }, function () { return null; });
    },
  };
})();
