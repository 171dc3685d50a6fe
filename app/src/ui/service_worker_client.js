(function () {
  if (!("serviceWorker" in navigator)) return;
  // A new version waits until no unsent entry is on the device: the page can read storage, the
  // worker cannot. Until the outbox exists, nothing is ever pending.
  function pending() {
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var k = localStorage.key(i);
        if (k && k.indexOf("athar/") === 0 && k.indexOf("/outbox/") > 0) return true;
      }
    } catch (e) {}
    return false;
  }
  function offer(worker) {
    if (worker && !pending()) worker.postMessage({ type: "take-over" });
  }
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (reg) {
      offer(reg.waiting);
      reg.addEventListener("updatefound", function () {
        var w = reg.installing;
        if (!w) return;
        w.addEventListener("statechange", function () {
          if (w.state === "installed" && navigator.serviceWorker.controller) offer(w);
        });
      });
    }).catch(function (e) { console.warn("service worker:", e); });
  });
})();
