(function () {
  if (!("serviceWorker" in navigator)) return;
  var athar = (window.athar = window.athar || {});
  // A new version takes over by itself when no unsent entry is on the device (the outbox keys of
  // any user, `athar/v1/u/<user>/m/<client>/<seq>`, in IndexedDB, or in localStorage where a
  // build of layout 1 left them): the page can read storage, the worker cannot.
  // When entries wait, it takes over only if the user agrees (`athar.takeOver`, from the update
  // notice) and it reads the device's storage layout; `athar.update` says which case holds
  // ("ready", "blocked" or null) and an `athar-update` event tells the app when that changes.
  var OUTBOX = /^athar\/v\d+\/u\/[^\/]+\/m\//;
  var registration = null;
  var reloadOnChange = false;
  athar.update = null;
  // Resolves to whether an entry waits; an outbox that cannot be read counts as one.
  function pending() {
    try {
      for (var i = 0; i < localStorage.length; i++) {
        if (OUTBOX.test(localStorage.key(i) || "")) return Promise.resolve(true);
      }
    } catch (e) {}
    if (!athar.db) return Promise.resolve(false);
    return athar.db.keys().then(function (keys) {
      return keys.some(function (k) { return OUTBOX.test(k); });
    }, function () { return true; });
  }
  function layout() {
    try {
      return parseInt(localStorage.getItem("athar/layout") || "0", 10) || 0;
    } catch (e) {
      return 0;
    }
  }
  function announce(state) {
    if (athar.update === state) return;
    athar.update = state;
    window.dispatchEvent(new Event("athar-update"));
  }
  // Asks a worker which storage layouts it reads; null when it does not answer.
  function about(worker) {
    return new Promise(function (resolve) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function (e) { resolve(e.data); };
      worker.postMessage({ type: "about" }, [channel.port2]);
      setTimeout(function () { resolve(null); }, 5000);
    });
  }
  function offer(worker) {
    if (!worker) return announce(null);
    pending().then(function (waits) {
      if (!waits) return worker.postMessage({ type: "take-over" });
      return about(worker).then(function (a) {
        var l = layout();
        var reads = a && a.layouts && l >= a.layouts[0] && l <= a.layouts[1];
        if (registration && registration.waiting === worker) announce(reads ? "ready" : "blocked");
      });
    });
  }
  // The user agreed: the new version takes over and this tab reloads into it. Other open tabs
  // keep running the previous version until they reload (its code stays cached).
  athar.takeOver = function () {
    var worker = registration && registration.waiting;
    if (!worker || athar.update !== "ready") return false;
    reloadOnChange = true;
    worker.postMessage({ type: "take-over" });
    return true;
  };
  // Called by the app after a sync: the outbox may just have emptied.
  athar.checkUpdate = function () {
    if (registration) offer(registration.waiting);
  };
  navigator.serviceWorker.addEventListener("controllerchange", function () {
    announce(null);
    if (reloadOnChange) location.reload();
  });
  // Whether the app opens without network on this phone: `athar.offlineReady` is false while no
  // worker could install (a file it caches would not download), with an `athar-offline` event
  // when that changes; the install is tried again, sooner at first, then every few minutes.
  athar.offlineReady = null;
  var retryMs = 5000;
  function offlineReady(ready) {
    if (athar.offlineReady === ready) return;
    athar.offlineReady = ready;
    window.dispatchEvent(new Event("athar-offline"));
  }
  // A first install that fails takes the registration with it: register again.
  function retry() {
    setTimeout(register, retryMs);
    retryMs = Math.min(retryMs * 2, 5 * 60 * 1000);
  }
  // A page that is not controlled once a worker is active asks it to claim the page: the claim
  // made at activation misses a page that was between two documents at that moment.
  function claim() {
    var active = registration && registration.active;
    if (active && active.state === "activated" && !navigator.serviceWorker.controller) {
      active.postMessage({ type: "claim" });
    }
  }
  // A worker being installed offers itself once installed, if another already controls the page.
  function track(worker) {
    if (!worker) return;
    worker.addEventListener("statechange", function () {
      if (worker.state === "installed" && navigator.serviceWorker.controller) offer(worker);
      if (worker.state === "activated") { retryMs = 5000; offlineReady(true); claim(); }
      if (worker.state === "redundant" && !(registration && registration.active)) {
        offlineReady(false);
        retry();
      }
    });
  }
  var watching = false;
  function register() {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (reg) {
      var fresh = reg !== registration;
      registration = reg;
      if (reg.active) offlineReady(true);
      claim();
      offer(reg.waiting);
      track(reg.installing);
      if (fresh) reg.addEventListener("updatefound", function () { track(reg.installing); });
      if (watching) return;
      watching = true;
      // Ask again now and then: the outbox may have emptied since (a sync went through), and a
      // browser may stop an idle waiting worker before it has handled the first message.
      setInterval(function () { offer(registration.waiting); claim(); }, 10000);
      // A page left open for days never navigates, and a browser may miss a check: look for a
      // new version now and then, and when the network comes back.
      function look() {
        var r = registration;
        if (!r.waiting && !r.installing && navigator.onLine) r.update().catch(function () {});
      }
      setInterval(look, 30 * 60 * 1000);
      window.addEventListener("online", look);
    }).catch(function (e) {
      console.warn("service worker:", e);
      offlineReady(false);
      retry();
    });
  }
  // The whole app is fetched for offline use only once the page is up (loaded, and the WASM has
  // taken over: `athar-ready`), so on a weak link the install never competes with the first
  // load. A page whose WASM never starts still registers, 20 s after it loaded.
  var loaded = false;
  var started = !!window.__athar_ready;
  var asked = false;
  function registerOnce() {
    if (!loaded || !started || asked) return;
    asked = true;
    // In a task of its own, not in the one that took the page over.
    setTimeout(register, 0);
  }
  window.addEventListener("athar-ready", function () { started = true; registerOnce(); });
  window.addEventListener("load", function () {
    loaded = true;
    registerOnce();
    setTimeout(function () { started = true; registerOnce(); }, 20000);
  });
})();
