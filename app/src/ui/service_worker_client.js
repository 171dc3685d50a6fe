(function () {
  if (!("serviceWorker" in navigator)) return;
  // A new version waits until no unsent entry is on the device (the outbox keys of any user,
  // `athar/v1/u/<user>/m/<client>/<seq>`): the page can read storage, the worker cannot.
  var OUTBOX = /^athar\/v1\/u\/[^\/]+\/m\//;
  function pending() {
    try {
      for (var i = 0; i < localStorage.length; i++) {
        if (OUTBOX.test(localStorage.key(i) || "")) return true;
      }
    } catch (e) {}
    return false;
  }
  function offer(worker) {
    if (worker && !pending()) worker.postMessage({ type: "take-over" });
  }
  // A worker being installed offers itself once installed, if another already controls the page.
  function track(worker) {
    if (!worker) return;
    worker.addEventListener("statechange", function () {
      if (worker.state === "installed" && navigator.serviceWorker.controller) offer(worker);
    });
  }
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function (reg) {
      offer(reg.waiting);
      track(reg.installing);
      reg.addEventListener("updatefound", function () { track(reg.installing); });
      // Ask again now and then: the outbox may have emptied since (a sync went through), and a
      // browser may stop an idle waiting worker before it has handled the first message.
      setInterval(function () { offer(reg.waiting); }, 10000);
    }).catch(function (e) { console.warn("service worker:", e); });
  });
})();
